//! NETNS_TEST_KEEP keeps a failed test's sandbox alive and prints how to enter each
//! node; a developer's command run that way sees the node's links. Killing the test
//! process releases everything.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_kept_sandbox_can_be_entered_and_released() {
    let exe = netns_test_tests::fixture_binary("fixture-conventions");
    let mut test = Command::new(exe)
        .args(["--exact", "kept_when_failing"])
        .env("NETNS_TEST_KEEP", "120")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(test.stderr.take().unwrap()).lines();
    let mut printed = String::new();
    let mut enter_b = None;
    for line in lines {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(cmd) = line.trim_start().strip_prefix("b ") {
            enter_b = Some(cmd.trim().to_string());
            break;
        }
    }
    let enter_b = enter_b.unwrap_or_else(|| panic!("no command for node b in:\n{printed}"));
    assert!(
        printed.contains("NETNS_TEST_KEEP: the sandbox of failed test"),
        "{printed}"
    );
    assert!(printed.contains("kept on purpose"), "{printed}");
    assert!(enter_b.starts_with("nsenter --target "), "{enter_b}");

    let mut words = enter_b.split_whitespace();
    let out = Command::new(words.next().unwrap())
        .args(words)
        .args(["ip", "-br", "link"])
        .output()
        .unwrap();
    let links = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{enter_b} ip -br link: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        links.contains("eth0@") && links.contains("lo"),
        "inside b: {links}"
    );

    let pid: u32 = enter_b.split_whitespace().nth(2).unwrap().parse().unwrap();
    test.kill().unwrap();
    test.wait().unwrap();
    let gone = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
    });
    assert!(
        gone,
        "the kept sandbox (pid {pid}) is still there after its test was killed"
    );
}
