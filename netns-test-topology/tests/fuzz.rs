//! Whatever the text, the parser answers with a model or an error, never a panic;
//! and whatever it accepts prints back to a text that gives the same model.

use netns_test_topology::parse;
use proptest::prelude::*;

/// Words of the language, in and out of place, and some near misses.
const WORDS: &[&str] = &[
    "a",
    "b",
    "c",
    "r",
    "host",
    "br0",
    "br1",
    "a:eth0",
    "b:x",
    "host:v",
    "br0:p",
    "a:",
    ":x",
    "--",
    "->",
    "<->",
    "-x-",
    "-",
    "node",
    "bridge",
    "route",
    "expect",
    "forward",
    "sysctl",
    "mtu",
    "default",
    "via",
    "@a",
    "@host",
    "@",
    "@br0",
    "net.x=1",
    "net.ipv4.conf.all.x=0",
    "kernel.x=1",
    "net..x=1",
    "1500",
    "67",
    "65536",
    "10.0.0.1/24",
    "10.0.0.2/24",
    "10.0.1.1",
    "10.0.1.2",
    "10.0.0.300/24",
    "fd00::1/64",
    "fd00:1::2",
    "::/0",
    "0.0.0.0/0",
    "10.0.0.0/8",
    "224.0.0.1/4",
    "1.2.3.4/33",
    ";",
    "\n",
    "#",
    "# comment\n",
    " ",
    "\t",
    "é",
    "lo",
    "a:lo",
    "abcdefghijklmnop",
    "abcdefghijklmno",
];

const VALID: &[&str] = &[
    "a -- b",
    "a:veth-a 192.168.1.1/24 -- b:veth-b 192.168.1.2/24",
    "bridge br0 172.16.1.254/16\nns1 172.16.1.1/16 -- br0\nns2 172.16.1.2/16 -- br0\n\
     route ns1 default via 172.16.1.254\nexpect ns1 <-> ns2",
    "node r forward sysctl net.ipv4.conf.all.rp_filter=0\na 10.0.1.2/24 -- r:left 10.0.1.1/24\n\
     r:right 10.0.2.1/24 -- b 10.0.2.2/24\nroute a default via 10.0.1.1\n\
     route b 10.0.1.0/24 via 10.0.2.1\nc -- d\nexpect a <-> b\nexpect a -x- c",
    "bridge br0 @r fd00::1/64 mtu 9000; a -- br0; br0 -- host; bridge br1; br1 -- br0 mtu 1400\n\
     expect host -> fd00::1",
];

fn text_of_words() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(WORDS),
            prop::sample::select(&[" ", " ", "", "\n", ";"][..]),
        ),
        0..40,
    )
    .prop_map(|words| {
        words
            .into_iter()
            .map(|(w, sep)| format!("{w}{sep}"))
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, &'static str),
    ReplaceChar(usize, char),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..6).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), prop::sample::select(WORDS)).prop_map(|(at, w)| Edit::Insert(at, w)),
        (any::<usize>(), any::<char>()).prop_map(|(at, c)| Edit::ReplaceChar(at, c)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

/// Applies an edit at character positions, so that the text stays valid UTF-8.
fn apply(text: &str, edit: &Edit) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut lines: Vec<&str> = text.lines().collect();
    match *edit {
        Edit::Delete(at, n) => {
            let at = at % (chars.len() + 1);
            let end = (at + n).min(chars.len());
            chars.drain(at..end);
        }
        Edit::Insert(at, w) => {
            let at = at % (chars.len() + 1);
            chars.splice(at..at, w.chars());
        }
        Edit::ReplaceChar(at, c) => {
            if !chars.is_empty() {
                let at = at % chars.len();
                chars[at] = c;
            }
        }
        Edit::DuplicateLine(at) => {
            if !lines.is_empty() {
                let line = lines[at % lines.len()];
                lines.insert(at % lines.len(), line);
            }
            return lines.join("\n");
        }
        Edit::SwapLines(a, b) => {
            if !lines.is_empty() {
                let n = lines.len();
                lines.swap(a % n, b % n);
            }
            return lines.join("\n");
        }
    }
    chars.into_iter().collect()
}

/// No panic; an accepted text round-trips through the printer.
fn check(text: &str) -> Result<(), TestCaseError> {
    if let Ok(t) = parse(text) {
        let printed = t.to_string();
        prop_assert_eq!(parse(&printed), Ok(t), "{:?}\nprinted:\n{}", text, printed);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_printable_text(text in "\\PC{0,120}") {
        check(&text)?;
    }

    #[test]
    fn any_text_at_all(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn texts_made_of_the_languages_words(text in text_of_words()) {
        check(&text)?;
    }

    #[test]
    fn edited_valid_texts(
        base in prop::sample::select(VALID),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let text = edits.iter().fold(base.to_string(), |t, e| apply(&t, e));
        check(&text)?;
    }
}

#[test]
fn the_valid_texts_are_valid() {
    for text in VALID {
        parse(text).unwrap_or_else(|e| panic!("{text}\n{e}"));
    }
}

/// Errors point inside the text: a line that exists, a column at most one past
/// the end of it.
#[test]
fn error_positions_are_inside_the_text() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut errors = 0;
    for _ in 0..2000 {
        use proptest::strategy::ValueTree;
        let text = text_of_words().new_tree(&mut runner).unwrap().current();
        let Err(e) = parse(&text) else { continue };
        errors += 1;
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(e.line >= 1 && e.line <= lines.len(), "{text:?}: {e}");
        let len = lines[e.line - 1].chars().count();
        assert!(e.col >= 1 && e.col <= len + 1, "{text:?}: {e}");
    }
    assert!(errors > 1000);
}
