//! `netns-test check FILE...`

use super::{netns_test, Scratch, TWO_HOMES};

#[test]
fn good_files_pass_and_a_mistake_is_shown_at_its_line_and_column() {
    let s = Scratch::new("check");
    s.file("two_homes.topo", TWO_HOMES);
    s.file("bad.topo", "# a typo in an address\na -- b 10.0.0.300/24\n");
    let r = netns_test(&s.0, &["check", "two_homes.topo"], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.has_line("two_homes.topo: ok (4 nodes, 2 links, 0 bridges)"),
        "{r:?}"
    );

    let r = netns_test(
        &s.0,
        &["check", "two_homes.topo", "bad.topo", "gone.topo"],
        &[],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.has_line("two_homes.topo: ok (4 nodes, 2 links, 0 bridges)"),
        "{r:?}"
    );
    // The same message as the macro's compile error, then the line and a caret.
    assert!(
        r.stderr.contains(
            "bad.topo:2:8: expected an address like 10.0.0.1/24, found \"10.0.0.300/24\"\n  \
             |\n\
             2 | a -- b 10.0.0.300/24\n  \
             |        ^\n"
        ),
        "{r:?}"
    );
    assert!(
        r.stderr.contains("gone.topo: No such file or directory"),
        "{r:?}"
    );
    assert!(r.stderr.contains("2 of 3 files have mistakes"), "{r:?}");
}

#[test]
fn a_rule_across_statements_is_checked_too() {
    let s = Scratch::new("check-rule");
    s.file("gw.topo", "a -- b\nroute a default via 10.9.0.1\n");
    let r = netns_test(&s.0, &["check", "gw.topo"], &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .starts_with("gw.topo:2:21: gateway 10.9.0.1 is on no connected subnet of a"),
        "{r:?}"
    );
}
