//! The failure report of a failing 3-node topology, as a snapshot: what failed, then
//! every node's links, addresses, routes and neighbours, then the topology. MACs,
//! link-local addresses, neighbour states and timings vary from run to run and are
//! redacted; link-local neighbours (IPv6 housekeeping that comes and goes) are left
//! out. Interface indexes stay: the builder chooses them, so they are stable.

use netns_test::{run, topology, Options};
use regex::Regex;

fn redact(report: &str) -> String {
    let report: String = report
        .lines()
        .filter(|l| !(l.trim_start().starts_with("fe80::") && l.contains(" dev ")))
        .map(|l| format!("{l}\n"))
        .collect();
    let rules = [
        (r"([0-9a-f]{2}:){5}[0-9a-f]{2}", "[mac]"),
        (r"fe80::[0-9a-f:]+/64", "[link-local]/64"),
        (r"\b(REACHABLE|STALE|DELAY|PROBE)\b", "[state]"),
        (r"within \d+(\.\d+)?m?s", "within [time]"),
    ];
    rules.iter().fold(report, |text, (pattern, with)| {
        Regex::new(pattern)
            .unwrap()
            .replace_all(&text, *with)
            .into_owned()
    })
}

#[test]
fn report_of_a_failing_three_node_topology() {
    // c is two hops from a, and a has no route to it.
    let topo = topology::parse(
        "node b forward
         a 10.0.0.1/24 -- b 10.0.0.2/24
         b:eth1 10.0.1.1/24 -- c 10.0.1.2/24
         route c default via 10.0.1.1
         expect a -> c",
    )
    .unwrap();
    let err = run(&topo, Options::new(), |_| {}).unwrap_err();
    insta::assert_snapshot!(redact(&err.to_string()));
}
