//! `route` statements.

use super::{cidr, err, ok};
use crate::model::{Destination, Route};

#[test]
fn route_statement() {
    let t = ok("a 10.0.1.2/24 fd00:1::2/64 -- b 10.0.1.1/24 fd00:1::1/64
        route a default via 10.0.1.1
        route a default via fd00:1::1
        route a 10.9.0.0/16 via 10.0.1.1
        route a fd00:9::/32 via fd00:1::1
        route b 0.0.0.0/0 via 10.0.1.2");
    assert_eq!(
        t.routes,
        [
            Route {
                node: "a".into(),
                dest: Destination::Default,
                via: "10.0.1.1".parse().unwrap(),
            },
            Route {
                node: "a".into(),
                dest: Destination::Default,
                via: "fd00:1::1".parse().unwrap(),
            },
            Route {
                node: "a".into(),
                dest: Destination::Net(cidr("10.9.0.0/16")),
                via: "10.0.1.1".parse().unwrap(),
            },
            Route {
                node: "a".into(),
                dest: Destination::Net(cidr("fd00:9::/32")),
                via: "fd00:1::1".parse().unwrap(),
            },
            Route {
                node: "b".into(),
                dest: Destination::Net(cidr("0.0.0.0/0")),
                via: "10.0.1.2".parse().unwrap(),
            },
        ]
    );
}

#[test]
fn route_errors() {
    assert_eq!(
        err("route"),
        "topology:1:6: expected a node name, found end of statement"
    );
    assert_eq!(
        err("route a"),
        "topology:1:8: expected \"default\" or a destination like 10.0.0.0/24, found end \
         of statement"
    );
    assert_eq!(
        err("route a 10.0.0.1 via 10.0.0.1"),
        "topology:1:9: expected \"default\" or a destination like 10.0.0.0/24, found \
         \"10.0.0.1\""
    );
    assert_eq!(
        err("route a 10.0.2.5/24 via 10.0.0.1"),
        "topology:1:9: route destination 10.0.2.5/24 has host bits set: did you mean \
         10.0.2.0/24?"
    );
    assert_eq!(
        err("route a default 10.0.0.1"),
        "topology:1:17: expected \"via\", found \"10.0.0.1\""
    );
    assert_eq!(
        err("route a default via"),
        "topology:1:20: expected a gateway address like 10.0.0.1, found end of statement"
    );
    assert_eq!(
        err("route a default via 10.0.0.1/24"),
        "topology:1:21: expected a gateway address like 10.0.0.1, found \"10.0.0.1/24\""
    );
    assert_eq!(
        err("route a default via 0.0.0.0"),
        "topology:1:21: 0.0.0.0 cannot be a gateway: it is the unspecified address"
    );
    assert_eq!(
        err("route a fd00::/64 via 10.0.0.1"),
        "topology:1:23: gateway 10.0.0.1 is IPv4 but the destination fd00::/64 is IPv6"
    );
    assert_eq!(
        err("route a 10.0.0.0/8 via fd00::1"),
        "topology:1:24: gateway fd00::1 is IPv6 but the destination 10.0.0.0/8 is IPv4"
    );
    assert_eq!(
        err("route a default via 10.0.0.1 x"),
        "topology:1:30: expected end of statement, found \"x\""
    );
    assert_eq!(
        err("route Ab default via 10.0.0.1"),
        "topology:1:7: invalid name \"Ab\": a name is a lowercase letter followed by \
         lowercase letters, digits, \"_\" or \"-\""
    );
}
