//! Topologies built in code (`Topology::builder()`) run for real: generated stars on
//! bridges and chains of routers with their routes, a few of them in one network,
//! each network built in a sandbox and proven by the body's pings, its `expect`
//! statements and the segment checks. A failing case shrinks to the smallest network
//! that fails (proptest), with the builder's text in the message.

use netns_test::topology::{
    BridgeSpec, Destination, EndSpec, ExpectKind, IpNet, NodeSpec, Topology, TopologyBuilder,
};
use netns_test::{run, Net, Options};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::net::IpAddr;

#[derive(Debug, Clone)]
enum Shape {
    /// `members` nodes on a bridge: addresses written (the bridge's too) or left to
    /// the language.
    Star { members: usize, bridge_addr: bool },
    /// Two hosts with `routers` routers between them, IPv4 or IPv6, routes both ways.
    Chain { routers: usize, v6: bool },
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (2usize..=6, any::<bool>()).prop_map(|(members, bridge_addr)| Shape::Star {
            members,
            bridge_addr
        }),
        (0usize..=3, any::<bool>()).prop_map(|(routers, v6)| Shape::Chain { routers, v6 }),
    ]
}

fn net(s: String) -> IpNet {
    s.parse().unwrap()
}

fn ip(s: String) -> IpAddr {
    s.parse().unwrap()
}

/// Adds shape number `s` to `b`; the two nodes that must reach each other.
fn add(b: &mut TopologyBuilder, s: usize, shape: &Shape) -> (String, String) {
    match *shape {
        Shape::Star {
            members,
            bridge_addr,
        } => {
            let bridge = format!("br{s}");
            let addr = |i: usize| net(format!("10.{}.0.{i}/24", 200 + s));
            let mut spec = BridgeSpec::new(&bridge);
            if bridge_addr {
                spec = spec.addr(addr(254));
            }
            b.bridge(spec);
            for i in 1..=members {
                let mut end = EndSpec::new(format!("s{s}n{i}"));
                if bridge_addr {
                    end = end.addr(addr(i));
                }
                b.link(end, &bridge);
            }
            (format!("s{s}n1"), format!("s{s}n{members}"))
        }
        Shape::Chain { routers, v6 } => {
            let nodes: Vec<String> = std::iter::once(format!("c{s}a"))
                .chain((1..=routers).map(|j| format!("c{s}r{j}")))
                .chain(std::iter::once(format!("c{s}b")))
                .collect();
            // Segment j joins nodes[j] (host 1) and nodes[j + 1] (host 2).
            let subnet = |j: usize| match v6 {
                true => format!("fd{:02x}:{j}::", s + 0x10),
                false => format!("10.{}.{j}.", s + 1),
            };
            let len = if v6 { 64 } else { 24 };
            let addr = |j: usize, host: u8| format!("{}{host}", subnet(j));
            for router in &nodes[1..=routers] {
                b.node(NodeSpec::new(router).forward());
            }
            for j in 0..=routers {
                b.link(
                    EndSpec::new(&nodes[j]).addr(net(format!("{}/{len}", addr(j, 1)))),
                    EndSpec::new(&nodes[j + 1]).addr(net(format!("{}/{len}", addr(j, 2)))),
                );
            }
            let last = routers + 1;
            if routers > 0 {
                b.route(&nodes[0], Destination::Default, ip(addr(0, 2)));
                b.route(&nodes[last], Destination::Default, ip(addr(routers, 1)));
            }
            // Router i reaches the segments left of its own two through its left
            // neighbour, those right of them through its right one.
            let network = |j: usize| net(format!("{}0/{len}", subnet(j)));
            for (i, router) in nodes.iter().enumerate().take(last).skip(1) {
                for j in 0..i - 1 {
                    b.route(router, network(j), ip(addr(i - 1, 1)));
                }
                for j in i + 1..=routers {
                    b.route(router, network(j), ip(addr(i, 2)));
                }
            }
            (nodes[0].clone(), nodes[last].clone())
        }
    }
}

/// The network of `shapes`, each of its pairs expected to reach each other.
fn network(shapes: &[Shape]) -> (TopologyBuilder, Vec<(String, String)>) {
    let mut b = Topology::builder();
    let pairs: Vec<(String, String)> = shapes
        .iter()
        .enumerate()
        .map(|(s, shape)| add(&mut b, s, shape))
        .collect();
    for (from, to) in &pairs {
        b.expect(from, ExpectKind::Both, to.as_str());
    }
    (b, pairs)
}

proptest! {
    // Each case is a sandbox: a few, from a fixed seed (the same networks in every
    // run), and no regression files.
    #![proptest_config(ProptestConfig {
        cases: 10,
        rng_seed: RngSeed::Fixed(16),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_networks_built_in_code_work(shapes in prop::collection::vec(shape(), 1..=2)) {
        let (b, pairs) = network(&shapes);
        let topology = b.build().map_err(|e| TestCaseError::fail(format!("{}\n{e}", b.text())))?;
        let nodes = topology.nodes.len();
        let result = run(&topology, Options::new(), move |net: &Net| {
            assert_eq!(net.nodes().len(), nodes + 1, "host and every node");
            for (from, to) in &pairs {
                net.assert_reachable(from, to);
                net.assert_reachable(to, from);
            }
        });
        if let Err(e) = result {
            return Err(TestCaseError::fail(format!("{}\n{e}", b.text())));
        }
    }
}

/// The generator makes what the property needs: routers with routes both ways, and
/// stars with automatic addresses.
#[test]
fn the_generator_makes_routed_chains_and_automatic_stars() {
    let shapes = [
        Shape::Chain {
            routers: 2,
            v6: true,
        },
        Shape::Star {
            members: 3,
            bridge_addr: false,
        },
    ];
    let (b, pairs) = network(&shapes);
    let t = b.build().unwrap();
    assert_eq!(
        pairs,
        [("c0a".into(), "c0b".into()), ("s1n1".into(), "s1n3".into())]
    );
    let text = b.text();
    assert!(text.contains("node c0r1 forward\n"), "{text}");
    assert!(
        text.contains("route c0r1 fd10:2::/64 via fd10:1::2\n"),
        "{text}"
    );
    assert!(
        text.contains("route c0r2 fd10::/64 via fd10:1::1\n"),
        "{text}"
    );
    assert_eq!(t.routes.len(), 4);
    let star = t.node_addrs("s1n2");
    assert_eq!(star.len(), 2, "automatic IPv4 and IPv6: {star:?}");
}
