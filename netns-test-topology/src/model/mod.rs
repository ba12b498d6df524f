//! The model of a topology, fully resolved: default interface names, bridge port
//! names and automatic addresses are filled in by the parser, so the runtime never
//! guesses. Printing a model and parsing the text gives the same model back.
//!
//! This file holds the plain types; `cidr` the address type, `segments` the L2
//! segments and the order of the text, `queries` the lookups by name, `lookup` the
//! same for many names at once, `nat` what the NATs' statements resolve to (external
//! addresses, forwards' targets).

mod cidr;
mod lookup;
mod nat;
mod queries;
mod segments;

pub use crate::impair::{Distribution, Impairment, Percent};
pub use crate::nat::{Behaviour, Forward, ForwardTarget, Nat, NatKind, Proto};
pub use cidr::parse_cidr;
pub use ipnet::IpNet;
pub(crate) use lookup::Lookup;
pub(crate) use nat::{forward_addr, inside_nets};
pub(crate) use segments::Stmt;
pub use segments::{Member, Segment, SegmentKind};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The reserved name of the sandbox's own network namespace.
pub const HOST: &str = "host";

/// A whole test network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topology {
    /// Every node but `host`, in order of first appearance (declared or used).
    pub nodes: Vec<Node>,
    /// Bridges in order of declaration.
    pub bridges: Vec<Bridge>,
    /// Veth pairs in order of appearance.
    pub links: Vec<Link>,
    /// Static routes, in order of the text.
    pub routes: Vec<Route>,
    /// The reachability checked after the body, in order of the text.
    pub expects: Vec<Expect>,
    /// NATs on routers' outside interfaces, in order of the text (one per router).
    pub nats: Vec<Nat>,
    /// Static port forwards of those NATs, in order of the text.
    pub forwards: Vec<Forward>,
}

/// A network namespace of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `[a-z][a-z0-9_-]*`, at most 15 bytes; never `host`.
    pub name: String,
    /// IPv4 and IPv6 forwarding on (a router).
    pub forward: bool,
    /// `net.*` sysctls written inside the node, in order (`("net.ipv4.ip_forward", "1")`).
    pub sysctls: Vec<(String, String)>,
}

/// A Linux bridge living in `node` (`host` by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    /// The bridge's name, which is also its interface's name in `node`.
    pub name: String,
    /// The node whose namespace holds the bridge (`bridge br0 @r`; `host` by default).
    pub node: String,
    /// The bridge interface's own addresses.
    pub addrs: Vec<IpNet>,
    /// `mtu N`; `None` leaves the kernel's default.
    pub mtu: Option<u32>,
    /// How many links were written before this bridge's statement. The order of
    /// bridges among links numbers the segments (and so the automatic addresses),
    /// and the model must keep it to print the same topology back.
    pub links_before: usize,
}

/// A veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The end written on the left of `--`.
    pub a: End,
    /// The end written on the right of `--`.
    pub b: End,
    /// `mtu N`, on both ends; `None` leaves the kernel's default.
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
    Bridge {
        /// The bridge's name.
        bridge: String,
        /// The port's generated interface name (`br0-p0`, `br0-p1`, ...).
        port: String,
    },
}

/// A veth end inside a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEnd {
    /// The node (or `host`).
    pub node: String,
    /// The interface's name in the node (`eth0`, `eth1`, ... unless written).
    pub ifname: String,
    /// Its addresses, written or automatic.
    pub addrs: Vec<IpNet>,
}

/// `route NODE (default | CIDR) via IP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The node whose routing table gets the route.
    pub node: String,
    /// `default`, or a network.
    pub dest: Destination,
    /// The gateway, on one of the node's connected subnets.
    pub via: IpAddr,
}

/// Where a route leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// `0.0.0.0/0` or `::/0`, by the gateway's family.
    Default,
    /// A network written as a CIDR (`10.0.2.0/24`).
    Net(IpNet),
}

/// `expect NODE (-> | <-> | -x-) TARGET`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The node that pings.
    pub from: String,
    /// Reachable one way, both ways, or isolated.
    pub kind: ExpectKind,
    /// What it pings.
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
    /// A node by name: the address [`Topology::target_addr`] chooses.
    Node(String),
    /// A literal address.
    Ip(IpAddr),
}

impl End {
    /// The node end, unless this end is a bridge port.
    pub fn as_node(&self) -> Option<&NodeEnd> {
        match self {
            End::Node(n) => Some(n),
            End::Bridge { .. } => None,
        }
    }

    /// Its node's name, or its bridge's: what a direction `X->Y:` calls it.
    pub fn name(&self) -> &str {
        match self {
            End::Node(n) => &n.node,
            End::Bridge { bridge, .. } => bridge,
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
    pub fn net(&self, via: IpAddr) -> IpNet {
        match *self {
            Destination::Net(c) => c,
            Destination::Default => match via {
                IpAddr::V4(_) => IpNet::V4(ipnet::Ipv4Net::new_assert(Ipv4Addr::UNSPECIFIED, 0)),
                IpAddr::V6(_) => IpNet::V6(ipnet::Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 0)),
            },
        }
    }
}

/// A network: `Destination::Net`.
impl From<IpNet> for Destination {
    fn from(net: IpNet) -> Destination {
        Destination::Net(net)
    }
}

/// A node by name.
impl From<&str> for Target {
    fn from(node: &str) -> Target {
        Target::Node(node.to_string())
    }
}

/// A node by name.
impl From<String> for Target {
    fn from(node: String) -> Target {
        Target::Node(node)
    }
}

/// A literal address.
impl From<IpAddr> for Target {
    fn from(ip: IpAddr) -> Target {
        Target::Ip(ip)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn cidr(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn destinations_take_the_gateways_family() {
        assert_eq!(Destination::Default.net(ip("10.0.0.1")), cidr("0.0.0.0/0"));
        assert_eq!(Destination::Default.net(ip("fd00::1")), cidr("::/0"));
        let net = Destination::Net(cidr("10.9.0.0/16"));
        assert_eq!(net.net(ip("10.0.0.1")), cidr("10.9.0.0/16"));
    }
}
