//! Texts of a mebibyte: every kind of statement repeated, very long lines, words
//! and comments, separators alone. The parser answers each (a model or an error)
//! without overflowing its stack or taking minutes: it does not recurse, and every
//! lookup per statement is by index, so it stays linear in the text (a `node`
//! statement per line once took 143 s for a mebibyte, a route per node 10 s).

use netns_test_topology::parse;
use std::time::Duration;

const MIB: usize = 1 << 20;

/// Parses `text` on a thread with a small stack (as a test thread has) and waits
/// for the answer: an error names the shape, a model must print and parse back.
fn answers(shape: &str, text: String) {
    assert!(text.len() >= MIB * 7 / 10, "{shape}: {} bytes", text.len());
    let (tx, rx) = std::sync::mpsc::channel();
    let shape_owned = shape.to_string();
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let answer = match parse(&text) {
                Ok(t) => {
                    let printed = t.to_string();
                    assert_eq!(parse(&printed).as_ref(), Ok(&t), "{shape_owned}");
                    "a model".to_string()
                }
                Err(e) => format!("error at {}:{}", e.line, e.col),
            };
            let _ = tx.send(answer);
        })
        .unwrap();
    // A guard against a hang, not a measure: a linear parse takes a second or two.
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(answer) => eprintln!("{shape}: {answer}"),
        Err(e) => panic!("{shape}: no answer within 120 s ({e}): a quadratic path?"),
    }
}

fn lines(n: usize, line: impl Fn(usize) -> String) -> String {
    (0..n).map(|i| line(i) + "\n").collect()
}

#[test]
fn separators_words_and_comments() {
    answers("newlines", "\n".repeat(MIB));
    answers("semicolons", ";".repeat(MIB));
    answers("spaces", " ".repeat(MIB));
    answers("one word", "a".repeat(MIB));
    answers("one comment", format!("#{}", "x".repeat(MIB)));
    answers(
        "one long link line",
        format!("a -- b {}", "mtu 1500 ".repeat(MIB / 9)),
    );
    answers(
        "directions",
        format!("a -- b {}", "a->b: delay 1ms ".repeat(MIB / 16)),
    );
}

#[test]
fn nodes_and_links() {
    answers("node statements", lines(MIB / 12, |i| format!("node n{i}")));
    answers("a chain", lines(60_000, |i| format!("n{i} -- n{}", i + 1)));
    answers(
        "one node's links",
        lines(MIB / 12, |i| format!("a -- n{i}")),
    );
    answers(
        "addresses on one end",
        format!(
            "a {} -- b",
            lines(MIB / 15, |i| format!(
                "10.{}.{}.1/32",
                i / 256 % 256,
                i % 256
            ))
            .replace('\n', " ")
        ),
    );
    answers(
        "written addresses",
        lines(MIB / 40, |i| {
            let (x, y) = (i / 256 % 256, i % 256);
            format!("n{i} 10.{x}.{y}.1/30 -- m{i} 10.{x}.{y}.2/30")
        }),
    );
}

#[test]
fn bridges() {
    answers(
        "one bridge",
        format!(
            "bridge br0\n{}",
            lines(MIB / 12, |i| format!("n{i} -- br0"))
        ),
    );
    answers(
        "small MTUs on a bridge with IPv6",
        format!(
            "bridge br0 fd00::1/64\n{}",
            lines(MIB / 20, |i| format!("n{i} -- br0 mtu 1000"))
        ),
    );
    answers(
        "small MTUs on a bridge without IPv6",
        format!(
            "bridge br0\n{}",
            lines(MIB / 20, |i| format!("n{i} -- br0 mtu 1000"))
        ),
    );
    answers(
        "bridges of 250",
        lines(MIB / 12, |i| match i % 250 {
            0 => format!("bridge b{}\nn{i} -- b{}", i / 250, i / 250),
            _ => format!("n{i} -- b{}", i / 250),
        }),
    );
}

#[test]
fn routes_and_expects() {
    let pairs = lines(5000, |i| format!("n{i} -- m{i}"));
    answers(
        "routes",
        pairs.clone()
            + &lines(20_000, |i| {
                let s = i % 5000 + 1;
                format!(
                    "route n{} 10.{}.{}.0/24 via 10.{}.{}.2",
                    i % 5000,
                    100 + i / 5000,
                    s % 256,
                    s / 256,
                    s % 256
                )
            }),
    );
    answers(
        "expects",
        pairs
            + &lines(40_000, |i| {
                format!("expect n{} -> m{}", i % 5000, i * 7 % 5000)
            }),
    );
    answers(
        "expects of one pair",
        format!("a -- b\n{}", "expect a <-> b\n".repeat(MIB / 15)),
    );
}

#[test]
fn nats_and_forwards() {
    answers(
        "a NAT per router",
        lines(MIB / 70, |i| {
            let (x, y) = (i / 256 % 256, i % 256);
            format!("node r{i} forward\nr{i}:wan 10.{x}.{y}.1/24 -- s{i}\nnat r{i}:wan full-cone")
        }),
    );
    let home = "node r forward\nc 192.168.0.2/16 -- r:lan 192.168.0.1/16\n\
                r:wan 203.0.113.1/24 -- s 203.0.113.2/24\nnat r:wan symmetric\n";
    answers(
        "forwards of one NAT",
        home.to_string()
            + &lines(65_535, |i| {
                format!("forward r:wan udp {} -> c:{}", i + 1, i + 1)
            }),
    );
    answers(
        "forwards to addresses",
        home.to_string()
            + &lines(65_535, |i| {
                format!(
                    "forward r:wan tcp {} -> 192.168.{}.{}:80",
                    i + 1,
                    i / 256,
                    i % 256
                )
            }),
    );
    answers(
        "forwards without a NAT",
        lines(MIB / 30, |i| format!("forward r{i}:wan udp 1 -> c:1")),
    );
}
