//! The checks after the body pass on correct networks and fail, with the right message
//! and every node's state, on wrong ones.

use netns_test::{run, topology, Cause, CheckKind, Options, Phase};
use std::time::{Duration, Instant};

fn topo(src: &str) -> topology::Topology {
    topology::parse(src).unwrap()
}

fn failure(src: &str, body: impl FnOnce(&netns_test::Net)) -> String {
    failure_with_kinds(src, body).0
}

/// The failure's text, and the kind of each failed check.
fn failure_with_kinds(src: &str, body: impl FnOnce(&netns_test::Net)) -> (String, Vec<CheckKind>) {
    let err = run(&topo(src), Options::new(), body).expect_err("the checks must fail");
    assert_eq!(err.phase(), Phase::Checks, "{err}");
    let Cause::Checks(failed) = err.cause() else {
        panic!("a failure of the checks: {err}");
    };
    (err.to_string(), failed.iter().map(|f| f.kind).collect())
}

#[test]
fn correct_topologies_pass_every_check() {
    for src in [
        "a 10.0.0.1/24 -- b 10.0.0.2/24",
        "a 10.0.0.1/24 fd00::1/64 -- b 10.0.0.2/24 fd00::2/64",
        "bridge br0 10.9.0.254/24; a 10.9.0.1/24 -- br0; b 10.9.0.2/24 -- br0; c 10.9.0.3/24 -- br0",
        "node r forward
         a 10.0.1.2/24 -- r:left 10.0.1.1/24
         r:right 10.0.2.1/24 -- b 10.0.2.2/24
         route a default via 10.0.1.1
         route b default via 10.0.2.1
         c -- d
         expect a <-> b
         expect a -x- c",
    ] {
        run(&topo(src), Options::new(), |_| {}).unwrap_or_else(|e| panic!("{src}\n{e}"));
    }
}

#[test]
fn a_link_set_down_fails_the_segment_check_naming_the_link() {
    let (msg, kinds) = failure_with_kinds("a 10.0.0.1/24 -- b 10.0.0.2/24", |net| {
        let st = net
            .node("b")
            .command("ip")
            .args(["link", "set", "eth0", "down"])
            .status()
            .unwrap();
        assert!(st.success());
    });
    assert!(
        msg.contains(
            "reachability check on segment 1 (veth): a:eth0 10.0.0.1 -> b:eth0 10.0.0.2: "
        ),
        "{msg}"
    );
    assert!(
        kinds.iter().all(|k| *k == CheckKind::Reachability),
        "{kinds:?}"
    );
    // The report shows the down link.
    assert!(msg.contains("node b:"), "{msg}");
    assert!(msg.contains("eth0 <DOWN>"), "{msg}");
}

const ROUTED: &str = "
    node r forward
    a 10.0.1.2/24 -- r:left 10.0.1.1/24
    r:right 10.0.2.1/24 -- b 10.0.2.2/24
    route b default via 10.0.2.1
    expect a -> b
";

#[test]
fn a_missing_route_fails_the_expect() {
    let (msg, kinds) = failure_with_kinds(ROUTED, |_| {});
    assert_eq!(kinds, [CheckKind::Expect]);
    assert!(msg.contains("1 check failed:"), "{msg}");
    assert!(msg.contains("expect a -> b: "), "{msg}");
    assert!(msg.contains("10.0.2.2"), "{msg}");
}

#[test]
fn a_route_added_in_the_body_makes_it_pass() {
    run(&topo(ROUTED), Options::new(), |net| {
        let st = net
            .node("a")
            .command("ip")
            .args(["route", "add", "default", "via", "10.0.1.1"])
            .status()
            .unwrap();
        assert!(st.success());
    })
    .unwrap();
}

#[test]
fn expects_off_checks_nothing_after_the_body_but_net_check_still_runs_them() {
    // The route is missing: `expect a -> b` cannot hold.
    let options = || Options::new().checks(false).expects(false);
    run(&topo(ROUTED), options(), |_| {}).expect("nothing is checked after the body");
    let err = run(&topo(ROUTED), options(), |net| {
        let failed = net.check().expect_err("net.check() runs the expects");
        assert_eq!(failed.failed.len(), 1, "{failed}");
        assert_eq!(failed.failed[0].kind, CheckKind::Expect);
        assert!(
            failed.failed[0].message.starts_with("expect a -> b: "),
            "{failed}"
        );
        // Display: what failed, then every node's state.
        let text = failed.to_string();
        assert!(
            text.starts_with("1 check failed:\n  - expect a -> b: "),
            "{text}"
        );
        assert!(
            text.ends_with(&failed.report) && text.contains("node r:"),
            "{text}"
        );
        Err::<(), _>("checked on demand")
    })
    .expect_err("the body returned Err");
    assert!(err.message().contains("checked on demand"), "{err}");
    // The ring checks alone still run when asked for: here they pass.
    run(&topo(ROUTED), Options::new().expects(false), |_| {}).unwrap();
}

#[test]
fn an_isolation_expect_on_connected_nodes_fails() {
    let msg = failure("a 10.0.0.1/24 -- b 10.0.0.2/24; expect a -x- b", |_| {});
    assert!(
        msg.contains("expect a -x- b: 10.0.0.2 answered in "),
        "{msg}"
    );
    assert!(msg.contains("but must be unreachable"), "{msg}");
}

#[test]
fn a_wrong_permanent_neighbour_fails_with_both_macs() {
    let msg = failure("a 10.0.0.1/24 -- b 10.0.0.2/24", |net| {
        // a now believes 10.0.0.2 lives at a MAC nobody has.
        let st = net
            .node("a")
            .command("ip")
            .args([
                "neigh",
                "replace",
                "10.0.0.2",
                "lladdr",
                "02:00:00:00:00:99",
                "dev",
                "eth0",
                "nud",
                "permanent",
            ])
            .status()
            .unwrap();
        assert!(st.success());
    });
    let b_mac = msg
        .lines()
        .skip_while(|l| !l.starts_with("node b:"))
        .find(|l| l.contains(": eth0 <"))
        .and_then(|l| l.split("link/ether ").nth(1))
        .unwrap_or_else(|| panic!("b's eth0 in the report: {msg}"))
        .to_string();
    // The echo request goes to the wrong MAC and is dropped, or, if the kernel still
    // answers, the table maps the address wrongly: either way both MACs are named.
    assert!(
        msg.contains("02:00:00:00:00:99") && msg.contains(&b_mac),
        "{msg}"
    );
}

#[test]
fn a_peer_mac_changed_after_the_first_ping_fails_the_neighbour_check() {
    let (msg, kinds) = failure_with_kinds("a 10.0.0.1/24 -- b 10.0.0.2/24", |net| {
        net.ping("a", "b").unwrap();
        let st = net
            .node("b")
            .command("ip")
            .args(["link", "set", "eth0", "address", "02:00:00:00:00:42"])
            .status()
            .unwrap();
        assert!(st.success());
    });
    assert!(
        msg.contains("neighbour check: a maps 10.0.0.2 to "),
        "{msg}"
    );
    assert!(msg.contains("but b's eth0 has "), "{msg}");
    assert!(kinds.contains(&CheckKind::Neighbour), "{kinds:?}");
}

#[test]
fn twenty_isolation_expects_cost_about_one_timeout() {
    let mut src = String::from("a 10.0.0.1/24 -- b 10.0.0.2/24\n");
    for i in 0..20 {
        src.push_str(&format!("i{i} -- j{i}\nexpect a -x- i{i}\n"));
    }
    let t = Instant::now();
    run(&topo(&src), Options::new().checks(false), |_| {}).unwrap();
    // 20 sequential 200 ms waits would be 4 s.
    assert!(
        t.elapsed() < Duration::from_millis(2500),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn the_api_checks_work_inside_the_body() {
    run(
        &topo("a 10.0.0.1/24 -- b 10.0.0.2/24; c -- d"),
        Options::new(),
        |net| {
            let rtt = net.ping("a", "b").unwrap();
            assert!(rtt < Duration::from_secs(1));
            net.assert_reachable("b", "10.0.0.1");
            net.assert_isolated("a", "c");
            let table = net.neighbours("a");
            assert!(
                table
                    .iter()
                    .any(|n| n.ip.to_string() == "10.0.0.2" && n.state.is_usable()),
                "{table:?}"
            );
            net.assert_neighbour("a", "10.0.0.2".parse().unwrap(), "b");
            net.assert_neighbour(
                "a",
                "10.0.0.2".parse().unwrap(),
                net.node("b").iface("eth0").mac,
            );
            let report = net.report();
            assert!(
                report.contains("node a:") && report.contains("10.0.0.2 dev eth0 lladdr"),
                "{report}"
            );
        },
    )
    .unwrap();
}

#[test]
fn the_api_checks_work_in_an_async_body() {
    run(
        &topo("a 10.0.0.1/24 -- b 10.0.0.2/24"),
        Options::new(),
        |net| {
            net.block_on(async {
                net.assert_reachable("a", "b");
                tokio::task::yield_now().await;
            })
        },
    )
    .unwrap();
}

/// Isolation holds only on a timeout or an ICMP unreachable answer, never because the
/// sender's own kernel refused to send for a reason unrelated to the network: a
/// broadcast address without SO_BROADCAST is such a request (EACCES), as is a full
/// neighbour table (EINVAL).
#[test]
fn a_local_send_error_proves_no_isolation() {
    let e = failure("a -- b\nexpect a -x- 10.0.1.255", |_| {});
    assert!(
        e.contains("expect a -x- 10.0.1.255: cannot tell whether 10.0.1.255 is unreachable")
            && e.contains("Permission denied"),
        "{e}"
    );
    let err = run(&topo("a -- b"), Options::new(), |net| {
        net.assert_isolated("a", "10.0.1.255");
    })
    .expect_err("assert_isolated cannot tell");
    assert!(
        err.to_string().contains(
            "assert_isolated(a -x- 10.0.1.255): cannot tell whether 10.0.1.255 is unreachable"
        ),
        "{err}"
    );
}

/// What does prove isolation still does: no route (ENETUNREACH from the sender's own
/// kernel), a router's "net unreachable", and no answer at all.
#[test]
fn no_route_an_icmp_unreachable_and_silence_prove_isolation() {
    let src = "node r forward
               a 10.0.1.2/24 -- r:left 10.0.1.1/24
               r:right 10.0.2.1/24 -- b 10.0.2.2/24
               route a default via 10.0.1.1
               c 10.0.9.1/24 -- d 10.0.9.2/24
               expect c -x- 10.0.2.2
               expect a -x- 192.0.2.1
               expect a -x- 10.0.1.9";
    run(&topo(src), Options::new(), |net| {
        use netns_test::ProbeError;
        assert!(matches!(
            net.ping("c", "10.0.2.2"),
            Err(ProbeError::Send { .. })
        ));
        assert!(matches!(
            net.ping("a", "192.0.2.1"),
            Err(ProbeError::Unreachable { .. })
        ));
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// A name that is neither a node nor an address is an error, as documented, not a
/// panic.
#[test]
fn ping_with_an_unknown_name_is_an_error() {
    run(&topo("a -- b"), Options::new().checks(false), |net| {
        use netns_test::ProbeError;
        let e = net.ping("zz", "b").unwrap_err();
        assert!(
            matches!(&e, ProbeError::Unknown(m) if m.contains("no node \"zz\"") && m.contains("host, a, b")),
            "{e:?}"
        );
        let e = net.ping("a", "zz").unwrap_err();
        assert!(
            matches!(&e, ProbeError::Unknown(m) if m.contains("\"zz\" is neither a node")),
            "{e:?}"
        );
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// `net.assert_isolated` waits the run's isolation timeout: a reply 600 ms late is
/// silence to the default 200 ms, and an answer to a 3 s timeout.
#[test]
fn assert_isolated_waits_the_runs_isolation_timeout() {
    let slow = topo("a 10.0.0.1/24 -- b 10.0.0.2/24 delay 300ms");
    run(&slow, Options::new().checks(false), |net| {
        net.assert_isolated("a", "b");
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let err = run(
        &slow,
        Options::new()
            .checks(false)
            .isolation_timeout(Duration::from_secs(3)),
        |net| net.assert_isolated("a", "b"),
    )
    .expect_err("the late reply must be seen");
    assert_eq!(err.phase(), Phase::Body, "{err}");
    assert!(err.message().contains("but must be unreachable"), "{err}");
}
