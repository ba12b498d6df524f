//! Looking up a node, a link, an interface or a NAT by name. The `try_` forms return
//! what is missing as a [`LookupError`], for code that handles it (a helper shared by
//! tests of several topologies, a tool over a topology file); the plain forms
//! (`net.node("a")`) panic with the same message at the caller's line, for tests.

use super::faults::LinkControl;
use super::nat::NatControl;
use super::{Iface, LookupError, Net, Node};

impl Net {
    /// The node called `name`, or which nodes there are ([`Net::node`] panics instead).
    pub fn try_node(&self, name: &str) -> Result<&Node, LookupError> {
        self.nodes
            .iter()
            .find(|n| n.name() == name)
            .ok_or_else(|| LookupError::NoNode {
                name: name.to_string(),
                nodes: self.nodes.iter().map(|n| n.name().to_string()).collect(),
            })
    }

    /// The veth pair between `a` and `b` (node or bridge names; the first such pair in
    /// the topology), or which pairs there are ([`Net::link`] panics instead).
    pub fn try_link(&self, a: &str, b: &str) -> Result<LinkControl<'_>, LookupError> {
        let found = self.topology.links.iter().enumerate().find_map(|(i, l)| {
            let (x, y) = (l.a.name(), l.b.name());
            if x == a && y == b {
                Some((i, false))
            } else if x == b && y == a {
                Some((i, true))
            } else {
                None
            }
        });
        found
            .map(|(link, swapped)| LinkControl::new(self, link, swapped))
            .ok_or_else(|| LookupError::NoLink {
                a: a.to_string(),
                b: b.to_string(),
                links: self.topology.links.iter().map(|l| l.to_string()).collect(),
            })
    }

    /// The NAT on router `router`, or which routers have one ([`Net::nat`] panics
    /// instead).
    pub fn try_nat(&self, router: &str) -> Result<NatControl<'_>, LookupError> {
        self.nats
            .iter()
            .find(|n| n.router == router)
            .map(|entry| NatControl::new(self, entry))
            .ok_or_else(|| LookupError::NoNat {
                router: router.to_string(),
                routers: self.nats.iter().map(|n| n.router.clone()).collect(),
            })
    }
}

impl Node {
    /// The link called `name`, or which links the node has ([`Node::iface`] panics
    /// instead).
    pub fn try_iface(&self, name: &str) -> Result<&Iface, LookupError> {
        self.ifaces()
            .iter()
            .find(|i| i.name == name)
            .ok_or_else(|| LookupError::NoIface {
                node: self.name().to_string(),
                name: name.to_string(),
                ifaces: self.ifaces().iter().map(|i| i.name.clone()).collect(),
            })
    }
}
