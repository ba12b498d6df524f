//! Links: their ends, interface names and addresses.

use super::{cidr, err, node_end, ok};
use crate::model::{End, Link, NodeEnd, Side, HOST};

#[test]
fn link_statement() {
    let t = ok("a:veth-a 192.168.1.1/24 fd00::1/64 -- b mtu 1400");
    assert_eq!(
        t.links,
        [Link {
            a: End::Node(NodeEnd {
                node: "a".into(),
                ifname: "veth-a".into(),
                addrs: vec![cidr("192.168.1.1/24"), cidr("fd00::1/64")],
            }),
            b: End::Node(NodeEnd {
                node: "b".into(),
                ifname: "eth0".into(),
                addrs: vec![],
            }),
            mtu: Some(1400),
            impair: Default::default(),
        }]
    );
    let t = ok("bridge br0\nhost:veth0 10.0.0.1/24 -- br0");
    assert!(t.nodes.is_empty());
    assert_eq!(node_end(&t, 0, Side::A).node, HOST);
    assert_eq!(
        t.links[0].b,
        End::Bridge {
            bridge: "br0".into(),
            port: "br0-p0".into(),
        }
    );
    // Any bytes the kernel takes, but the separators of the language.
    let t = ok("a:Eth.0-é@x=y -- b");
    assert_eq!(node_end(&t, 0, Side::A).ifname, "Eth.0-é@x=y");
}

#[test]
fn link_errors() {
    assert_eq!(
        err("a"),
        "topology:1:1: unknown statement \"a\": expected node, bridge, route, expect, nat, \
         forward or a link \"END -- END\""
    );
    assert_eq!(
        err("rout a default via 10.0.0.1"),
        "topology:1:1: unknown statement \"rout\": expected node, bridge, route, expect, \
         nat, forward or a link \"END -- END\""
    );
    assert_eq!(
        err("a --"),
        "topology:1:5: expected a node or bridge name, found end of statement"
    );
    assert_eq!(
        err("-- b"),
        "topology:1:1: expected a node or bridge name, found \"--\""
    );
    assert_eq!(
        err("a -- b -- c"),
        "topology:1:8: expected \"mtu\", delay, jitter, loss, duplicate, reorder, corrupt, rate, a \
         direction like a->b: or end of statement, found \"--\""
    );
    assert_eq!(
        err("a mtu 1500 -- b"),
        "topology:1:3: expected \"--\", found \"mtu\""
    );
    assert_eq!(
        err("a -- b mtu 1500 mtu 1500"),
        "topology:1:17: \"mtu\" given twice"
    );
    assert_eq!(
        err("10.0.0.1/24 -- b"),
        "topology:1:1: expected a node or bridge name before the addresses, found \
         \"10.0.0.1/24\""
    );
    assert_eq!(
        err("a -- fd00::1"),
        "topology:1:6: expected a node or bridge name before the addresses, found \
         \"fd00::1\""
    );
    assert_eq!(
        err(":eth0 -- b"),
        "topology:1:1: expected a node name before \":\", found \":eth0\""
    );
    assert_eq!(
        err("a x -- b"),
        "topology:1:3: expected an address like 10.0.0.1/24, found \"x\""
    );
}

#[test]
fn self_links() {
    assert_eq!(err("a -- a"), "topology:1:6: link from node a to itself");
    assert_eq!(
        err("a:x -- a:y"),
        "topology:1:8: link from node a to itself"
    );
    assert_eq!(
        err("host -- host"),
        "topology:1:9: link from node host to itself"
    );
    assert_eq!(
        err("bridge br0\nbr0 -- br0"),
        "topology:2:8: link from bridge br0 to itself"
    );
    // A node may reach a bridge that lives in it.
    ok("bridge br0 @a\na -- br0");
}

#[test]
fn bridge_used_as_node() {
    assert_eq!(
        err("bridge br0\nbr0:eth0 -- a"),
        "topology:2:5: bridge br0 used as a node: a bridge end takes no interface name, \
         its port is named for it (write just br0)"
    );
    assert_eq!(
        err("bridge br0\na -- br0 10.0.0.1/24"),
        "topology:2:10: bridge br0 used as a node: a bridge end takes no addresses (give \
         them to the bridge statement, or to the other end)"
    );
    assert_eq!(
        err("bridge br0\nroute br0 default via 10.0.0.1"),
        "topology:2:7: unknown node \"br0\" in route (br0 is a bridge); known nodes: host"
    );
}

#[test]
fn addresses() {
    let t = ok("a 10.0.0.1/0 10.0.0.2/32 fd00::1/128 ::ffff:1.2.3.4/96 -- b");
    assert_eq!(
        node_end(&t, 0, Side::A).addrs,
        [
            cidr("10.0.0.1/0"),
            cidr("10.0.0.2/32"),
            cidr("fd00::1/128"),
            cidr("::ffff:1.2.3.4/96"),
        ]
    );
    // Host bits may be set (it is an interface address), and so may none.
    ok("a 10.0.0.0/24 -- b 10.0.0.255/24");
    for bad in [
        "10.0.0.300/24",
        "10.0.0.1/33",
        "fd00::1/129",
        "10.0.0.1/+24",
        "10.0.0.1/",
        "fd00::1%eth0/64",
        "10.0.0/24",
    ] {
        let word = bad.split(' ').next().unwrap();
        assert_eq!(
            err(&format!("a -- b {bad}")),
            format!("topology:1:8: expected an address like 10.0.0.1/24, found {word:?}")
        );
    }
    assert_eq!(
        err("a 0.0.0.0/8 -- b"),
        "topology:1:3: 0.0.0.0 cannot be an interface address: it is the unspecified address"
    );
    assert_eq!(
        err("a ::/64 -- b"),
        "topology:1:3: :: cannot be an interface address: it is the unspecified address"
    );
    assert_eq!(
        err("a 224.0.0.1/4 -- b"),
        "topology:1:3: 224.0.0.1 cannot be an interface address: it is a multicast address"
    );
    assert_eq!(
        err("a -- b ff02::1/64"),
        "topology:1:8: ff02::1 cannot be an interface address: it is a multicast address"
    );
    assert_eq!(
        err("bridge br0 255.255.255.255/32"),
        "topology:1:12: 255.255.255.255 cannot be an interface address: it is the \
         broadcast address"
    );
}
