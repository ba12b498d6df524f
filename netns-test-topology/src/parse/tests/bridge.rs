//! `bridge` statements, and the MTU they share with links.

use super::{cidr, err, ok};
use crate::model::{Bridge, HOST};

#[test]
fn bridge_statement() {
    let t = ok("bridge br0");
    assert_eq!(
        t.bridges,
        [Bridge {
            name: "br0".into(),
            node: HOST.into(),
            addrs: vec![],
            mtu: None,
            links_before: 0,
        }]
    );
    assert!(t.nodes.is_empty());
    let t = ok("a -- b\nbridge br1 @r 10.0.0.1/24 fd00::1/64 mtu 9000");
    assert_eq!(
        t.bridges,
        [Bridge {
            name: "br1".into(),
            node: "r".into(),
            addrs: vec![cidr("10.0.0.1/24"), cidr("fd00::1/64")],
            mtu: Some(9000),
            links_before: 1,
        }]
    );
    assert_eq!(t.node_names(), ["host", "a", "b", "r"]);
    assert_eq!(ok("bridge br0 @host").bridges[0].node, HOST);
    assert_eq!(ok("bridge br0 mtu 68").bridges[0].mtu, Some(68));
    assert_eq!(ok("bridge br0 mtu 65535").bridges[0].mtu, Some(65535));
}

#[test]
fn bridge_errors() {
    assert_eq!(
        err("bridge"),
        "topology:1:7: expected a bridge name, found end of statement"
    );
    assert_eq!(
        err("bridge host"),
        "topology:1:8: \"host\" cannot be a bridge name: it is the sandbox's own namespace"
    );
    assert_eq!(
        err("bridge lo"),
        "topology:1:8: \"lo\" cannot be a bridge name: every node has its loopback \
         interface lo"
    );
    assert_eq!(
        err("bridge br0; bridge br0"),
        "topology:1:20: bridge br0 declared twice"
    );
    assert_eq!(
        err("a -- br0\nbridge br0"),
        "topology:2:8: \"br0\" declared both as node and bridge (a bridge must be \
         declared before the links that use it)"
    );
    assert_eq!(
        err("node x\nbridge x"),
        "topology:2:8: \"x\" declared both as node and bridge"
    );
    assert_eq!(
        err("bridge br0 @br0"),
        "topology:1:13: \"br0\" declared both as node and bridge"
    );
    assert_eq!(
        err("bridge br0; bridge br1 @br0"),
        "topology:1:25: \"br0\" declared both as node and bridge"
    );
    assert_eq!(
        err("bridge br0 @"),
        "topology:1:12: expected a node name after \"@\""
    );
    assert_eq!(
        err("bridge br0 @R"),
        "topology:1:13: invalid name \"R\": a name is a lowercase letter followed by \
         lowercase letters, digits, \"_\" or \"-\""
    );
    assert_eq!(
        err("bridge br0 10.0.0.1 "),
        "topology:1:12: expected an address like 10.0.0.1/24, found \"10.0.0.1\""
    );
    assert_eq!(
        err("bridge br0 @r @s"),
        "topology:1:15: expected an address like 10.0.0.1/24, found \"@s\""
    );
    assert_eq!(
        err("bridge br0 mtu 1500 10.0.0.1/24"),
        "topology:1:21: expected end of statement, found \"10.0.0.1/24\""
    );
}

#[test]
fn mtu_errors() {
    for bad in ["67", "65536", "x", "+1500", "1500.0", "99999999999"] {
        assert_eq!(
            err(&format!("bridge br0 mtu {bad}")),
            format!("topology:1:16: expected an MTU between 68 and 65535, found {bad:?}")
        );
    }
    assert_eq!(
        err("a -- b mtu"),
        "topology:1:11: expected an MTU between 68 and 65535, found end of statement"
    );
}
