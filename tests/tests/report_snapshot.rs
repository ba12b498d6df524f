//! The failure report for each way a test can fail, as snapshots: what failed, the
//! phase and step, the diagram, every node's links, addresses, routes and neighbours
//! (read after the worker ended, or at the deadline), the topology and where the
//! forensics are. MACs, link-local addresses, neighbour states, timings, frame counts
//! and the scratch directory vary from run to run and are redacted; link-local
//! neighbours (IPv6 housekeeping that comes and goes) are left out. Interface indexes
//! stay: the builder chooses them, so they are stable.

use netns_test::{run, topology, Error, Options};
use regex::Regex;
use std::time::Duration;

fn redact(err: &Error, dir: &std::path::Path) -> String {
    // The headline and the rest, without the backtrace RUST_BACKTRACE may ask for.
    let report = format!("{}\n{}", err.headline(), err.details());
    // Links a machine gives every new namespace are not the report's subject, and
    // they move the indexes of the rest.
    let machine = Regex::new(r"^\s+\d+: (\S+) <").unwrap();
    let report: String = report
        .lines()
        .filter(|l| !(l.trim_start().starts_with("fe80::") && l.contains(" dev ")))
        .filter(|l| {
            !machine
                .captures(l)
                .is_some_and(|c| netns_test_tests::made_by_the_machine(&c[1]))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let rules = [
        (r"([0-9a-f]{2}:){5}[0-9a-f]{2}", "[mac]"),
        (r"fe80::[0-9a-f:]+/64", "[link-local]/64"),
        (
            r"\b(REACHABLE|STALE|DELAY|PROBE|INCOMPLETE|FAILED)\b",
            "[state]",
        ),
        (r"within \d+(\.\d+)?m?s", "within [time]"),
        (r"in \d+(\.\d+)?ms", "in [time]"),
        (r"\d+ frames", "[n] frames"),
        (r"(?m)^    \d+: (\S+) <", "    [i]: $1 <"),
    ];
    let report = report.replace(&dir.display().to_string(), "[dir]");
    rules.iter().fold(report, |text, (pattern, with)| {
        Regex::new(pattern)
            .unwrap()
            .replace_all(&text, *with)
            .into_owned()
    })
}

fn dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("netns-test-snapshot-{name}-{}", std::process::id()))
}

/// Runs `body` on `topology` and snapshots the report of its failure.
fn snapshot<R: netns_test::TestResult>(
    name: &str,
    topology: &str,
    options: Options,
    body: impl FnOnce(&netns_test::Net) -> R,
) {
    let topo = topology::parse(topology).unwrap();
    let dir = dir(name);
    let err = run(&topo, options.forensics_dir(&dir), body).unwrap_err();
    insta::assert_snapshot!(name, redact(&err, &dir));
    let _ = std::fs::remove_dir_all(&dir);
}

const PAIR: &str = "a 10.0.0.1/24 -- b 10.0.0.2/24";

#[test]
fn report_of_a_failing_check() {
    // c is two hops from a, and a has no route to it.
    snapshot(
        "failed_check",
        "node b forward
         a 10.0.0.1/24 -- b 10.0.0.2/24
         b:eth1 10.0.1.1/24 -- c 10.0.1.2/24
         route c default via 10.0.1.1
         expect a -> c",
        Options::new(),
        |_| {},
    );
}

#[test]
fn report_of_a_body_panic() {
    snapshot("body_panic", PAIR, Options::new(), |net| -> () {
        let b = net.node("b").addr();
        panic!("the server at {b} never answered");
    });
}

#[test]
fn report_of_a_body_err() {
    snapshot("body_err", PAIR, Options::new(), |_| {
        Err::<(), _>(std::io::Error::other("connection refused"))
    });
}

#[test]
fn report_of_a_timeout_has_the_state_at_the_deadline() {
    snapshot(
        "timeout",
        PAIR,
        Options::new().timeout(Duration::from_millis(500)),
        |net| -> () {
            // Leaves a trace in the state: a's neighbour entry for b.
            net.ping("a", "b").unwrap();
            loop {
                std::thread::park();
            }
        },
    );
}

#[test]
fn report_of_a_build_failure_has_the_state_reached() {
    // b's sysctl does not exist: host and a are made, b and c are not.
    snapshot(
        "build_failure",
        "a 10.0.0.1/24 -- b 10.0.0.2/24
         b:eth1 -- c
         node b sysctl net.ipv4.no_such_knob=1",
        Options::new(),
        |_| {},
    );
}

#[test]
fn report_of_an_abort() {
    snapshot("abort", PAIR, Options::new(), |_| -> () {
        std::process::abort()
    });
}
