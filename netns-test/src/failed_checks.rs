//! The checks that failed, as data: each one's kind and words ([`FailedCheck`]), in a
//! run's [`Cause::Checks`](crate::Cause::Checks) and in the error of
//! [`Net::check`](crate::Net::check) ([`CheckError`], which adds every node's state).
//! The same on every OS (the public API names them).

use std::fmt;

/// What a failed check was checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckKind {
    /// An `expect` statement did not hold: a target that must answer did not, one
    /// that must not did, a probe proved nothing either way, or the target has no
    /// address.
    Expect,
    /// A segment's ping: two members of a veth pair or bridge could not reach each
    /// other (`reachability check on segment 2 (br0): ...`).
    Reachability,
    /// A neighbour table: an entry a segment's ping must have left is missing, maps
    /// the address to another MAC, is not in a usable state, or the table could not be
    /// read (`neighbour check: ...`).
    Neighbour,
    /// The checks could not be planned (all-pairs checks that would need more of the
    /// kernel's neighbour table than a test may take).
    Plan,
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckKind::Expect => "expect",
            CheckKind::Reachability => "reachability",
            CheckKind::Neighbour => "neighbour",
            CheckKind::Plan => "plan",
        })
    }
}

// The sandbox's frames carry the kind as a byte.
#[cfg(target_os = "linux")]
impl CheckKind {
    pub(crate) fn to_byte(self) -> u8 {
        match self {
            CheckKind::Expect => b'e',
            CheckKind::Reachability => b'r',
            CheckKind::Neighbour => b'n',
            CheckKind::Plan => b'p',
        }
    }

    pub(crate) fn from_byte(b: u8) -> Option<CheckKind> {
        Some(match b {
            b'e' => CheckKind::Expect,
            b'r' => CheckKind::Reachability,
            b'n' => CheckKind::Neighbour,
            b'p' => CheckKind::Plan,
            _ => return None,
        })
    }
}

/// One check that failed: its kind, and what went wrong in one line (which `Display`
/// prints), such as `expect a -> b: no reply from 10.0.2.2 within 1s (3 tries)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FailedCheck {
    /// What the check was checking.
    pub kind: CheckKind,
    /// What went wrong: the check and the reason, in one line.
    pub message: String,
}

impl FailedCheck {
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn new(kind: CheckKind, message: impl Into<String>) -> FailedCheck {
        FailedCheck {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for FailedCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What [`Net::check`](crate::Net::check) returns when checks fail: every failed
/// check, then every node's state read right after them (the text of
/// [`Net::report`](crate::Net::report)).
///
/// `Display` lists the failed checks, one a line, then the state:
///
/// ```text
/// 1 check failed:
///   - expect a -> b: ...
///
/// node a: ...
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckError {
    /// The checks that failed, in the order they were judged: the `expect`
    /// statements' first, then the segments'.
    pub failed: Vec<FailedCheck>,
    /// Every node's links, addresses, routes and neighbours after the checks.
    pub report: String,
}

impl CheckError {
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn new(failed: Vec<FailedCheck>, report: String) -> CheckError {
        CheckError { failed, report }
    }

    /// Whether a check of this kind failed.
    pub fn has(&self, kind: CheckKind) -> bool {
        self.failed.iter().any(|f| f.kind == kind)
    }
}

/// "1 check failed", "2 checks failed": the first line wherever failed checks are
/// listed (`CheckError`, a run's headline, a kept sandbox's banner).
pub(crate) fn how_many_failed(n: usize) -> String {
    format!("{n} check{} failed", if n == 1 { "" } else { "s" })
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:", how_many_failed(self.failed.len()))?;
        for check in &self.failed {
            writeln!(f, "  - {check}")?;
        }
        write!(f, "\n{}", self.report)
    }
}

impl std::error::Error for CheckError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_error_prints_what_the_string_said() {
        let e = CheckError::new(
            vec![
                FailedCheck::new(CheckKind::Expect, "expect a -> b: no reply"),
                FailedCheck::new(CheckKind::Neighbour, "neighbour check: a has no entry"),
            ],
            "node a:\n  ...\n".into(),
        );
        assert_eq!(
            e.to_string(),
            "2 checks failed:\n  - expect a -> b: no reply\n  - neighbour check: a has no \
             entry\n\nnode a:\n  ...\n"
        );
        assert!(e.has(CheckKind::Expect) && !e.has(CheckKind::Reachability));
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().starts_with("2 checks failed:"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kinds_survive_their_byte() {
        use CheckKind::*;
        for k in [Expect, Reachability, Neighbour, Plan] {
            assert_eq!(CheckKind::from_byte(k.to_byte()), Some(k));
        }
        assert_eq!(CheckKind::from_byte(0), None);
    }
}
