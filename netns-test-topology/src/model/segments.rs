//! The L2 segments of a topology (each veth pair between nodes, each bridge with
//! its ports), and the order its bridges and links were written in.

use super::{End, IpNet, Side, Topology};
use std::collections::HashMap;

/// One L2 segment: a veth pair, or a bridge with everything enslaved to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The veth pair or bridge that makes the segment.
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
    /// The node the interface is in (or `host`).
    pub node: String,
    /// The interface's name in that node.
    pub ifname: String,
    /// Its addresses.
    pub addrs: Vec<IpNet>,
}

/// One statement that makes things, in the order of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stmt {
    Bridge(usize),
    Link(usize),
}

/// A segment before its members are copied out: where its node ends are, so
/// automatic addressing can write into them.
#[derive(Debug)]
pub(crate) struct Layout {
    pub kind: SegmentKind,
    pub ends: Vec<(usize, Side)>,
}

impl Topology {
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
}
