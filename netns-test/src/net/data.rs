//! The plain data of a built network that the body handles: a node's links, a MAC
//! given as bytes or by node, a NAT's mappings, a name not found. The same on every OS (the public API names them).

use crate::topology::{IpNet, Proto};
use std::fmt;
use std::net::SocketAddrV4;
use std::time::Duration;

/// A link of a node as built: name, index, MAC and addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iface {
    /// The interface's name in the node (`eth0`).
    pub name: String,
    /// Its index in the node's namespace.
    pub index: u32,
    /// Its MAC address.
    pub mac: [u8; 6],
    /// Its addresses, as the topology gives them.
    pub addrs: Vec<IpNet>,
}

impl Iface {
    /// `02:00:00:00:00:01`
    pub fn mac_string(&self) -> String {
        crate::probe::mac(&self.mac)
    }
}

/// A MAC address, or the node whose link on the shared segment has it.
#[derive(Debug, Clone)]
pub enum MacOrNode<'a> {
    /// This MAC address.
    Mac([u8; 6]),
    /// The MAC of this node's link that carries the address asked about
    /// ([`Net::assert_neighbour`](crate::Net::assert_neighbour)'s `ip`).
    Node(&'a str),
}

impl From<[u8; 6]> for MacOrNode<'_> {
    fn from(m: [u8; 6]) -> Self {
        MacOrNode::Mac(m)
    }
}

impl<'a> From<&'a str> for MacOrNode<'a> {
    fn from(n: &'a str) -> Self {
        MacOrNode::Node(n)
    }
}

/// One mapping a NAT holds: its external endpoint, the internal endpoint behind it,
/// and how long it lives without outbound traffic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NatMapping {
    /// UDP or TCP.
    pub proto: Proto,
    /// The NAT's endpoint, as the outside sees it.
    pub external: SocketAddrV4,
    /// The inside host's endpoint behind it.
    pub internal: SocketAddrV4,
    /// The time left before the mapping expires, unless outbound traffic refreshes it.
    pub expires_in: Option<Duration>,
}

/// `udp 203.0.113.1:40000 -> 192.168.1.2:40000, expires in 119.8s`
impl fmt::Display for NatMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} -> {}", self.proto, self.external, self.internal)?;
        if let Some(d) = self.expires_in {
            write!(f, ", expires in {:.1}s", d.as_secs_f64())?;
        }
        Ok(())
    }
}

/// A name that is not in the built network, with the names that are: what the `try_`
/// lookups return. Its `Display` is the message the panicking lookups give.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// No node of this name ([`Net::try_node`](crate::Net::try_node)).
    NoNode {
        /// The name asked for.
        name: String,
        /// Every node, `host` first.
        nodes: Vec<String>,
    },
    /// No veth pair between these two nodes or bridges ([`Net::try_link`](crate::Net::try_link)).
    NoLink {
        /// One end asked for.
        a: String,
        /// The other end asked for.
        b: String,
        /// Every veth pair of the topology, as its statement prints.
        links: Vec<String>,
    },
    /// The node has no link of this name ([`Node::try_iface`](crate::Node::try_iface)).
    NoIface {
        /// The node.
        node: String,
        /// The interface name asked for.
        name: String,
        /// The node's interfaces (not `lo`).
        ifaces: Vec<String>,
    },
    /// No `nat` statement on this router ([`Net::try_nat`](crate::Net::try_nat)).
    NoNat {
        /// The router asked for.
        router: String,
        /// The routers that have a NAT.
        routers: Vec<String>,
    },
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NoNode { name, nodes } => write!(
                f,
                "no node {name:?} in this topology; nodes: {}",
                nodes.join(", ")
            ),
            LookupError::NoLink { a, b, links } => write!(
                f,
                "no link between {a} and {b}; links:\n  {}",
                links.join("\n  ")
            ),
            LookupError::NoIface { node, name, ifaces } => write!(
                f,
                "node {node} has no link {name:?}; links: {}",
                ifaces.join(", ")
            ),
            LookupError::NoNat { router, routers } if routers.is_empty() => write!(
                f,
                "no NAT on {router:?}; this topology has no nat statement"
            ),
            LookupError::NoNat { router, routers } => write!(
                f,
                "no NAT on {router:?}; NAT routers: {}",
                routers.join(", ")
            ),
        }
    }
}

impl std::error::Error for LookupError {}
