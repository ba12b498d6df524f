//! Node, bridge and interface names.

use super::{err, ok};
use crate::parse::names::KEYWORDS;

#[test]
fn names() {
    ok("a_1-b -- z9");
    ok("abcdefghijklmno -- b");
    assert_eq!(
        err("abcdefghijklmnop -- b"),
        "topology:1:1: name \"abcdefghijklmnop\" is too long: at most 15 bytes"
    );
    for bad in ["A", "1a", "a.b", "é", "_a", "a/b"] {
        assert_eq!(
            err(&format!("{bad} -- b")),
            format!(
                "topology:1:1: invalid name {bad:?}: a name is a lowercase letter followed \
                 by lowercase letters, digits, \"_\" or \"-\""
            )
        );
    }
    // `mtu` there is read as the link's option, out of place.
    assert_eq!(
        err("a -- mtu"),
        "topology:1:6: expected a node or bridge name, found \"mtu\""
    );
    for keyword in KEYWORDS
        .iter()
        .filter(|k| **k != "mtu" && !crate::impair::OPTIONS.contains(k))
    {
        assert_eq!(
            err(&format!("a -- {keyword}")),
            format!("topology:1:6: {keyword:?} is a keyword and cannot be a name")
        );
    }
}

#[test]
fn interface_name_errors() {
    assert_eq!(
        err("a: -- b"),
        "topology:1:3: expected an interface name after \":\""
    );
    assert_eq!(
        err("a:eth0:1 -- b"),
        "topology:1:3: interface name \"eth0:1\" cannot contain \":\""
    );
    assert_eq!(
        err("a:eth/0 -- b"),
        "topology:1:3: interface name \"eth/0\" cannot contain \"/\""
    );
    assert_eq!(
        err("a:e\u{1}th -- b"),
        "topology:1:3: interface name \"e\\u{1}th\" cannot contain \"\\u{1}\""
    );
    assert_eq!(
        err("ab:abcdefghijklmnop -- b"),
        "topology:1:4: interface name \"abcdefghijklmnop\" is too long: at most 15 bytes"
    );
    // Bytes, not characters: "é" is two.
    assert_eq!(
        err("a:ééééééééé -- b"),
        "topology:1:3: interface name \"ééééééééé\" is too long: at most 15 bytes"
    );
    assert_eq!(
        err("a:. -- b"),
        "topology:1:3: \".\" cannot be an interface name"
    );
    assert_eq!(
        err("a:.. -- b"),
        "topology:1:3: \"..\" cannot be an interface name"
    );
    assert_eq!(
        err("é -- a:lo"),
        "topology:1:1: invalid name \"é\": a name is a lowercase letter followed by \
         lowercase letters, digits, \"_\" or \"-\""
    );
    assert_eq!(
        err("x -- a:lo"),
        "topology:1:8: interface name \"lo\" is taken: every node has its loopback \
         interface lo"
    );
}
