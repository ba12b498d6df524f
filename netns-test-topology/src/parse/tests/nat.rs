//! `nat` and `forward` statements: their words and the errors about them. What
//! needs the whole network (router, interface, targets) is tested in `validate::nat`.

use super::{err, ok};
use crate::model::{Behaviour, Forward, ForwardTarget, Nat, NatKind, Proto};
use std::time::Duration;

const HOME: &str = "node r1 forward
    c1 192.168.1.2/24 -- r1:lan 192.168.1.1/24
    r1:wan 203.0.113.1/24 -- s 203.0.113.2/24";

fn nat(line: &str) -> Nat {
    ok(&format!("{HOME}\n{line}")).nats.remove(0)
}

fn nat_err(line: &str) -> String {
    err(&format!("{HOME}\n{line}"))
}

fn forward(line: &str) -> Forward {
    ok(&format!("{HOME}\nnat r1:wan full-cone\n{line}"))
        .forwards
        .remove(0)
}

fn forward_err(line: &str) -> String {
    err(&format!("{HOME}\nnat r1:wan full-cone\n{line}"))
}

#[test]
fn kind_words_and_defaults() {
    for (word, kind) in NatKind::NAMED {
        assert_eq!(
            nat(&format!("nat r1:wan {word}")),
            Nat::new("r1", "wan", kind)
        );
    }
    let n = nat("nat r1:wan port-restricted-cone");
    assert!(n.hairpin && n.port_preservation);
    assert_eq!(n.udp_timeout, Duration::from_secs(120));
}

#[test]
fn mapping_and_filtering_instead_of_a_kind() {
    let n = nat("nat r1:wan mapping address-dependent filtering endpoint-independent");
    assert_eq!(n.kind.mapping, Behaviour::AddressDependent);
    assert_eq!(n.kind.filtering, Behaviour::EndpointIndependent);
    // Either order; a pair with a familiar name is that kind.
    let n = nat("nat r1:wan filtering address-and-port-dependent mapping endpoint-independent");
    assert_eq!(n.kind, NatKind::PORT_RESTRICTED_CONE);
}

#[test]
fn options_in_any_order() {
    let n = nat("nat r1:wan symmetric udp-timeout 30s hairpin off port-preservation off");
    assert_eq!(n.kind, NatKind::SYMMETRIC);
    assert!(!n.hairpin && !n.port_preservation);
    assert_eq!(n.udp_timeout, Duration::from_secs(30));
    let n = nat("nat r1:wan mapping endpoint-independent filtering address-dependent hairpin on udp-timeout 2m");
    assert_eq!(n.kind, NatKind::RESTRICTED_CONE);
    assert_eq!(n.udp_timeout, Duration::from_secs(120));
}

#[test]
fn nat_syntax_errors() {
    assert_eq!(
        nat_err("nat r1:wan cone"),
        "topology:4:12: unknown NAT kind \"cone\": the kinds are full-cone, restricted-cone, \
         port-restricted-cone, symmetric, or mapping BEHAVIOUR filtering BEHAVIOUR"
    );
    assert_eq!(
        nat_err("nat r1:wan"),
        "topology:4:11: expected a NAT kind (full-cone, restricted-cone, port-restricted-cone, \
         symmetric, or mapping BEHAVIOUR filtering BEHAVIOUR), found end of statement"
    );
    assert_eq!(
        nat_err("nat r1 full-cone"),
        "topology:4:5: expected ROUTER:IFACE like r1:wan (the router and its outside \
         interface), found \"r1\""
    );
    assert_eq!(
        nat_err("nat R1:wan full-cone"),
        "topology:4:5: invalid name \"R1\": a name is a lowercase letter followed by \
         lowercase letters, digits, \"_\" or \"-\""
    );
    assert_eq!(
        nat_err("nat r1: full-cone"),
        "topology:4:8: expected an interface name after \":\""
    );
    assert_eq!(
        nat_err("nat r1:wan full-cone hairpin maybe"),
        "topology:4:30: expected on or off after hairpin, found \"maybe\""
    );
    assert_eq!(
        nat_err("nat r1:wan full-cone hairpin on hairpin off"),
        "topology:4:33: hairpin given twice (first at 4:22)"
    );
    assert_eq!(
        nat_err("nat r1:wan full-cone udp-timeout 500ms"),
        "topology:4:34: expected a udp-timeout like 30s or 2m (a whole number of s or m: \
         conntrack counts seconds), found \"500ms\""
    );
    assert_eq!(
        nat_err("nat r1:wan full-cone udp-timeout 0s"),
        "topology:4:34: udp-timeout 0s is out of range: at least 1s and at most 1440m (24 hours)"
    );
    assert_eq!(
        nat_err("nat r1:wan full-cone colour blue"),
        "topology:4:22: expected hairpin, port-preservation, udp-timeout or end of statement, \
         found \"colour\""
    );
    assert_eq!(
        nat_err("nat r1:wan full-cone symmetric"),
        "topology:4:22: a second kind \"symmetric\": a NAT has one kind, right after r1:wan"
    );
}

#[test]
fn behaviour_errors() {
    assert_eq!(
        nat_err("nat r1:wan full-cone mapping address-dependent"),
        "topology:4:22: \"mapping\" after the kind full-cone, which sets mapping \
         endpoint-independent and filtering endpoint-independent: write a kind, or mapping \
         and filtering"
    );
    assert_eq!(
        nat_err("nat r1:wan mapping endpoint-independent"),
        "topology:4:40: a NAT without a kind needs both mapping and filtering: expected \
         \"filtering\" next"
    );
    assert_eq!(
        nat_err("nat r1:wan filtering endpoint-independent hairpin off"),
        "topology:4:43: a NAT without a kind needs both mapping and filtering: expected \
         \"mapping\", found \"hairpin\""
    );
    assert_eq!(
        nat_err("nat r1:wan mapping eim filtering eif"),
        "topology:4:20: expected a mapping behaviour (endpoint-independent, \
         address-dependent or address-and-port-dependent), found \"eim\""
    );
    assert_eq!(
        nat_err(
            "nat r1:wan mapping endpoint-independent filtering endpoint-independent \
             mapping address-dependent"
        ),
        "topology:4:72: mapping given twice (first at 4:12)"
    );
}

#[test]
fn forwards() {
    assert_eq!(
        forward("forward r1:wan udp 4000 -> c1:4000"),
        Forward {
            router: "r1".into(),
            iface: "wan".into(),
            proto: Proto::Udp,
            port: 4000,
            to: ForwardTarget::Node("c1".into()),
            to_port: 4000,
        }
    );
    let f = forward("forward r1:wan tcp 80 -> 192.168.1.2:8080");
    assert_eq!(
        (f.proto, f.port, f.to, f.to_port),
        (
            Proto::Tcp,
            80,
            ForwardTarget::Ip("192.168.1.2".parse().unwrap()),
            8080
        )
    );
}

#[test]
fn forward_syntax_errors() {
    assert_eq!(
        forward_err("forward r1:wan sctp 1 -> c1:1"),
        "topology:5:16: expected udp or tcp, found \"sctp\""
    );
    assert_eq!(
        forward_err("forward r1:wan udp 0 -> c1:1"),
        "topology:5:20: expected a port from 1 to 65535, found \"0\""
    );
    assert_eq!(
        forward_err("forward r1:wan udp 65536 -> c1:1"),
        "topology:5:20: expected a port from 1 to 65535, found \"65536\""
    );
    assert_eq!(
        forward_err("forward r1:wan udp +5 -> c1:1"),
        "topology:5:20: expected a port from 1 to 65535, found \"+5\""
    );
    assert_eq!(
        forward_err("forward r1:wan udp 1 => c1:1"),
        "topology:5:22: expected \"->\", found \"=>\""
    );
    assert_eq!(
        forward_err("forward r1:wan udp 1 -> c1"),
        "topology:5:25: expected the forward's target like a:4000 or 192.168.1.2:4000, \
         found \"c1\""
    );
    assert_eq!(
        forward_err("forward r1:wan udp 1 -> c1:http"),
        "topology:5:28: expected a port from 1 to 65535, found \"http\""
    );
    assert_eq!(
        forward_err("forward r1:wan udp 1 -> [fd00::2]:53"),
        "topology:5:25: forward to \"[fd00::2]:53\": a NAT forwards IPv4 only (IPv6 is \
         routed through it)"
    );
    assert_eq!(
        forward_err("forward r1:wan udp 1 -> c1:1 now"),
        "topology:5:30: expected end of statement, found \"now\""
    );
    assert_eq!(
        forward_err("forward r1:wan"),
        "topology:5:15: expected udp or tcp, found end of statement"
    );
}

#[test]
fn nat_is_a_keyword() {
    assert_eq!(
        err("nat -- b"),
        "topology:1:5: expected ROUTER:IFACE like r1:wan (the router and its outside \
         interface), found \"--\""
    );
    assert_eq!(
        err("a -- nat"),
        "topology:1:6: \"nat\" is a keyword and cannot be a name"
    );
}
