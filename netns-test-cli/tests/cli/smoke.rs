//! `netns-test smoke PATH... [-- LIBTEST-ARGS]`: every file built in a sandbox.

use super::{netns_test, Scratch, TWO_HOMES};

/// A directory with a topology that holds, one whose expectation cannot (no route
/// back), and one that does not parse.
fn suite() -> Scratch {
    let s = Scratch::new("smoke");
    s.file("topologies/two_homes.topo", TWO_HOMES);
    s.file(
        "topologies/more/one_way.topo",
        "a 10.0.1.2/24 -- r:left 10.0.1.1/24\nr:right 10.0.2.1/24 -- b 10.0.2.2/24\n\
         node r forward\nroute a default via 10.0.1.1\nexpect a -> b\n",
    );
    s.file("topologies/typo.topo", "a -- b mtu nine\n");
    s
}

#[test]
fn each_file_is_a_trial_then_the_table_and_failures_leave_their_report() {
    let s = suite();
    let r = netns_test(&s.0, &["smoke", "topologies"], &[]);
    assert_eq!(r.code, 101, "{r:?}");
    assert!(r.has_words("test two_homes ... ok"), "{r:?}");
    assert!(r.has_words("test more/one_way ... FAILED"), "{r:?}");
    assert!(r.has_words("test typo ... FAILED"), "{r:?}");
    assert!(r.stdout.contains("expect a -> b: "), "{r:?}");
    assert!(r.stdout.contains("typo.topo:1:12: "), "{r:?}");
    // The table: a header, one row per file, in file order, and the total.
    let rows: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("topology "))
        .collect();
    assert!(
        rows[0]
            .split_whitespace()
            .eq(["topology", "nodes", "links", "build", "ms", "checks", "ms", "result"]),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("more/one_way ") && rows[1].ends_with("FAILED in checks"),
        "{rows:?}"
    );
    assert!(
        rows[2].starts_with("two_homes ") && rows[2].ends_with("ok"),
        "{rows:?}"
    );
    assert!(
        rows[3].starts_with("typo ") && rows[3].ends_with("FAILED: parse error"),
        "{rows:?}"
    );
    assert!(
        rows[4].starts_with("3 topologies: 1 ok, 2 failed, 0 ignored;"),
        "{rows:?}"
    );
    // The failed build's report and capture, under the target directory.
    let dir = s.0.join("target-dir/netns-test/smoke/more-one_way");
    let report = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    assert!(report.contains("expect a -> b"), "{report}");
    assert!(dir.join("capture.pcapng").is_file());
}

#[test]
fn libtest_arguments_select_and_list() {
    let s = suite();
    let r = netns_test(
        &s.0,
        &["smoke", "topologies", "--", "two_homes", "--exact"],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.has_words("test two_homes ... ok"), "{r:?}");
    assert!(
        r.stdout
            .contains("1 passed; 0 failed; 0 ignored; 0 measured; 2 filtered out"),
        "{r:?}"
    );
    let r = netns_test(
        &s.0,
        &[
            "smoke",
            "topologies/two_homes.topo",
            "topologies/typo.topo",
            "--",
            "--list",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.has_line("two_homes: test") && r.has_line("typo: test"),
        "{r:?}"
    );
    assert!(
        !r.stdout.contains("topology "),
        "no table with --list: {r:?}"
    );
    let r = netns_test(&s.0, &["smoke", "nowhere"], &[]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("nowhere"), "{r:?}");
}
