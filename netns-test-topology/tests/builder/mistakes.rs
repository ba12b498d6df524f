//! A mistake made with the builder is the language's: the same message, line and
//! column as the same statements written as text, with the statement quoted. And a
//! name that writes other words than meant is caught, not built.

use super::{ip, net};
use netns_test_topology::{
    parse, BridgeSpec, Destination, EndSpec, ExpectKind, Impairment, LinkSpec, Nat, NatKind,
    NodeSpec, Topology, TopologyBuilder,
};
use std::time::Duration;

/// `b` fails as `text` does (written as `b.text()` writes it: one statement a line).
#[track_caller]
fn same_mistake(b: &TopologyBuilder, text: &str) {
    assert_eq!(
        b.text(),
        format!("{text}\n"),
        "the test's text is the builder's"
    );
    let want = parse(text).expect_err("the text has a mistake");
    let got = b.build().expect_err("the builder has the mistake too");
    let statement = text.lines().nth(want.line() - 1).unwrap();
    assert_eq!(
        got.message(),
        format!("{} (in the statement `{statement}`)", want.message()),
        "{text}"
    );
    assert_eq!((got.line(), got.col()), (want.line(), want.col()), "{text}");
}

fn builder(add: impl FnOnce(&mut TopologyBuilder) -> &mut TopologyBuilder) -> TopologyBuilder {
    let mut b = Topology::builder();
    add(&mut b);
    b
}

#[test]
fn the_languages_rules_with_its_messages() {
    let cases: Vec<(TopologyBuilder, &str)> = vec![
        (builder(|b| b.link("a", "a")), "a -- a"),
        (builder(|b| b.link("A", "b")), "A -- b"),
        (builder(|b| b.node("delay")), "node delay"),
        (builder(|b| b.node("host")), "node host"),
        (builder(|b| b.node("a").node("a")), "node a\nnode a"),
        (
            builder(|b| b.node(NodeSpec::new("a").sysctl("kernel.pid_max", "1"))),
            "node a sysctl kernel.pid_max=1",
        ),
        (
            builder(|b| b.link("a", "br0").bridge("br0")),
            "a -- br0\nbridge br0",
        ),
        (
            builder(|b| b.bridge("br0").link(EndSpec::new("br0").ifname("x"), "a")),
            "bridge br0\nbr0:x -- a",
        ),
        (
            builder(|b| b.bridge(BridgeSpec::new("br0").at("host").mtu(10))),
            "bridge br0 mtu 10",
        ),
        (
            builder(|b| b.link(EndSpec::new("a").ifname("abcdefghijklmnop"), "b")),
            "a:abcdefghijklmnop -- b",
        ),
        (
            builder(|b| {
                b.link_spec(LinkSpec::new("a", "b").impair(Impairment {
                    jitter: Some(Duration::from_millis(5)),
                    ..Default::default()
                }))
            }),
            "a -- b jitter 5ms",
        ),
        (
            builder(|b| {
                b.link("a", "b")
                    .route("a", Destination::Default, ip("10.9.0.1"))
            }),
            "a -- b\nroute a default via 10.9.0.1",
        ),
        (
            builder(|b| {
                b.link(
                    EndSpec::new("a").addr(net("10.0.0.1/24")),
                    EndSpec::new("b").addr(net("10.0.0.2/24")),
                )
                .link(EndSpec::new("c").addr(net("10.0.0.1/24")), "d")
            }),
            "a 10.0.0.1/24 -- b 10.0.0.2/24\nc 10.0.0.1/24 -- d",
        ),
        (
            builder(|b| b.link("a", "b").expect("a", ExpectKind::Reach, "z")),
            "a -- b\nexpect a -> z",
        ),
        (
            builder(|b| {
                let nat = Nat::new("r", "wan", NatKind::FULL_CONE);
                b.link(EndSpec::new("r").ifname("wan"), "s").nat(nat)
            }),
            "r:wan -- s\nnat r:wan full-cone",
        ),
    ];
    for (b, text) in &cases {
        same_mistake(b, text);
    }
}

/// The language has no quoting: a name with a space or a `;` writes other words,
/// which may parse. Each statement must read back as written.
#[test]
fn a_name_that_writes_other_words_is_refused() {
    let e = builder(|b| b.node("a forward")).build().unwrap_err();
    assert_eq!((e.line(), e.col()), (1, 1));
    assert!(
        e.message()
            .starts_with("nothing in the text reads back as this statement: each name"),
        "{e}"
    );
    assert!(
        e.message().ends_with("(in the statement `node a forward`)"),
        "{e}"
    );

    let e = builder(|b| b.link(EndSpec::new("a").ifname("eth0 10.0.0.1/24"), "b"))
        .build()
        .unwrap_err();
    assert!(
        e.message()
            .starts_with("it reads back as `a:eth0 10.0.0.1/24 -- b:eth0`: each name"),
        "{e}"
    );

    let e = builder(|b| b.link("a", "b").expect("a", ExpectKind::Reach, "b; node z"))
        .build()
        .unwrap_err();
    assert_eq!(e.line(), 2, "{e}");
    assert!(
        e.message().starts_with("it reads back as `expect a -> b`"),
        "{e}"
    );

    let e = builder(|b| b.link(EndSpec::new("a").ifname(""), "b"))
        .build()
        .unwrap_err();
    assert!(e.message().contains("not empty"), "{e}");
}

/// A value the language cannot write: the rule that says so, not a parse of
/// something else.
#[test]
fn a_value_finer_than_the_language_is_refused() {
    let nanos = Impairment {
        delay: Some(Duration::from_nanos(1500)),
        ..Default::default()
    };
    let e = builder(|b| b.link_spec(LinkSpec::new("a", "b").impair(nanos)))
        .build()
        .unwrap_err();
    assert_eq!(
        e.message(),
        format!(
            "{} (in the statement `a -- b delay 1us`)",
            nanos.validate().unwrap_err().message()
        )
    );

    let e = builder(|b| {
        b.link(EndSpec::new("r").ifname("wan"), "s")
            .node(NodeSpec::new("r").forward())
            .nat(Nat {
                udp_timeout: Duration::from_millis(90_500),
                ..Nat::new("r", "wan", NatKind::FULL_CONE)
            })
    })
    .build()
    .unwrap_err();
    assert_eq!(e.line(), 3, "{e}");
    assert!(
        e.message()
            .contains("holds a value the language cannot write exactly"),
        "{e}"
    );
}
