//! nf_tables objects in `nft` syntax, as `nft list ruleset` prints them: for failure
//! reports and documentation, and to compare with what the kernel lists.

use super::{Chain, Field, Hook, Set};
use std::fmt::Write as _;

impl Hook {
    fn name(self) -> &'static str {
        match self {
            Hook::Prerouting => "prerouting",
            Hook::Input => "input",
            Hook::Forward => "forward",
            Hook::Postrouting => "postrouting",
        }
    }
}

impl Chain {
    /// `type nat hook postrouting priority srcnat; policy accept;` for a base chain.
    pub(crate) fn header(&self) -> Option<String> {
        let (kind, hook, priority) = self.base?;
        let priority = match (hook, priority) {
            (Hook::Prerouting, -100) => "dstnat".to_string(),
            (Hook::Prerouting, p) if p < -100 => format!("dstnat - {}", -100 - p),
            (Hook::Postrouting, 100) => "srcnat".to_string(),
            (Hook::Postrouting, p) if p > 100 => format!("srcnat + {}", p - 100),
            (_, 0) => "filter".to_string(),
            (_, p) => p.to_string(),
        };
        Some(format!(
            "type {kind} hook {} priority {priority}; policy accept;",
            hook.name()
        ))
    }
}

impl Field {
    fn type_name(self) -> &'static str {
        match self {
            Field::L4proto => "inet_proto",
            Field::Port => "inet_service",
            Field::Ipv4 => "ipv4_addr",
        }
    }
}

fn type_text(fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.type_name()).collect();
    names.join(" . ")
}

impl Set {
    /// The set's block, indented for a table, with its comment above it.
    pub(crate) fn text(&self) -> String {
        let kind = if self.data.is_some() { "map" } else { "set" };
        let mut t = format!("\t# {}\n\t{kind} {} {{\n", self.comment, self.name);
        let _ = write!(t, "\t\ttype {}", type_text(&self.key));
        if let Some(d) = &self.data {
            let _ = write!(t, " : {}", type_text(d));
        }
        t.push('\n');
        if self.dynamic {
            // The kernel limits a dynamic set bound to a rule to 65535 elements.
            t.push_str("\t\tsize 65535\n\t\tflags dynamic,timeout\n");
        }
        if let Some(ms) = self.timeout_ms {
            let _ = writeln!(t, "\t\ttimeout {}", duration(ms));
        }
        if !self.elements_text.is_empty() {
            let _ = writeln!(t, "\t\telements = {{ {} }}", self.elements_text.join(", "));
        }
        t.push_str("\t}\n");
        t
    }
}

/// A duration as nft prints it: `2m`, `2h4m`, `30s`, `1500ms`.
pub(crate) fn duration(ms: u64) -> String {
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    let mut t = String::new();
    for (v, unit) in [
        (s / 86400, "d"),
        (s / 3600 % 24, "h"),
        (s / 60 % 60, "m"),
        (s % 60, "s"),
    ] {
        if v != 0 {
            let _ = write!(t, "{v}{unit}");
        }
    }
    if t.is_empty() {
        t.push_str("0s");
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_nft_prints_them() {
        assert_eq!(duration(120_000), "2m");
        assert_eq!(duration(7_440_000), "2h4m");
        assert_eq!(duration(30_000), "30s");
        assert_eq!(duration(1500), "1500ms");
        assert_eq!(duration(90_061_000), "1d1h1m1s");
        assert_eq!(duration(0), "0s");
    }

    #[test]
    fn chain_headers_name_the_priorities() {
        let chain = |hook, prio| Chain {
            name: "c",
            base: Some(("filter", hook, prio)),
        };
        let header = |c: Chain| c.header().unwrap();
        assert_eq!(
            header(chain(Hook::Postrouting, 101)),
            "type filter hook postrouting priority srcnat + 1; policy accept;"
        );
        assert_eq!(
            header(chain(Hook::Forward, 0)),
            "type filter hook forward priority filter; policy accept;"
        );
        assert_eq!(
            header(chain(Hook::Input, -5)),
            "type filter hook input priority -5; policy accept;"
        );
        assert!(Chain {
            name: "regular",
            base: None
        }
        .header()
        .is_none());
    }
}
