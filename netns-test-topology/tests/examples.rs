//! The examples of the language reference, parsed into the exact models they mean.

use netns_test_topology::{
    parse, Bridge, Destination, End, Expect, ExpectKind, IpNet, Link, Node, NodeEnd, Route, Target,
    Topology, HOST,
};
use std::net::IpAddr;

fn ok(src: &str) -> Topology {
    parse(src).unwrap_or_else(|e| panic!("{src}\n{e}"))
}

fn cidrs(addrs: &[&str]) -> Vec<IpNet> {
    addrs.iter().map(|a| a.parse().unwrap()).collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn node(name: &str) -> Node {
    Node {
        name: name.into(),
        forward: false,
        sysctls: vec![],
    }
}

fn end(node: &str, ifname: &str, addrs: &[&str]) -> End {
    End::Node(NodeEnd {
        node: node.into(),
        ifname: ifname.into(),
        addrs: cidrs(addrs),
    })
}

fn port(bridge: &str, port: &str) -> End {
    End::Bridge {
        bridge: bridge.into(),
        port: port.into(),
    }
}

fn link(a: End, b: End) -> Link {
    Link {
        a,
        b,
        mtu: None,
        impair: Default::default(),
    }
}

fn route(node: &str, dest: Destination, via: &str) -> Route {
    Route {
        node: node.into(),
        dest,
        via: ip(via),
    }
}

fn expect(from: &str, kind: ExpectKind, target: &str) -> Expect {
    Expect {
        from: from.into(),
        kind,
        target: Target::Node(target.into()),
    }
}

/// Checks the model, and that it prints back to a text that gives it again.
fn check(src: &str, expected: Topology) {
    let t = ok(src);
    assert_eq!(t, expected);
    assert_eq!(parse(&t.to_string()), Ok(t));
}

#[test]
fn two_namespaces_joined_by_one_veth_pair() {
    check(
        "# two namespaces joined by one veth pair
         a:veth-a 192.168.1.1/24 -- b:veth-b 192.168.1.2/24",
        Topology {
            nodes: vec![node("a"), node("b")],
            links: vec![link(
                end("a", "veth-a", &["192.168.1.1/24"]),
                end("b", "veth-b", &["192.168.1.2/24"]),
            )],
            ..Topology::default()
        },
    );
}

#[test]
fn host_as_a_link_end() {
    check(
        "host:veth-a 192.168.1.1/24 -- test1:veth-b 192.168.1.2/24",
        Topology {
            nodes: vec![node("test1")],
            links: vec![link(
                end(HOST, "veth-a", &["192.168.1.1/24"]),
                end("test1", "veth-b", &["192.168.1.2/24"]),
            )],
            ..Topology::default()
        },
    );
}

#[test]
fn three_namespaces_on_a_bridge_in_the_host() {
    check(
        "# three namespaces on a bridge in the host, with a gateway address on the bridge
         bridge br0 172.16.1.254/16
         ns1 172.16.1.1/16 -- br0
         ns2 172.16.1.2/16 -- br0
         ns3 172.16.1.3/16 -- br0
         route ns1 default via 172.16.1.254
         expect ns1 <-> ns2",
        Topology {
            nodes: vec![node("ns1"), node("ns2"), node("ns3")],
            bridges: vec![Bridge {
                name: "br0".into(),
                node: HOST.into(),
                addrs: cidrs(&["172.16.1.254/16"]),
                mtu: None,
                links_before: 0,
            }],
            links: vec![
                link(
                    end("ns1", "eth0", &["172.16.1.1/16"]),
                    port("br0", "br0-p0"),
                ),
                link(
                    end("ns2", "eth0", &["172.16.1.2/16"]),
                    port("br0", "br0-p1"),
                ),
                link(
                    end("ns3", "eth0", &["172.16.1.3/16"]),
                    port("br0", "br0-p2"),
                ),
            ],
            routes: vec![route("ns1", Destination::Default, "172.16.1.254")],
            expects: vec![expect("ns1", ExpectKind::Both, "ns2")],
            ..Topology::default()
        },
    );
}

#[test]
fn a_router_between_two_subnets_and_an_island() {
    check(
        "# a router between two subnets, and an island that must stay unreachable
         node r forward
         a 10.0.1.2/24 -- r:left 10.0.1.1/24
         r:right 10.0.2.1/24 -- b 10.0.2.2/24
         route a default via 10.0.1.1
         route b default via 10.0.2.1
         c -- d
         expect a <-> b
         expect a -x- c",
        Topology {
            nodes: vec![
                Node {
                    forward: true,
                    ..node("r")
                },
                node("a"),
                node("b"),
                node("c"),
                node("d"),
            ],
            bridges: vec![],
            links: vec![
                link(
                    end("a", "eth0", &["10.0.1.2/24"]),
                    end("r", "left", &["10.0.1.1/24"]),
                ),
                link(
                    end("r", "right", &["10.0.2.1/24"]),
                    end("b", "eth0", &["10.0.2.2/24"]),
                ),
                // The third segment.
                link(
                    end("c", "eth0", &["10.0.3.1/24", "fd00:3::1/64"]),
                    end("d", "eth0", &["10.0.3.2/24", "fd00:3::2/64"]),
                ),
            ],
            routes: vec![
                route("a", Destination::Default, "10.0.1.1"),
                route("b", Destination::Default, "10.0.2.1"),
            ],
            expects: vec![
                expect("a", ExpectKind::Both, "b"),
                expect("a", ExpectKind::Isolated, "c"),
            ],
            ..Topology::default()
        },
    );
}

#[test]
fn automatic_addresses() {
    check(
        "# automatic addresses
         a -- b",
        Topology {
            nodes: vec![node("a"), node("b")],
            links: vec![link(
                end("a", "eth0", &["10.0.1.1/24", "fd00:1::1/64"]),
                end("b", "eth0", &["10.0.1.2/24", "fd00:1::2/64"]),
            )],
            ..Topology::default()
        },
    );
}

#[test]
fn the_readme_tour() {
    check(
        "node r forward                            # a node (its own namespace), here a router
         a 10.0.1.2/24 -- r:left 10.0.1.1/24       # a veth pair: NODE[:IFNAME] [ADDR]... on each side
         r:right 10.0.2.1/24 -- b 10.0.2.2/24
         bridge br0 172.16.1.254/16                # a Linux bridge (in `host`, the sandbox's own namespace)
         c 172.16.1.1/16 -- br0                    # c's eth0 is a port of br0
         route a default via 10.0.1.1              # static routes
         route b default via 10.0.2.1
         expect a <-> b                            # checked after the body: reachability ...
         expect a -x- c                            # ... and isolation
         x -- y                                    # no addresses: 10.0.S.N/24 and fd00:S::N/64 are assigned",
        Topology {
            nodes: vec![
                Node {
                    forward: true,
                    ..node("r")
                },
                node("a"),
                node("b"),
                node("c"),
                node("x"),
                node("y"),
            ],
            bridges: vec![Bridge {
                name: "br0".into(),
                node: HOST.into(),
                addrs: cidrs(&["172.16.1.254/16"]),
                mtu: None,
                links_before: 2,
            }],
            links: vec![
                link(
                    end("a", "eth0", &["10.0.1.2/24"]),
                    end("r", "left", &["10.0.1.1/24"]),
                ),
                link(
                    end("r", "right", &["10.0.2.1/24"]),
                    end("b", "eth0", &["10.0.2.2/24"]),
                ),
                link(end("c", "eth0", &["172.16.1.1/16"]), port("br0", "br0-p0")),
                // Segments: two veths, br0, then this one.
                link(
                    end("x", "eth0", &["10.0.4.1/24", "fd00:4::1/64"]),
                    end("y", "eth0", &["10.0.4.2/24", "fd00:4::2/64"]),
                ),
            ],
            routes: vec![
                route("a", Destination::Default, "10.0.1.1"),
                route("b", Destination::Default, "10.0.2.1"),
            ],
            expects: vec![
                expect("a", ExpectKind::Both, "b"),
                expect("a", ExpectKind::Isolated, "c"),
            ],
            ..Topology::default()
        },
    );
}

#[test]
fn the_spec_error_examples() {
    let err = |src: &str| parse(src).unwrap_err().to_string();
    assert_eq!(
        err("bridge br0\nbr0:eth0 -- a"),
        "topology:2:5: bridge br0 used as a node: a bridge end takes no interface name, its \
         port is named for it (write just br0)"
    );
    assert_eq!(
        err("bridge br0\nbr0 10.0.0.1/24 -- a"),
        "topology:2:5: bridge br0 used as a node: a bridge end takes no addresses (give them \
         to the bridge statement, or to the other end)"
    );
    assert_eq!(
        err("node host"),
        "topology:1:6: \"host\" cannot be declared with node: it is the sandbox's own \
         namespace, which always exists"
    );
}

/// Every ```topo block of the user reference parses and prints back; every
/// ```topo-error block fails with the message in its last line, a comment
/// `# error: MESSAGE` (a comment, so the lines above keep their numbers).
#[test]
fn the_reference_examples() {
    let doc = include_str!("../../docs/topology.md");
    let mut blocks = 0;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let kind = line.trim();
        if kind != "```topo" && kind != "```topo-error" {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let src = body.join("\n");
        blocks += 1;
        if kind == "```topo" {
            let t = ok(&src);
            assert_eq!(parse(&t.to_string()), Ok(t), "{src}");
            continue;
        }
        let expected = body
            .last()
            .and_then(|l| l.trim().strip_prefix("# error: "))
            .unwrap_or_else(|| panic!("no `# error: ` line at the end of\n{src}"));
        match parse(&src) {
            Ok(t) => panic!("{src}\nparsed:\n{t}"),
            Err(e) => assert_eq!(e.to_string(), expected, "{src}"),
        }
    }
    assert!(blocks >= 10, "only {blocks} examples found");
}
