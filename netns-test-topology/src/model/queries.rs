//! Questions asked of a whole topology about one name: is it a node, which
//! interfaces and addresses does it own, which address does it answer pings on.

use super::{Bridge, End, IpNet, Node, Stmt, Target, Topology, HOST};
use std::collections::HashMap;
use std::net::IpAddr;

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

    /// The bridge called `name`, if there is one.
    pub fn bridge(&self, name: &str) -> Option<&Bridge> {
        self.bridges.iter().find(|b| b.name == name)
    }

    /// Every address of a node: on its veth ends and on the bridges in it, in the
    /// order of the text.
    pub fn node_addrs(&self, node: &str) -> Vec<IpNet> {
        self.ifaces(node)
            .into_iter()
            .flat_map(|(_, addrs)| addrs)
            .collect()
    }

    /// Every interface a node owns but `lo`: its veth ends, the bridges in it and
    /// their ports, with their addresses, in the order of the text.
    pub fn ifaces(&self, node: &str) -> Vec<(String, Vec<IpNet>)> {
        let mut out = Vec::new();
        self.each_iface(|owner, name, addrs| {
            if owner == node {
                out.push((name.to_string(), addrs.to_vec()));
            }
        });
        out
    }

    /// Calls `f(node, ifname, addrs)` for every interface of every node but `lo`, in
    /// the order of the text: one walk, however many nodes ask.
    pub(crate) fn each_iface<'t>(&'t self, mut f: impl FnMut(&'t str, &'t str, &'t [IpNet])) {
        let node_of: HashMap<&str, &str> = self
            .bridges
            .iter()
            .map(|b| (b.name.as_str(), b.node.as_str()))
            .collect();
        for stmt in self.statements() {
            match stmt {
                Stmt::Bridge(b) => {
                    let bridge = &self.bridges[b];
                    f(&bridge.node, &bridge.name, &bridge.addrs);
                }
                Stmt::Link(l) => {
                    for end in self.links[l].ends() {
                        match end {
                            End::Node(n) => f(&n.node, &n.ifname, &n.addrs),
                            End::Bridge { bridge, port } => {
                                if let Some(node) = node_of.get(bridge.as_str()) {
                                    f(node, port, &[]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The address `from` pings for `target`: a literal address is itself; a node
    /// answers with its first address on the first segment it shares with `from`,
    /// else with its first address at all. `None` if the node has no address.
    pub fn target_addr(&self, from: &str, target: &Target) -> Option<IpAddr> {
        super::Lookup::new(self).target_addr(from, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn cidr(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
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
