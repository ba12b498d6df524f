//! NAT on a router's outside interface: the RFC 4787 behaviours, the familiar kinds
//! that name four of their pairs, the options, static port forwards, the values of
//! their words and how the statements print back.

use crate::duration::{Grammar, Unit};
use crate::error::ParseError;
use crate::lex::Token;
use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

/// An RFC 4787 behaviour, of a NAT's mapping (§4.1: which outbound flows share an
/// external endpoint) or of its filtering (§5: which inbound packets reach a mapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Behaviour {
    /// Mapping: one external endpoint per internal endpoint, whatever the remote.
    /// Filtering: anyone may send to a mapping.
    EndpointIndependent,
    /// Mapping: one per internal endpoint and remote address. Filtering: only
    /// addresses the mapping has sent to.
    AddressDependent,
    /// Mapping: one per internal endpoint and remote address and port. Filtering:
    /// only the remote endpoints the mapping has sent to.
    AddressAndPortDependent,
}

impl Behaviour {
    /// Every behaviour, from the most permissive to the strictest.
    pub const ALL: [Behaviour; 3] = [
        Behaviour::EndpointIndependent,
        Behaviour::AddressDependent,
        Behaviour::AddressAndPortDependent,
    ];

    /// As written: `endpoint-independent`, `address-dependent`,
    /// `address-and-port-dependent`.
    pub fn word(self) -> &'static str {
        match self {
            Behaviour::EndpointIndependent => "endpoint-independent",
            Behaviour::AddressDependent => "address-dependent",
            Behaviour::AddressAndPortDependent => "address-and-port-dependent",
        }
    }

    /// The behaviour a word names (the inverse of [`Behaviour::word`]).
    pub fn from_word(word: &str) -> Option<Behaviour> {
        Behaviour::ALL.into_iter().find(|b| b.word() == word)
    }
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// What a NAT does: its mapping and its filtering behaviour. Four of the nine pairs
/// have the familiar names, as constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NatKind {
    /// Which outbound flows share an external endpoint (RFC 4787 §4.1).
    pub mapping: Behaviour,
    /// Which inbound packets reach a mapping (RFC 4787 §5).
    pub filtering: Behaviour,
}

impl NatKind {
    /// Endpoint-independent mapping and filtering: anyone reaches a mapping.
    pub const FULL_CONE: NatKind = NatKind::new(
        Behaviour::EndpointIndependent,
        Behaviour::EndpointIndependent,
    );
    /// Endpoint-independent mapping, address-dependent filtering.
    pub const RESTRICTED_CONE: NatKind =
        NatKind::new(Behaviour::EndpointIndependent, Behaviour::AddressDependent);
    /// Endpoint-independent mapping, address-and-port-dependent filtering: the
    /// common home router.
    pub const PORT_RESTRICTED_CONE: NatKind = NatKind::new(
        Behaviour::EndpointIndependent,
        Behaviour::AddressAndPortDependent,
    );
    /// Address-and-port-dependent mapping and filtering: a new external port for
    /// every remote endpoint (the corporate firewall).
    pub const SYMMETRIC: NatKind = NatKind::new(
        Behaviour::AddressAndPortDependent,
        Behaviour::AddressAndPortDependent,
    );

    /// The familiar names, in the order the language lists them.
    pub const NAMED: [(&'static str, NatKind); 4] = [
        ("full-cone", NatKind::FULL_CONE),
        ("restricted-cone", NatKind::RESTRICTED_CONE),
        ("port-restricted-cone", NatKind::PORT_RESTRICTED_CONE),
        ("symmetric", NatKind::SYMMETRIC),
    ];

    /// The NAT with these behaviours.
    pub const fn new(mapping: Behaviour, filtering: Behaviour) -> NatKind {
        NatKind { mapping, filtering }
    }

    /// Every pair, mapping first: the nine NATs RFC 4787 describes.
    pub fn all() -> [NatKind; 9] {
        let b = Behaviour::ALL;
        std::array::from_fn(|i| NatKind::new(b[i / 3], b[i % 3]))
    }

    /// The familiar name, if this pair has one.
    pub fn name(&self) -> Option<&'static str> {
        NatKind::NAMED
            .iter()
            .find(|(_, k)| k == self)
            .map(|(n, _)| *n)
    }

    /// The kind a familiar name (`full-cone`, ...) stands for.
    pub fn from_name(name: &str) -> Option<NatKind> {
        NatKind::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
    }
}

/// The familiar name, or `mapping B filtering B`: as the statement writes it.
impl fmt::Display for NatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "mapping {} filtering {}", self.mapping, self.filtering),
        }
    }
}

/// `nat ROUTER:IFACE KIND [OPTION]...`: source NAT of the IPv4 traffic leaving
/// `router` through `iface` (its outside interface), to the first IPv4 address of
/// that interface, with the RFC 4787 behaviours of `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nat {
    /// The router (a node with `forward`).
    pub router: String,
    /// Its outside interface.
    pub iface: String,
    /// The RFC 4787 behaviours.
    pub kind: NatKind,
    /// Inside hosts reach each other through their mappings (RFC 4787 REQ-9).
    pub hairpin: bool,
    /// A new mapping keeps the internal port when no other mapping holds it.
    pub port_preservation: bool,
    /// How long a UDP mapping lives without outbound traffic (whole seconds).
    pub udp_timeout: Duration,
}

impl Nat {
    /// RFC 4787 REQ-5: a UDP mapping must not expire in less than two minutes.
    pub const DEFAULT_UDP_TIMEOUT: Duration = Duration::from_secs(120);
    /// The longest `udp-timeout`.
    pub const MAX_UDP_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

    /// A NAT with the default options: hairpinning and port preservation on, UDP
    /// mappings kept two minutes.
    pub fn new(router: &str, iface: &str, kind: NatKind) -> Nat {
        Nat {
            router: router.to_string(),
            iface: iface.to_string(),
            kind,
            hairpin: true,
            port_preservation: true,
            udp_timeout: Nat::DEFAULT_UDP_TIMEOUT,
        }
    }
}

/// The statement, options that differ from the defaults only.
impl fmt::Display for Nat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nat {}:{} {}", self.router, self.iface, self.kind)?;
        if !self.hairpin {
            f.write_str(" hairpin off")?;
        }
        if !self.port_preservation {
            f.write_str(" port-preservation off")?;
        }
        if self.udp_timeout != Nat::DEFAULT_UDP_TIMEOUT {
            write!(f, " udp-timeout {}", Seconds(self.udp_timeout))?;
        }
        Ok(())
    }
}

/// A transport protocol a NAT maps and forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proto {
    /// UDP (17).
    Udp,
    /// TCP (6).
    Tcp,
}

impl Proto {
    /// As written: `udp`, `tcp`.
    pub fn word(self) -> &'static str {
        match self {
            Proto::Udp => "udp",
            Proto::Tcp => "tcp",
        }
    }

    /// The IP protocol number (17, 6).
    pub fn number(self) -> u8 {
        match self {
            Proto::Udp => 17,
            Proto::Tcp => 6,
        }
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// `forward ROUTER:IFACE PROTO PORT -> TARGET:PORT`: a static port forward of the
/// NAT on `router:iface`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Forward {
    /// The NAT's router.
    pub router: String,
    /// The NAT's outside interface, where the port is opened.
    pub iface: String,
    /// The protocol forwarded.
    pub proto: Proto,
    /// The external port.
    pub port: u16,
    /// Where the packets go.
    pub to: ForwardTarget,
    /// The port they go to there.
    pub to_port: u16,
}

/// Where a forward leads: a node (its IPv4 address the router reaches, see
/// [`crate::Topology::forward_addr`]) or an IPv4 address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardTarget {
    /// A node, by name.
    Node(String),
    /// An IPv4 address inside.
    Ip(Ipv4Addr),
}

impl fmt::Display for ForwardTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardTarget::Node(n) => f.write_str(n),
            ForwardTarget::Ip(ip) => ip.fmt(f),
        }
    }
}

impl fmt::Display for Forward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "forward {}:{} {} {} -> {}:{}",
            self.router, self.iface, self.proto, self.port, self.to, self.to_port
        )
    }
}

/// A `udp-timeout` in the largest unit that writes it exactly: `2m`, `90s`.
pub(crate) struct Seconds(pub Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_secs();
        if s.is_multiple_of(60) && s > 0 {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

/// What `udp-timeout` takes of the duration grammar: conntrack counts whole seconds.
const TIMEOUT: Grammar = Grammar {
    units: &[Unit::Secs, Unit::Mins],
    decimals: false,
};

/// `udp-timeout`: a whole number of `s` or `m`, from 1 s to 24 h.
pub(crate) fn udp_timeout(t: Token<'_>) -> Result<Duration, ParseError> {
    let d = TIMEOUT.parse(t.text).map_err(|_| {
        t.pos.error(format!(
            "expected a udp-timeout like 30s or 2m (a whole number of s or m: conntrack \
             counts seconds), found {:?}",
            t.text
        ))
    })?;
    if d.is_zero() || d > Nat::MAX_UDP_TIMEOUT {
        return Err(t.pos.error(format!(
            "udp-timeout {} is out of range: at least 1s and at most 1440m (24 hours)",
            t.text
        )));
    }
    Ok(d)
}

/// A port of a forward: 1 to 65535, digits only.
pub(crate) fn port(t: Token<'_>, text: &str, col: usize) -> Result<u16, ParseError> {
    text.parse::<u16>()
        .ok()
        .filter(|&p| p > 0 && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            t.pos
                .plus(col)
                .error(format!("expected a port from 1 to 65535, found {text:?}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_familiar_names_are_four_of_the_nine_kinds() {
        let all = NatKind::all();
        assert_eq!(all.len(), 9);
        assert_eq!(all[0], NatKind::FULL_CONE);
        assert_eq!(all[8], NatKind::SYMMETRIC);
        let named: Vec<&str> = all.iter().filter_map(|k| k.name()).collect();
        assert_eq!(
            named,
            [
                "full-cone",
                "restricted-cone",
                "port-restricted-cone",
                "symmetric"
            ]
        );
        for (name, kind) in NatKind::NAMED {
            assert_eq!(NatKind::from_name(name), Some(kind));
            assert_eq!(kind.to_string(), name);
        }
        assert_eq!(NatKind::from_name("cone"), None);
        let adm = NatKind::new(Behaviour::AddressDependent, Behaviour::EndpointIndependent);
        assert_eq!(adm.name(), None);
        assert_eq!(
            adm.to_string(),
            "mapping address-dependent filtering endpoint-independent"
        );
    }

    #[test]
    fn statements_print_options_that_differ_from_the_defaults() {
        let mut nat = Nat::new("r1", "wan", NatKind::SYMMETRIC);
        assert_eq!(nat.to_string(), "nat r1:wan symmetric");
        nat.hairpin = false;
        nat.port_preservation = false;
        nat.udp_timeout = Duration::from_secs(90);
        assert_eq!(
            nat.to_string(),
            "nat r1:wan symmetric hairpin off port-preservation off udp-timeout 90s"
        );
        nat.udp_timeout = Duration::from_secs(600);
        assert!(nat.to_string().ends_with("udp-timeout 10m"));
        let f = Forward {
            router: "r1".into(),
            iface: "wan".into(),
            proto: Proto::Tcp,
            port: 80,
            to: ForwardTarget::Ip(Ipv4Addr::new(192, 168, 1, 2)),
            to_port: 8080,
        };
        assert_eq!(f.to_string(), "forward r1:wan tcp 80 -> 192.168.1.2:8080");
    }

    #[test]
    fn udp_timeouts_are_whole_seconds_or_minutes() {
        let timeout = |text| {
            let pos = crate::lex::Pos { line: 1, col: 1 };
            udp_timeout(Token { text, pos }).map_err(|e| e.message)
        };
        assert_eq!(timeout("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(timeout("1440m"), Ok(Duration::from_secs(86400)));
        for bad in ["500ms", "1.5s", "30", "2h"] {
            assert!(timeout(bad)
                .unwrap_err()
                .starts_with("expected a udp-timeout"));
        }
        assert_eq!(
            timeout("0s"),
            Err("udp-timeout 0s is out of range: at least 1s and at most 1440m (24 hours)".into())
        );
        assert!(timeout("1441m").is_err());
    }
}
