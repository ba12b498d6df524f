//! `node` statements and their `sysctl` options.

use super::{err, ok};
use crate::model::Node;

#[test]
fn node_statement() {
    let t = ok("node a");
    assert_eq!(
        t.nodes,
        [Node {
            name: "a".into(),
            forward: false,
            sysctls: vec![],
        }]
    );
    let t = ok("node r forward sysctl net.ipv4.conf.all.rp_filter=0 sysctl net.core.x=a=b");
    assert_eq!(
        t.nodes,
        [Node {
            name: "r".into(),
            forward: true,
            sysctls: vec![
                ("net.ipv4.conf.all.rp_filter".into(), "0".into()),
                ("net.core.x".into(), "a=b".into()),
            ],
        }]
    );
    // Options in any order.
    assert!(ok("node r sysctl net.a=1 forward").nodes[0].forward);
}

#[test]
fn node_statement_after_use_keeps_first_appearance() {
    let t = ok("a -- b\nnode b forward\nnode c");
    assert_eq!(t.node_names(), ["host", "a", "b", "c"]);
    assert!(t.node("b").unwrap().forward);
    assert!(!t.node("a").unwrap().forward);
}

#[test]
fn node_errors() {
    assert_eq!(
        err("node"),
        "topology:1:5: expected a node name, found end of statement"
    );
    assert_eq!(
        err("node host"),
        "topology:1:6: \"host\" cannot be declared with node: it is the sandbox's own \
         namespace, which always exists"
    );
    assert_eq!(err("node a\nnode a"), "topology:2:6: node a declared twice");
    assert_eq!(
        err("node a forward forward"),
        "topology:1:16: \"forward\" given twice for node a"
    );
    assert_eq!(
        err("node a fast"),
        "topology:1:8: expected \"forward\", \"sysctl\" or end of statement, found \"fast\""
    );
    assert_eq!(
        err("bridge br0\nnode br0"),
        "topology:2:6: \"br0\" declared both as node and bridge"
    );
    assert_eq!(
        err("node mtu"),
        "topology:1:6: \"mtu\" is a keyword and cannot be a name"
    );
}

#[test]
fn sysctl_errors() {
    assert_eq!(
        err("node a sysctl"),
        "topology:1:14: expected KEY=VALUE after sysctl, found end of statement"
    );
    assert_eq!(
        err("node a sysctl net.x"),
        "topology:1:15: expected KEY=VALUE after sysctl, found \"net.x\""
    );
    assert_eq!(
        err("node a sysctl kernel.panic=1"),
        "topology:1:15: sysctl \"kernel.panic\" is not a network sysctl: only keys \
         starting with \"net.\" are per namespace, any other would change the machine \
         running the tests"
    );
    assert_eq!(
        err("node a sysctl net.ipv4.conf.Eth0.rp_filter=1"),
        "topology:1:15: sysctl key \"net.ipv4.conf.Eth0.rp_filter\" cannot contain \"E\": \
         only a-z, 0-9, \"_\", \".\" and \"-\""
    );
    assert_eq!(
        err("node a sysctl net/../x=1"),
        "topology:1:15: sysctl \"net/../x\" is not a network sysctl: only keys starting \
         with \"net.\" are per namespace, any other would change the machine running the \
         tests"
    );
    assert_eq!(
        err("node a sysctl net.ipv4/x=1"),
        "topology:1:15: sysctl key \"net.ipv4/x\" cannot contain \"/\": only a-z, 0-9, \
         \"_\", \".\" and \"-\""
    );
    assert_eq!(
        err("node a sysctl net..x=1"),
        "topology:1:15: sysctl key \"net..x\" has an empty component"
    );
    assert_eq!(
        err("node a sysctl net.x.=1"),
        "topology:1:15: sysctl key \"net.x.\" has an empty component"
    );
    assert_eq!(
        err("node a sysctl net.x="),
        "topology:1:21: expected a value after \"net.x=\""
    );
    assert_eq!(
        err("node a sysctl net.x=1 sysctl net.x=2"),
        "topology:1:30: sysctl net.x set twice for node a"
    );
}
