//! `#[netns_test]` behaves like `#[test]`: filters, `--exact`, `--list`, ignore,
//! should_panic, Result and async bodies, captured output, thread counts. Each is
//! proven by running the fixture binary `fixtures/conventions.rs` and reading what
//! libtest printed and how it exited.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The fixture binary, built once.
fn fixture() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| netns_test_tests::fixture_binary("fixture-conventions"))
}

struct Run {
    code: i32,
    stdout: String,
}

fn run(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(fixture()).args(args).output().unwrap();
    let mut all = String::from_utf8_lossy(&stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&stderr));
    Run {
        code: status.code().unwrap_or(-1),
        stdout: all,
    }
}

impl Run {
    fn has(&self, line: &str) -> bool {
        self.stdout.lines().any(|l| l.trim_end() == line)
    }

    fn summary(&self) -> &str {
        self.stdout
            .lines()
            .find(|l| l.starts_with("test result:"))
            .unwrap_or("")
    }
}

#[test]
fn list_shows_every_test() {
    let r = run(&["--list"]);
    assert_eq!(r.code, 0);
    for name in [
        "pass_sync",
        "pass_async",
        "pass_ignored",
        "fail_with_output",
    ] {
        assert!(
            r.has(&format!("{name}: test")),
            "{name} in --list:\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_filter_runs_only_matching_tests_and_the_pass_ones_pass() {
    let r = run(&["pass_"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.summary()
            .starts_with("test result: ok. 7 passed; 0 failed; 1 ignored"),
        "{}",
        r.stdout
    );
}

#[test]
fn exact_runs_one_test() {
    let r = run(&["--exact", "pass_sync"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.summary().contains("1 passed"), "{}", r.stdout);
    assert!(r.summary().contains("filtered out"), "{}", r.stdout);
}

#[test]
fn ignored_tests_are_skipped_unless_asked_for() {
    let r = run(&["pass_ignored"]);
    assert!(r.has("test pass_ignored ... ignored"), "{}", r.stdout);
    let r = run(&["--ignored", "pass_"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.has("test pass_ignored ... ok"), "{}", r.stdout);
    assert!(r.summary().contains("1 passed"), "{}", r.stdout);
    let r = run(&["--include-ignored", "pass_"]);
    assert!(r.summary().contains("8 passed"), "{}", r.stdout);
}

#[test]
fn should_panic_with_and_without_expected_text() {
    let r = run(&["should_panic"]);
    assert!(
        r.has("test pass_should_panic - should panic ... ok"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("test pass_should_panic_expected - should panic ... ok"),
        "{}",
        r.stdout
    );
    assert!(
        r.has("test fail_should_panic_wrong_text - should panic ... FAILED"),
        "{}",
        r.stdout
    );
}

#[test]
fn result_and_async_bodies() {
    let r = run(&["result"]);
    assert!(r.has("test pass_result_ok ... ok"), "{}", r.stdout);
    assert!(r.has("test fail_result_err ... FAILED"), "{}", r.stdout);
    assert!(
        r.stdout.contains("the body returned Err: \"fixture err\""),
        "{}",
        r.stdout
    );
    let r = run(&["async"]);
    assert!(r.has("test pass_async ... ok"), "{}", r.stdout);
    assert!(r.has("test pass_async_result ... ok"), "{}", r.stdout);
    assert!(
        r.has("test fail_async_result_err ... FAILED"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("async fixture err"), "{}", r.stdout);
}

#[test]
fn output_is_captured_and_shown_for_failing_tests_only() {
    let r = run(&["_with_output", "pass_sync"]);
    assert_ne!(r.code, 0);
    assert!(r.has("---- fail_with_output stdout ----"), "{}", r.stdout);
    assert!(
        r.stdout.contains("stdout of fail_with_output"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("stderr of fail_with_output"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("fixture failure"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("stdout of pass_sync"),
        "passing output is captured:\n{}",
        r.stdout
    );
}

#[test]
fn nocapture_shows_output() {
    let r = run(&["--exact", "pass_sync", "--nocapture"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("stdout of pass_sync"), "{}", r.stdout);
    assert!(r.stdout.contains("stderr of pass_sync"), "{}", r.stdout);
}

#[test]
fn one_thread_and_sixteen_threads() {
    for threads in ["--test-threads=1", "--test-threads=16"] {
        let r = run(&["pass_", threads]);
        assert_eq!(r.code, 0, "{threads}: {}", r.stdout);
        assert!(r.summary().contains("7 passed"), "{threads}: {}", r.stdout);
        let r = run(&["fail_", threads]);
        assert_eq!(r.code, 101, "{threads}: {}", r.stdout);
        assert!(
            r.summary().contains("0 passed; 4 failed"),
            "{threads}: {}",
            r.stdout
        );
    }
}
