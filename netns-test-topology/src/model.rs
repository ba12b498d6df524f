//! The model of a topology, fully resolved: default interface names, bridge port
//! names and automatic addresses are filled in by the parser, so the runtime never
//! guesses. Printing a model and parsing the text gives the same model back.

use crate::error::CidrParseError;
pub use crate::impair::{Impairment, Percent};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The reserved name of the sandbox's own network namespace.
pub const HOST: &str = "host";

/// An address with its prefix length, as written on an interface (`10.0.0.1/24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

/// A whole test network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topology {
    /// Every node but `host`, in order of first appearance (declared or used).
    pub nodes: Vec<Node>,
    /// Bridges in order of declaration.
    pub bridges: Vec<Bridge>,
    /// Veth pairs in order of appearance.
    pub links: Vec<Link>,
    pub routes: Vec<Route>,
    pub expects: Vec<Expect>,
}

/// A network namespace of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    /// IPv4 and IPv6 forwarding on (a router).
    pub forward: bool,
    /// `net.*` sysctls written inside the node, in order (`("net.ipv4.ip_forward", "1")`).
    pub sysctls: Vec<(String, String)>,
}

/// A Linux bridge living in `node` (`host` by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    pub name: String,
    pub node: String,
    pub addrs: Vec<Cidr>,
    pub mtu: Option<u32>,
    /// How many links were written before this bridge's statement. The order of
    /// bridges among links numbers the segments (and so the automatic addresses),
    /// and the model must keep it to print the same topology back.
    pub links_before: usize,
}

/// A veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub a: End,
    pub b: End,
    pub mtu: Option<u32>,
    /// What happens to the traffic leaving each end: index 0 on end `a`'s egress
    /// (traffic from a to b), 1 on end `b`'s.
    pub impair: [Impairment; 2],
}

/// One end of a veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// An interface in a node's namespace.
    Node(NodeEnd),
    /// A port enslaved to a bridge, in the bridge's node, with a generated name.
    Bridge { bridge: String, port: String },
}

/// A veth end inside a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEnd {
    pub node: String,
    pub ifname: String,
    pub addrs: Vec<Cidr>,
}

/// `route NODE (default | CIDR) via IP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub node: String,
    pub dest: Destination,
    pub via: IpAddr,
}

/// Where a route leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// `0.0.0.0/0` or `::/0`, by the gateway's family.
    Default,
    Net(Cidr),
}

/// `expect NODE (-> | <-> | -x-) TARGET`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub from: String,
    pub kind: ExpectKind,
    pub target: Target,
}

/// The arrow of an `expect` statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpectKind {
    /// `->`: from can ping target.
    Reach,
    /// `<->`: both ways.
    Both,
    /// `-x-`: from can NOT ping target.
    Isolated,
}

/// What an `expect` pings: a node (one of its addresses) or a literal address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Node(String),
    Ip(IpAddr),
}

/// One L2 segment: a veth pair, or a bridge with everything enslaved to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub kind: SegmentKind,
    /// The interfaces on the segment that belong to nodes, in order of appearance
    /// (for a bridge with addresses, the bridge itself comes first).
    pub members: Vec<Member>,
}

/// What makes a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Index into `Topology::links`.
    Veth(usize),
    /// Index into `Topology::bridges`.
    Bridge(usize),
}

/// An interface on a segment: which node, which interface, which addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub node: String,
    pub ifname: String,
    pub addrs: Vec<Cidr>,
}

impl Cidr {
    /// `None` when the prefix is longer than the address (33 for IPv4, 129 for IPv6).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Cidr> {
        (prefix <= max_prefix(addr)).then_some(Cidr { addr, prefix })
    }

    /// Parses `10.0.0.1/24` or `fd00::1/64`; the host bits may be set.
    pub fn parse(s: &str) -> Result<Cidr, CidrParseError> {
        let err = || CidrParseError::new(s);
        let (addr, prefix) = s.split_once('/').ok_or_else(err)?;
        // `u8::from_str` takes a leading `+`; a prefix is digits only.
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let addr = IpAddr::from_str(addr).map_err(|_| err())?;
        let prefix = prefix.parse::<u8>().map_err(|_| err())?;
        Cidr::new(addr, prefix).ok_or_else(err)
    }

    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }

    pub fn is_ipv6(&self) -> bool {
        self.addr.is_ipv6()
    }

    /// The subnet: the address with its host bits cleared (`10.0.0.0/24` for `10.0.0.1/24`).
    pub fn network(&self) -> Cidr {
        let addr = match self.addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask32(self.prefix))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask128(self.prefix))),
        };
        Cidr {
            addr,
            prefix: self.prefix,
        }
    }

    /// Whether `ip` is in this subnet (an address of the other family never is).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let m = mask32(self.prefix);
                u32::from(a) & m == u32::from(b) & m
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let m = mask128(self.prefix);
                u128::from(a) & m == u128::from(b) & m
            }
            _ => false,
        }
    }
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() {
        32
    } else {
        128
    }
}

// `checked_shl` because a shift by the full width (prefix 0) overflows.
fn mask32(prefix: u8) -> u32 {
    u32::MAX
        .checked_shl(32u32.saturating_sub(prefix.into()))
        .unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX
        .checked_shl(128u32.saturating_sub(prefix.into()))
        .unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = CidrParseError;

    fn from_str(s: &str) -> Result<Cidr, CidrParseError> {
        Cidr::parse(s)
    }
}

impl End {
    /// The node end, unless this end is a bridge port.
    pub fn as_node(&self) -> Option<&NodeEnd> {
        match self {
            End::Node(n) => Some(n),
            End::Bridge { .. } => None,
        }
    }
}

impl Link {
    /// `[a, b]`.
    pub fn ends(&self) -> [&End; 2] {
        [&self.a, &self.b]
    }
}

impl Destination {
    /// The destination as a subnet; `default` takes its family from the gateway.
    pub fn net(&self, via: IpAddr) -> Cidr {
        match *self {
            Destination::Net(c) => c,
            Destination::Default => Cidr {
                addr: match via {
                    IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                },
                prefix: 0,
            },
        }
    }
}

/// One statement that makes things, in the order of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stmt {
    Bridge(usize),
    Link(usize),
}

/// Which end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    A,
    B,
}

impl Side {
    pub(crate) const BOTH: [Side; 2] = [Side::A, Side::B];
}

/// A segment before its members are copied out: where its node ends are, so
/// automatic addressing can write into them.
#[derive(Debug)]
pub(crate) struct Layout {
    pub kind: SegmentKind,
    pub ends: Vec<(usize, Side)>,
}

impl Link {
    pub(crate) fn end(&self, side: Side) -> &End {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }

    pub(crate) fn end_mut(&mut self, side: Side) -> &mut End {
        match side {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }
}

impl Topology {
    /// `host` first, then every node in order of first appearance.
    pub fn node_names(&self) -> Vec<&str> {
        std::iter::once(HOST)
            .chain(self.nodes.iter().map(|n| n.name.as_str()))
            .collect()
    }

    /// Whether `name` is a node; `host` always is.
    pub fn has_node(&self, name: &str) -> bool {
        name == HOST || self.node(name).is_some()
    }

    /// A node's options; `None` for `host`, which has none, and for unknown names.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    pub fn bridge(&self, name: &str) -> Option<&Bridge> {
        self.bridges.iter().find(|b| b.name == name)
    }

    /// Bridges and links in the order they were written.
    pub(crate) fn statements(&self) -> Vec<Stmt> {
        let mut bridges: Vec<(usize, usize)> = self
            .bridges
            .iter()
            .enumerate()
            .map(|(i, b)| (b.links_before.min(self.links.len()), i))
            .collect();
        bridges.sort_by_key(|&(at, _)| at);
        let mut out = Vec::with_capacity(self.bridges.len() + self.links.len());
        let mut next = bridges.into_iter().peekable();
        for l in 0..=self.links.len() {
            while let Some((_, b)) = next.next_if(|&(at, _)| at == l) {
                out.push(Stmt::Bridge(b));
            }
            if l < self.links.len() {
                out.push(Stmt::Link(l));
            }
        }
        out
    }

    pub(crate) fn layouts(&self) -> Vec<Layout> {
        let index: HashMap<&str, usize> = self
            .bridges
            .iter()
            .enumerate()
            .map(|(i, b)| (b.name.as_str(), i))
            .collect();
        let mut on_bridge: Vec<Vec<(usize, Side)>> = vec![Vec::new(); self.bridges.len()];
        for (l, link) in self.links.iter().enumerate() {
            for (node_side, bridge_side) in [(Side::A, Side::B), (Side::B, Side::A)] {
                if let (End::Node(_), End::Bridge { bridge, .. }) =
                    (link.end(node_side), link.end(bridge_side))
                {
                    if let Some(&b) = index.get(bridge.as_str()) {
                        on_bridge[b].push((l, node_side));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for stmt in self.statements() {
            match stmt {
                Stmt::Bridge(b) => out.push(Layout {
                    kind: SegmentKind::Bridge(b),
                    ends: std::mem::take(&mut on_bridge[b]),
                }),
                Stmt::Link(l) => {
                    let link = &self.links[l];
                    if matches!((&link.a, &link.b), (End::Node(_), End::Node(_))) {
                        out.push(Layout {
                            kind: SegmentKind::Veth(l),
                            ends: vec![(l, Side::A), (l, Side::B)],
                        });
                    }
                }
            }
        }
        out
    }

    /// Every L2 segment, in the order of the statements that make them: each veth
    /// pair between two nodes, and each bridge (a link between two bridges makes none).
    pub fn segments(&self) -> Vec<Segment> {
        self.layouts()
            .into_iter()
            .map(|layout| {
                let mut members = Vec::new();
                if let SegmentKind::Bridge(b) = layout.kind {
                    let bridge = &self.bridges[b];
                    if !bridge.addrs.is_empty() {
                        members.push(Member {
                            node: bridge.node.clone(),
                            ifname: bridge.name.clone(),
                            addrs: bridge.addrs.clone(),
                        });
                    }
                }
                for (l, side) in layout.ends {
                    if let End::Node(n) = self.links[l].end(side) {
                        members.push(Member {
                            node: n.node.clone(),
                            ifname: n.ifname.clone(),
                            addrs: n.addrs.clone(),
                        });
                    }
                }
                Segment {
                    kind: layout.kind,
                    members,
                }
            })
            .collect()
    }

    /// Every address of a node: on its veth ends and on the bridges in it, in the
    /// order of the text.
    pub fn node_addrs(&self, node: &str) -> Vec<Cidr> {
        self.ifaces(node)
            .into_iter()
            .flat_map(|(_, addrs)| addrs)
            .collect()
    }

    /// Every interface a node owns but `lo`: its veth ends, the bridges in it and
    /// their ports, with their addresses, in the order of the text.
    pub fn ifaces(&self, node: &str) -> Vec<(String, Vec<Cidr>)> {
        let mut out = Vec::new();
        for stmt in self.statements() {
            match stmt {
                Stmt::Bridge(b) => {
                    let bridge = &self.bridges[b];
                    if bridge.node == node {
                        out.push((bridge.name.clone(), bridge.addrs.clone()));
                    }
                }
                Stmt::Link(l) => {
                    for end in self.links[l].ends() {
                        match end {
                            End::Node(n) if n.node == node => {
                                out.push((n.ifname.clone(), n.addrs.clone()));
                            }
                            End::Bridge { bridge, port } => {
                                if self.bridge(bridge).is_some_and(|b| b.node == node) {
                                    out.push((port.clone(), Vec::new()));
                                }
                            }
                            End::Node(_) => {}
                        }
                    }
                }
            }
        }
        out
    }

    /// The address `from` pings for `target`: a literal address is itself; a node
    /// answers with its first address on the first segment it shares with `from`,
    /// else with its first address at all. `None` if the node has no address.
    pub fn target_addr(&self, from: &str, target: &Target) -> Option<IpAddr> {
        let name = match target {
            Target::Ip(ip) => return Some(*ip),
            Target::Node(name) => name,
        };
        let shared = self
            .segments()
            .into_iter()
            .filter(|s| s.members.iter().any(|m| m.node == from))
            .find_map(|s| {
                s.members
                    .iter()
                    .filter(|m| m.node == *name)
                    .find_map(|m| m.addrs.first())
                    .map(|c| c.addr)
            });
        shared.or_else(|| self.node_addrs(name).first().map(|c| c.addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_parse_and_display() {
        assert_eq!(
            Cidr::parse("10.0.0.1/24"),
            Ok(Cidr {
                addr: ip("10.0.0.1"),
                prefix: 24,
            })
        );
        assert_eq!(cidr("FD00:0::1/64").to_string(), "fd00::1/64");
        assert_eq!(cidr("10.0.0.1/0").prefix, 0);
        assert_eq!(cidr("::1/128").prefix, 128);
        for bad in [
            "",
            "/",
            "10.0.0.1",
            "10.0.0.1/",
            "10.0.0.1/33",
            "::/129",
            "x/1",
            "1.2.3.4/-1",
        ] {
            let e = Cidr::parse(bad).unwrap_err();
            assert_eq!(e.input(), bad);
            assert_eq!(
                e.to_string(),
                format!("expected an address like 10.0.0.1/24, found {bad:?}")
            );
        }
        assert_eq!(Cidr::new(ip("10.0.0.1"), 33), None);
        assert_eq!(Cidr::new(ip("::"), 128), Some(cidr("::/128")));
    }

    #[test]
    fn cidr_network_and_contains() {
        assert_eq!(cidr("10.1.2.3/16").network(), cidr("10.1.0.0/16"));
        assert_eq!(cidr("10.1.2.3/0").network(), cidr("0.0.0.0/0"));
        assert_eq!(cidr("10.1.2.3/32").network(), cidr("10.1.2.3/32"));
        assert_eq!(
            cidr("fd00:1:8002::3/33").network(),
            cidr("fd00:1:8000::/33")
        );
        assert_eq!(cidr("fd00::3/0").network(), cidr("::/0"));
        let net = cidr("10.1.2.3/24");
        assert!(net.contains(ip("10.1.2.255")));
        assert!(!net.contains(ip("10.1.3.1")));
        assert!(!net.contains(ip("::a01:201")));
        assert!(cidr("10.0.0.1/0").contains(ip("192.0.2.1")));
        assert!(cidr("fd00::1/64").contains(ip("fd00::ffff")));
        assert!(!cidr("fd00::1/64").contains(ip("fd00:0:0:1::1")));
        assert!(cidr("fd00::1/128").contains(ip("fd00::1")));
        assert!(cidr("10.0.0.1/24").is_ipv4() && !cidr("10.0.0.1/24").is_ipv6());
        assert!(cidr("fd00::1/64").is_ipv6());
    }

    #[test]
    fn destinations_take_the_gateways_family() {
        assert_eq!(Destination::Default.net(ip("10.0.0.1")), cidr("0.0.0.0/0"));
        assert_eq!(Destination::Default.net(ip("fd00::1")), cidr("::/0"));
        let net = Destination::Net(cidr("10.9.0.0/16"));
        assert_eq!(net.net(ip("10.0.0.1")), cidr("10.9.0.0/16"));
    }

    #[test]
    fn nodes_and_bridges_by_name() {
        let t = ok("node z\nbridge br0 @r\na -- br0");
        assert_eq!(t.node_names(), ["host", "z", "r", "a"]);
        assert!(t.has_node("host") && t.has_node("z") && t.has_node("a"));
        assert!(!t.has_node("br0") && !t.has_node("q"));
        assert_eq!(t.node("z").map(|n| n.name.as_str()), Some("z"));
        assert!(t.node("host").is_none());
        assert_eq!(t.bridge("br0").map(|b| b.node.as_str()), Some("r"));
        assert!(t.bridge("a").is_none());
        assert_eq!(Topology::default().node_names(), ["host"]);
    }

    #[test]
    fn segments_in_the_order_of_the_text() {
        let t = ok("a -- b
            bridge br0 10.9.0.1/24
            c 10.9.0.2/24 -- br0
            bridge br1
            bridge br2 @r
            br1 -- br2
            br0 -- d
            e -- f
            br2 -- host");
        let kinds: Vec<SegmentKind> = t.segments().iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SegmentKind::Veth(0),
                SegmentKind::Bridge(0),
                SegmentKind::Bridge(1),
                SegmentKind::Bridge(2),
                SegmentKind::Veth(4),
            ]
        );
        let segments = t.segments();
        let member = |node: &str, ifname: &str, addrs: &[&str]| Member {
            node: node.into(),
            ifname: ifname.into(),
            addrs: addrs.iter().map(|a| cidr(a)).collect(),
        };
        assert_eq!(
            segments[0].members,
            [
                member("a", "eth0", &["10.0.1.1/24", "fd00:1::1/64"]),
                member("b", "eth0", &["10.0.1.2/24", "fd00:1::2/64"]),
            ]
        );
        // The bridge first, as it has addresses; d has none.
        assert_eq!(
            segments[1].members,
            [
                member("host", "br0", &["10.9.0.1/24"]),
                member("c", "eth0", &["10.9.0.2/24"]),
                member("d", "eth0", &[]),
            ]
        );
        assert_eq!(segments[2].members, []);
        assert_eq!(
            segments[3].members,
            [member("host", "eth0", &["10.0.4.1/24", "fd00:4::1/64"])]
        );
        assert_eq!(
            segments[4].members,
            [
                member("e", "eth0", &["10.0.5.1/24", "fd00:5::1/64"]),
                member("f", "eth0", &["10.0.5.2/24", "fd00:5::2/64"]),
            ]
        );
    }

    #[test]
    fn bridges_out_of_order_in_a_handmade_model() {
        let mut t = ok("a -- b\nbridge br0");
        t.bridges[0].links_before = 7;
        assert_eq!(
            t.segments().iter().map(|s| s.kind).collect::<Vec<_>>(),
            [SegmentKind::Veth(0), SegmentKind::Bridge(0)]
        );
    }

    #[test]
    fn interfaces_and_addresses_of_a_node() {
        let t = ok("r:x 10.0.0.1/24 -- a
            bridge br0 @r 10.1.0.1/24 fd01::1/64
            b -- br0
            bridge br1
            br1 -- r
            br0 -- br1");
        assert_eq!(
            t.ifaces("r"),
            [
                ("x".to_string(), vec![cidr("10.0.0.1/24")]),
                (
                    "br0".to_string(),
                    vec![cidr("10.1.0.1/24"), cidr("fd01::1/64")]
                ),
                ("br0-p0".to_string(), vec![]),
                // br1 is segment 3, with no address.
                (
                    "eth0".to_string(),
                    vec![cidr("10.0.3.1/24"), cidr("fd00:3::1/64")]
                ),
                ("br0-p1".to_string(), vec![]),
            ]
        );
        assert_eq!(
            t.ifaces("host"),
            [
                ("br1".to_string(), vec![]),
                ("br1-p0".to_string(), vec![]),
                ("br1-p1".to_string(), vec![]),
            ]
        );
        assert_eq!(
            t.node_addrs("r"),
            [
                cidr("10.0.0.1/24"),
                cidr("10.1.0.1/24"),
                cidr("fd01::1/64"),
                cidr("10.0.3.1/24"),
                cidr("fd00:3::1/64"),
            ]
        );
        assert!(t.node_addrs("a").is_empty());
        assert!(t.node_addrs("nobody").is_empty());
    }

    #[test]
    fn target_addresses() {
        let t = ok("a 10.0.1.1/24 -- b 10.0.1.2/24
            b 10.0.2.2/24 -- c 10.0.2.3/24
            c 10.0.3.3/24 -- d 10.0.3.4/24
            bridge br0 10.0.9.1/24
            x -- br0
            d 10.0.9.4/24 -- br0");
        let node = |n: &str| Target::Node(n.into());
        // On a shared segment.
        assert_eq!(t.target_addr("a", &node("b")), Some(ip("10.0.1.2")));
        assert_eq!(t.target_addr("c", &node("b")), Some(ip("10.0.2.2")));
        assert_eq!(t.target_addr("b", &node("c")), Some(ip("10.0.2.3")));
        assert_eq!(t.target_addr("d", &node("c")), Some(ip("10.0.3.3")));
        // The bridge's own address is host's, on the bridge's segment.
        assert_eq!(t.target_addr("x", &node("host")), Some(ip("10.0.9.1")));
        assert_eq!(t.target_addr("host", &node("d")), Some(ip("10.0.9.4")));
        // x has no address of its own, but shares the bridge with d.
        assert_eq!(t.target_addr("x", &node("d")), Some(ip("10.0.9.4")));
        // No shared segment: the first address.
        assert_eq!(t.target_addr("a", &node("c")), Some(ip("10.0.2.3")));
        assert_eq!(t.target_addr("a", &node("d")), Some(ip("10.0.3.4")));
        // A node without an address, shared segment or not.
        assert_eq!(t.target_addr("d", &node("x")), None);
        assert_eq!(t.target_addr("a", &node("nobody")), None);
        let lit = Target::Ip(ip("192.0.2.1"));
        assert_eq!(t.target_addr("a", &lit), Some(ip("192.0.2.1")));
    }
}
