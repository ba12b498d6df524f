//! `expect` statements.

use super::{err, ok};
use crate::model::{Expect, ExpectKind, Target};

#[test]
fn expect_statement() {
    let t = ok("a -- b
        expect a -> b
        expect a <-> b
        expect b -x- a
        expect a -> 10.9.9.9
        expect host -x- fd00:9::1");
    let target = |s: &str| Target::Node(s.into());
    assert_eq!(
        t.expects,
        [
            Expect {
                from: "a".into(),
                kind: ExpectKind::Reach,
                target: target("b"),
            },
            Expect {
                from: "a".into(),
                kind: ExpectKind::Both,
                target: target("b"),
            },
            Expect {
                from: "b".into(),
                kind: ExpectKind::Isolated,
                target: target("a"),
            },
            Expect {
                from: "a".into(),
                kind: ExpectKind::Reach,
                target: Target::Ip("10.9.9.9".parse().unwrap()),
            },
            Expect {
                from: "host".into(),
                kind: ExpectKind::Isolated,
                target: Target::Ip("fd00:9::1".parse().unwrap()),
            },
        ]
    );
}

#[test]
fn expect_errors() {
    assert_eq!(
        err("expect"),
        "topology:1:7: expected a node name, found end of statement"
    );
    assert_eq!(
        err("expect a"),
        "topology:1:9: expected \"->\", \"<->\" or \"-x-\", found end of statement"
    );
    assert_eq!(
        err("expect a => b"),
        "topology:1:10: expected \"->\", \"<->\" or \"-x-\", found \"=>\""
    );
    assert_eq!(
        err("expect a ->"),
        "topology:1:12: expected a node name or an address like 10.0.0.1, found end of \
         statement"
    );
    assert_eq!(
        err("expect a -> 10.0.0.300"),
        "topology:1:13: expected a node name or an address like 10.0.0.1, found \
         \"10.0.0.300\""
    );
    assert_eq!(
        err("expect a -> 10.0.0.1/24"),
        "topology:1:13: expected a node name or an address without prefix length, found \
         \"10.0.0.1/24\""
    );
    assert_eq!(
        err("expect a <-> 10.0.0.1"),
        "topology:1:14: \"<->\" needs a node on the right to ping back from, found the \
         address 10.0.0.1"
    );
    assert_eq!(
        err("expect a -> b c"),
        "topology:1:15: expected end of statement, found \"c\""
    );
    assert_eq!(
        err("expect a -> via"),
        "topology:1:13: \"via\" is a keyword and cannot be a name"
    );
}
