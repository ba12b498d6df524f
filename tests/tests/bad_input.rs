//! Bad input gets a clear error, never a panic, a hang or an `Instant` overflow.

use netns_test::topology::{self, End, Link, NodeEnd, Topology};
use netns_test::{run, Cause, Options};
use std::time::Duration;

fn pair() -> Topology {
    topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24").unwrap()
}

/// `Duration::MAX` means "no limit" to many callers: it is clamped to a day.
#[test]
fn the_longest_durations_are_clamped() {
    let opts = Options::new()
        .timeout(Duration::MAX)
        .isolation_timeout(Duration::MAX)
        .keep_on_failure(Duration::MAX);
    run(&pair(), opts, |net| net.assert_reachable("a", "b")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(netns_test::LONGEST, Duration::from_secs(86_400));
}

/// Blocking the only thread of a current-thread runtime would stop the tasks the
/// call waits for: the call fails with a message saying what to do instead.
#[test]
fn blocking_helpers_inside_a_current_thread_runtime_fail_with_a_message() {
    let err = run(&pair(), Options::new().checks(false), |net| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = rt.block_on(async { net.ping("a", "b") });
    })
    .expect_err("a blocking call in a current-thread runtime");
    match err.cause() {
        Cause::Panicked { message, .. } => assert!(
            message.contains("cannot run inside a current-thread tokio runtime")
                && message.contains("net.block_on"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

fn misconfigured(topo: &Topology) -> String {
    let err = run(topo, Options::new(), |_| {}).expect_err("an invalid topology");
    match err.cause() {
        Cause::Misconfigured(why) => why.clone(),
        other => panic!("{other:?}\n{err}"),
    }
}

/// A topology built in code (the model's fields are public) is held to the
/// language's rules before anything is built, instead of panicking in the builder.
#[test]
fn a_hand_built_topology_breaking_the_rules_is_an_error() {
    let mut t = pair();
    t.links.push(Link {
        a: End::Node(NodeEnd {
            node: "a".into(),
            ifname: "eth1".into(),
            addrs: vec!["10.9.0.1/24".parse().unwrap()],
        }),
        b: End::Bridge {
            bridge: "nope".into(),
            port: "nope-p0".into(),
        },
        mtu: None,
        impair: Default::default(),
    });
    let why = misconfigured(&t);
    assert!(
        why.contains("the topology breaks a rule of the language")
            && why.contains("\"nope\"")
            && why.contains("a:eth1 10.9.0.1/24 -- nope")
            && why.contains("not declared"),
        "{why}"
    );

    let mut t = pair();
    t.nodes[0].name = "A b".into();
    let why = misconfigured(&t);
    assert!(why.contains("invalid name"), "{why}");

    // Resolved differently by the parser: automatic addresses left out.
    let t = Topology {
        links: vec![Link {
            a: End::Node(NodeEnd {
                node: "a".into(),
                ifname: "eth0".into(),
                addrs: vec![],
            }),
            b: End::Node(NodeEnd {
                node: "b".into(),
                ifname: "eth0".into(),
                addrs: vec![],
            }),
            mtu: None,
            impair: Default::default(),
        }],
        nodes: pair().nodes,
        ..Default::default()
    };
    let why = misconfigured(&t);
    assert!(why.contains("automatic addresses"), "{why}");
}
