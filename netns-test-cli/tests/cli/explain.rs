//! `netns-test explain FILE`

use super::{netns_test, Scratch, TWO_HOMES};

#[test]
fn prints_the_topology_its_addresses_and_a_drawing() {
    let s = Scratch::new("explain");
    s.file("two_homes.topo", TWO_HOMES);
    s.file("auto.topo", "x -- y\n");
    let r = netns_test(&s.0, &["explain", "two_homes.topo"], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    for line in [
        "node r forward",
        "a:eth0 10.0.1.2/24 -- r:left 10.0.1.1/24",
        "route b default via 10.0.2.1",
        "r (forward)",
        "    left   10.0.1.1/24",
        "[r] right 10.0.2.1/24 ---- 10.0.2.2/24 eth0 [b]",
    ] {
        assert!(r.has_line(line), "{line:?} in\n{}", r.stdout);
    }
    let r = netns_test(&s.0, &["explain", "auto.topo"], &[]);
    assert!(
        r.has_line("    eth0  10.0.1.1/24 fd00:1::1/64  (auto)"),
        "{r:?}"
    );
}

#[test]
fn a_mistake_is_an_error() {
    let s = Scratch::new("explain-bad");
    s.file("bad.topo", "a -- via\n");
    let r = netns_test(&s.0, &["explain", "bad.topo"], &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(
        r.stderr.starts_with("bad.topo:1:6: \"via\" is a keyword"),
        "{r:?}"
    );
}
