//! `Topology::builder()`: a topology built in code is the one its text parses to, and
//! a mistake in it is the language's, with the language's message.
//!
//! `mistakes` has the mistakes; `generated` builds generated networks and compares
//! them with texts written independently of the library's printer.

mod generated;
mod mistakes;

use netns_test_topology::{
    parse, BridgeSpec, Destination, Distribution, EndSpec, ExpectKind, Forward, ForwardTarget,
    Impairment, IpNet, LinkSpec, Nat, NatKind, NodeSpec, Proto, Topology,
};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

pub(crate) fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

pub(crate) fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub(crate) fn ok(src: &str) -> Topology {
    parse(src).unwrap_or_else(|e| panic!("{src}\n{e}"))
}

/// Every statement and option of the language, through the builder, against the
/// same text.
#[test]
fn every_statement_built_is_the_parsed_text() {
    let mut b = Topology::builder();
    b.node(
        NodeSpec::new("r")
            .forward()
            .sysctl("net.ipv4.conf.all.rp_filter", "0"),
    )
    .node("lonely")
    .bridge(
        BridgeSpec::new("br0")
            .at("r")
            .addr(net("10.9.0.1/24"))
            .mtu(9000),
    )
    .link(
        EndSpec::new("a").addr(net("10.0.1.2/24")),
        EndSpec::new("r").ifname("left").addr(net("10.0.1.1/24")),
    )
    .link("c", "br0")
    .link_spec(
        LinkSpec::new("x", "y").mtu(1400).impair(
            Impairment::builder()
                .delay(Duration::from_millis(5))
                .build()
                .unwrap(),
        ),
    )
    .bridge("br1")
    .link("br1", "br0")
    .link_spec(
        LinkSpec::new("br1", EndSpec::new("d").ifname("up")).impair_each([
            Impairment::builder()
                .delay(Duration::from_millis(10))
                .jitter(Duration::from_millis(2))
                .distribution(Distribution::Normal)
                .build()
                .unwrap(),
            Impairment::builder()
                .loss(0.5)
                .rate(1_000_000)
                .build()
                .unwrap(),
        ]),
    )
    .link(
        EndSpec::new("r").ifname("wan").addr(net("203.0.113.1/24")),
        EndSpec::new("s").addr(net("203.0.113.10/24")),
    )
    .route("a", Destination::Default, ip("10.0.1.1"))
    .route("s", net("10.0.1.0/24"), Ipv4Addr::new(203, 0, 113, 1))
    .nat(Nat {
        hairpin: false,
        udp_timeout: Duration::from_secs(90),
        ..Nat::new("r", "wan", NatKind::SYMMETRIC)
    })
    .forward(Forward {
        router: "r".into(),
        iface: "wan".into(),
        proto: Proto::Udp,
        port: 4000,
        to: ForwardTarget::Node("a".into()),
        to_port: 4001,
    })
    .expect("a", ExpectKind::Both, "r")
    .expect("a", ExpectKind::Reach, ip("203.0.113.10"))
    .expect("a", ExpectKind::Isolated, "x");
    let text = "node r forward sysctl net.ipv4.conf.all.rp_filter=0
        node lonely
        bridge br0 @r 10.9.0.1/24 mtu 9000
        a 10.0.1.2/24 -- r:left 10.0.1.1/24
        c -- br0
        x -- y mtu 1400 delay 5ms
        bridge br1
        br1 -- br0
        br1 -- d:up br1->d: delay 10ms jitter 2ms normal d->br1: loss 0.5% rate 1mbit
        r:wan 203.0.113.1/24 -- s 203.0.113.10/24
        route a default via 10.0.1.1
        route s 10.0.1.0/24 via 203.0.113.1
        nat r:wan symmetric hairpin off udp-timeout 90s
        forward r:wan udp 4000 -> a:4001
        expect a <-> r
        expect a -> 203.0.113.10
        expect a -x- x";
    let built = b.build().unwrap_or_else(|e| panic!("{}\n{e}", b.text()));
    assert_eq!(built, ok(text));
    // The resolved model is one the language's own check takes as it is.
    assert_eq!(built.validate(), Ok(()));
    // The builder's text is the statements in order, the ends as written.
    assert_eq!(b.text().lines().nth(4), Some("c -- br0"));
    assert_eq!(
        b.text().lines().nth(3),
        Some("a 10.0.1.2/24 -- r:left 10.0.1.1/24")
    );
}

/// Statements come in the order given, as in a text: a node declared after its
/// first use stays where the use put it.
#[test]
fn the_order_of_the_statements_is_kept() {
    let mut b = Topology::builder();
    b.link("a", "b")
        .node(NodeSpec::new("b").forward())
        .node("c");
    assert_eq!(b.build().unwrap(), ok("a -- b; node b forward; node c"));
    assert_eq!(b.build().unwrap().node_names(), ["host", "a", "b", "c"]);
    let mut b = Topology::builder();
    b.node("c").link("a", "b");
    assert_eq!(b.build().unwrap().node_names(), ["host", "c", "a", "b"]);
}

/// What a statement leaves out is filled in as the parser fills it in: interface
/// names, bridge ports, automatic addresses.
#[test]
fn what_is_left_out_is_the_languages() {
    let mut b = Topology::builder();
    b.bridge("br0")
        .link("a", "br0")
        .link("b", "br0")
        .link("a", "b")
        .link(EndSpec::new("a").ifname("x"), "c");
    let t = b.build().unwrap();
    assert_eq!(t, ok("bridge br0; a -- br0; b -- br0; a -- b; a:x -- c"));
    assert_eq!(
        t.to_string(),
        "bridge br0\n\
         a:eth0 10.0.1.1/24 fd00:1::1/64 -- br0\n\
         b:eth0 10.0.1.2/24 fd00:1::2/64 -- br0\n\
         a:eth1 10.0.2.1/24 fd00:2::1/64 -- b:eth1 10.0.2.2/24 fd00:2::2/64\n\
         a:x 10.0.3.1/24 fd00:3::1/64 -- c:eth0 10.0.3.2/24 fd00:3::2/64\n"
    );
    assert_eq!(Topology::builder().build(), Ok(Topology::default()));
}
