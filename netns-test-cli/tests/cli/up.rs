//! `netns-test up FILE [NODE] [-- CMD ARGS...]`, with a command (the interactive shell
//! is in `pty.rs`).

use super::{netns_test, Scratch, TWO_HOMES};

#[test]
fn a_command_runs_inside_the_node_and_reaches_the_others() {
    let s = Scratch::new("up");
    s.file("two_homes.topo", TWO_HOMES);
    let script = "ip -br addr show dev eth0; echo node=$NETNS_TEST_NODE; pwd; \
                  ip netns exec b ip -br addr show dev eth0; \
                  ping -c1 -W2 10.0.2.2 >/dev/null && echo ping=ok; exit 7";
    let r = netns_test(
        &s.0,
        &["up", "two_homes.topo", "a", "--", "sh", "-c", script],
        &[],
    );
    assert_eq!(r.code, 7, "the command's exit code: {r:?}");
    let lines: Vec<Vec<&str>> = r
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0][..3], ["eth0@if2", "UP", "10.0.1.2/24"], "{r:?}");
    assert_eq!(lines[1], ["node=a"], "{r:?}");
    assert_eq!(
        lines[2],
        [s.0.to_str().unwrap()],
        "in the current directory: {r:?}"
    );
    assert_eq!(lines[3][2], "10.0.2.2/24", "ip netns exec b: {r:?}");
    assert_eq!(lines[4], ["ping=ok"], "across the router: {r:?}");
    // A command is quiet: no banner.
    assert!(!r.stderr.contains("is up"), "{r:?}");
}

#[test]
fn everything_the_session_started_is_gone_when_it_ends() {
    let s = Scratch::new("up-gone");
    s.file("two_homes.topo", TWO_HOMES);
    // A process left running in the background, with an argument no other has.
    let marker = format!("{}.{}", std::process::id(), 4321);
    let script = format!("sleep {marker} & echo started");
    let r = netns_test(
        &s.0,
        &["up", "two_homes.topo", "b", "--", "sh", "-c", &script],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.has_line("started"), "{r:?}");
    // The sandbox's PID namespace ended with its init: nothing of it is left. (The
    // kernel kills the namespace's processes before the sandbox's exit is reported,
    // and `up` returns after that.)
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&marker))
        .collect();
    assert!(left.is_empty(), "left running: {left:?}");
}

#[test]
fn mistakes_unknown_nodes_and_missing_programs() {
    let s = Scratch::new("up-errors");
    s.file("two_homes.topo", TWO_HOMES);
    s.file("bad.topo", "a -- b 10.0.0.300/24\n");
    let r = netns_test(&s.0, &["up", "bad.topo", "--", "true"], &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.starts_with("bad.topo:1:8: expected an address"),
        "{r:?}"
    );
    let r = netns_test(&s.0, &["up", "two_homes.topo", "c", "--", "true"], &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("two_homes.topo has no node \"c\"; nodes: host, r, a, b"),
        "{r:?}"
    );
    let r = netns_test(
        &s.0,
        &["up", "two_homes.topo", "--", "no-such-program-here"],
        &[],
    );
    assert_eq!(r.code, 127, "{r:?}");
    // What exec's PATH search says: ENOENT, or EACCES when a directory of PATH cannot
    // be searched (the rootless pass runs as nobody with root's PATH).
    assert!(
        ["No such file or directory", "Permission denied"]
            .iter()
            .any(|why| r.stderr.contains(&format!("no-such-program-here: {why}"))),
        "{r:?}"
    );
}

#[test]
fn failed_checks_are_said_and_the_session_opens_anyway() {
    let s = Scratch::new("up-checks");
    // No route back from b: `expect a -> b` fails.
    s.file(
        "one_way.topo",
        "node r forward\na 10.0.1.2/24 -- r:left 10.0.1.1/24\n\
         r:right 10.0.2.1/24 -- b 10.0.2.2/24\nroute a default via 10.0.1.1\nexpect a -> b\n",
    );
    let r = netns_test(
        &s.0,
        &["up", "one_way.topo", "b", "--", "echo", "inside"],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("the checks failed (the session opens anyway)"),
        "{r:?}"
    );
    assert!(r.stderr.contains("expect a -> b: "), "{r:?}");
    assert!(r.has_line("inside"), "{r:?}");
    let r = netns_test(
        &s.0,
        &["up", "one_way.topo", "--no-checks", "--", "true"],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.is_empty(), "{r:?}");
}
