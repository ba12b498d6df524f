//! Generated networks (stars on bridges, chains of routers with their routes), each
//! written twice: with the builder, and as text by `format!` here, independently of
//! the library's printer. Both must give the same topology.

use super::{ip, net};
use netns_test_topology::{
    parse, BridgeSpec, Destination, EndSpec, ExpectKind, Impairment, LinkSpec, NodeSpec, Topology,
    TopologyBuilder,
};
use proptest::prelude::*;
use std::time::Duration;

#[derive(Debug, Clone)]
enum Shape {
    /// `members` nodes on one bridge; with the bridge's address, every member has
    /// one written, else the language gives them automatic ones.
    Star { members: usize, bridge_addr: bool },
    /// `a`, `routers` routers and `b` end to end, every segment's addresses written
    /// (IPv6 or IPv4), routes both ways; the routers' interfaces named or not.
    Chain {
        routers: usize,
        v6: bool,
        named: bool,
        mtu: Option<u32>,
        delay_ms: Option<u64>,
    },
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (1usize..=8, any::<bool>()).prop_map(|(members, bridge_addr)| Shape::Star {
            members,
            bridge_addr
        }),
        (
            0usize..=4,
            any::<bool>(),
            any::<bool>(),
            prop::option::of(1280u32..=9000),
            prop::option::of(1u64..50)
        )
            .prop_map(|(routers, v6, named, mtu, delay_ms)| Shape::Chain {
                routers,
                v6,
                named,
                mtu,
                delay_ms
            }),
    ]
}

/// Both writings of one network: the builder's calls, and the text.
#[derive(Default)]
struct Written {
    builder: TopologyBuilder,
    text: String,
}

impl Written {
    fn line(&mut self, line: String) {
        self.text.push_str(&line);
        self.text.push('\n');
    }

    fn star(&mut self, s: usize, members: usize, bridge_addr: bool) {
        let bridge = format!("br{s}");
        let addr = |i: usize| format!("10.{}.0.{i}/24", 200 + s);
        if bridge_addr {
            self.builder
                .bridge(BridgeSpec::new(&bridge).addr(net(&addr(254))));
            self.line(format!("bridge {bridge} {}", addr(254)));
        } else {
            self.builder.bridge(&bridge);
            self.line(format!("bridge {bridge}"));
        }
        for i in 1..=members {
            let node = format!("s{s}n{i}");
            if bridge_addr {
                self.builder
                    .link(EndSpec::new(&node).addr(net(&addr(i))), &bridge);
                self.line(format!("{node} {} -- {bridge}", addr(i)));
            } else {
                self.builder.link(&node, &bridge);
                self.line(format!("{node} -- {bridge}"));
            }
        }
        if members >= 2 {
            let (first, last) = (format!("s{s}n1"), format!("s{s}n{members}"));
            self.builder.expect(&first, ExpectKind::Both, last.as_str());
            self.line(format!("expect {first} <-> {last}"));
        }
    }

    fn chain(&mut self, s: usize, shape: &Shape) {
        let Shape::Chain {
            routers,
            v6,
            named,
            mtu,
            delay_ms: delay,
        } = *shape
        else {
            unreachable!("a chain")
        };
        let nodes: Vec<String> = std::iter::once(format!("c{s}a"))
            .chain((1..=routers).map(|j| format!("c{s}r{j}")))
            .chain(std::iter::once(format!("c{s}b")))
            .collect();
        // Segment j joins nodes[j] (address 1) and nodes[j + 1] (address 2).
        let subnet = |j: usize| match v6 {
            true => format!("fd{:02x}:{j}::", s + 0x10),
            false => format!("10.{}.{j}.", s + 1),
        };
        let prefix = if v6 { 64 } else { 24 };
        let addr = |j: usize, end: u8| format!("{}{end}", subnet(j));
        let cidr = |j: usize, end: u8| format!("{}/{prefix}", addr(j, end));
        let network = |j: usize| format!("{}0/{prefix}", subnet(j));
        for r in &nodes[1..=routers] {
            self.builder.node(NodeSpec::new(r).forward());
            self.line(format!("node {r} forward"));
        }
        for j in 0..=routers {
            let (l, r) = (&nodes[j], &nodes[j + 1]);
            let name = |node: &str, side: &str| match named && node.contains('r') {
                true => format!("{node}:{side}"),
                false => node.to_string(),
            };
            let end = |node: &str, side: &str, at: u8| {
                let e = EndSpec::new(node).addr(net(&cidr(j, at)));
                match named && node.contains('r') {
                    true => e.ifname(side),
                    false => e,
                }
            };
            let mut link = LinkSpec::new(end(l, "right", 1), end(r, "left", 2));
            let mut text = format!(
                "{} {} -- {} {}",
                name(l, "right"),
                cidr(j, 1),
                name(r, "left"),
                cidr(j, 2)
            );
            if let Some(mtu) = mtu.filter(|_| j == routers) {
                link = link.mtu(mtu);
                text.push_str(&format!(" mtu {mtu}"));
            }
            if let Some(ms) = delay.filter(|_| j == 0) {
                let d = Duration::from_millis(ms);
                link = link.impair(Impairment::builder().delay(d).build().unwrap());
                text.push_str(&format!(" delay {ms}ms"));
            }
            self.builder.link_spec(link);
            self.line(text);
        }
        let last = routers + 1;
        if routers > 0 {
            let (a, b) = (&nodes[0], &nodes[last]);
            self.builder
                .route(a, Destination::Default, ip(&addr(0, 2)))
                .route(b, Destination::Default, ip(&addr(routers, 1)));
            self.line(format!("route {a} default via {}", addr(0, 2)));
            self.line(format!("route {b} default via {}", addr(routers, 1)));
        }
        // Router i (nodes[i]) reaches segments left of its own two through its left
        // neighbour, those right of them through its right one.
        for (i, router) in nodes.iter().enumerate().take(last).skip(1) {
            let far: Vec<(usize, String)> = (0..i - 1)
                .map(|j| (j, addr(i - 1, 1)))
                .chain((i + 1..=routers).map(|j| (j, addr(i, 2))))
                .collect();
            for (j, via) in far {
                self.builder.route(router, net(&network(j)), ip(&via));
                self.line(format!("route {router} {} via {via}", network(j)));
            }
        }
        let (a, b) = (&nodes[0], &nodes[last]);
        self.builder.expect(a, ExpectKind::Both, b.as_str());
        self.line(format!("expect {a} <-> {b}"));
    }
}

fn written(shapes: &[Shape]) -> Written {
    let mut w = Written::default();
    for (s, shape) in shapes.iter().enumerate() {
        match *shape {
            Shape::Star {
                members,
                bridge_addr,
            } => w.star(s, members, bridge_addr),
            Shape::Chain { .. } => w.chain(s, shape),
        }
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_generated_network_built_is_its_text_parsed(shapes in prop::collection::vec(shape(), 1..4)) {
        let w = written(&shapes);
        let built = w.builder.build().map_err(|e| TestCaseError::fail(format!("{}\n{e}", w.builder.text())))?;
        let parsed = parse(&w.text).map_err(|e| TestCaseError::fail(format!("{}\n{e}", w.text)))?;
        prop_assert_eq!(&built, &parsed, "{}", w.text);
        prop_assert_eq!(built.validate(), Ok(()));
    }
}

/// The generator's shapes are what they say: a chain's ends are routed through
/// every router, a star's members share the bridge's segment.
#[test]
fn the_shapes_are_what_they_say() {
    let w = written(&[
        Shape::Chain {
            routers: 3,
            v6: false,
            named: true,
            mtu: Some(1400),
            delay_ms: Some(5),
        },
        Shape::Star {
            members: 3,
            bridge_addr: false,
        },
    ]);
    let t: Topology = w.builder.build().unwrap();
    assert_eq!(t.links.len(), 4 + 3);
    assert_eq!(t.routes.len(), 2 + 3 * 2);
    assert!(t.routes.iter().any(|r| r.node == "c0r1"
        && r.dest == Destination::Net(net("10.1.3.0/24"))
        && r.via == ip("10.1.1.2")));
    assert_eq!(t.node("c0r2").map(|n| n.forward), Some(true));
    assert_eq!((t.links[0].mtu, t.links[3].mtu), (None, Some(1400)));
    assert!(!t.links[0].impair[0].is_none() && t.links[1].impair[0].is_none());
    let star = t.segments().into_iter().last().unwrap();
    assert_eq!(star.members.len(), 3);
    assert!(
        star.members.iter().all(|m| m.addrs.len() == 2),
        "automatic, both families"
    );
}
