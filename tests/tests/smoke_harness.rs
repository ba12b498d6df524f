//! The smoke harness (`netns_test::smoke::main`, the `smoke` test target) behaves like
//! a libtest binary and reports what a topology did. Each test runs the real `smoke`
//! binary on a fixture directory under `smoke-fixtures/` (every trial in a real
//! sandbox) and reads what it printed and how it exited.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `smoke` test binary: built by cargo now (as `fixture()` in conventions.rs
/// does), or, where cargo cannot run (the rootless pass runs test binaries as another
/// user, without cargo), the newest one beside this test binary.
fn smoke_binary() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| match build_with_cargo() {
        Ok(path) => path,
        Err(why) => {
            let path = sibling().unwrap_or_else(|| {
                panic!("no smoke binary: cargo failed ({why}) and none was built beside this test")
            });
            eprintln!("cargo failed ({why}); using {}", path.display());
            path
        }
    })
}

fn build_with_cargo() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "test",
            "-p",
            "netns-test-tests",
            "--test",
            "smoke",
            "--no-run",
            "--message-format=json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"]["name"] == "smoke")
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo named no executable for the smoke target".into())
}

/// `target/<profile>/deps/smoke-<hash>`, the newest if several.
fn sibling() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    std::fs::read_dir(exe.parent()?)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix("smoke-")
                .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("smoke-fixtures")
        .join(name)
}

/// What one run of the smoke binary printed (stdout, then stderr) and its exit code.
struct Run {
    code: i32,
    out: String,
}

impl Run {
    /// The verdict libtest printed for `name` (`ok`, `FAILED`, `ignored (...)`).
    fn verdict(&self, name: &str) -> Option<&str> {
        self.out.lines().find_map(|l| {
            let rest = l.strip_prefix("test ")?;
            let (trial, verdict) = rest.split_once(" ... ")?;
            (trial.trim_end() == name).then_some(verdict)
        })
    }

    fn summary(&self) -> &str {
        self.out
            .lines()
            .find(|l| l.starts_with("test result:"))
            .unwrap_or("")
    }

    fn has(&self, text: &str) -> bool {
        self.out.contains(text)
    }
}

/// Runs the smoke binary on `dir` (a fixture directory) with libtest `args`.
fn smoke(dir: &str, args: &[&str]) -> Run {
    smoke_with(dir, args, &[], &[])
}

fn smoke_with(dir: &str, args: &[&str], env: &[(&str, &Path)], wrap: &[&str]) -> Run {
    let mut cmd = match wrap.split_first() {
        Some((prog, rest)) => {
            let mut c = Command::new(prog);
            c.args(rest).arg(smoke_binary());
            c
        }
        None => Command::new(smoke_binary()),
    };
    cmd.args(args)
        .env("NETNS_TEST_SMOKE_PATHS", fixture(dir))
        .env_remove("NETNS_TEST_SMOKE_TABLE")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running the smoke binary");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Run {
        code: out.status.code().unwrap_or(-1),
        out: text,
    }
}

const PASS: [&str; 5] = ["bridge", "pair", "sub/island", "sub/router", "v6"];

#[test]
fn every_file_passes_as_its_own_trial() {
    let r = smoke("pass", &[]);
    assert_eq!(r.code, 0, "{}", r.out);
    for name in PASS {
        assert_eq!(r.verdict(name), Some("ok"), "{name}: {}", r.out);
    }
    assert!(
        r.summary().starts_with(
            "test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out;"
        ),
        "{}",
        r.out
    );
    // The table is xtask's: not printed unless asked for.
    assert!(!r.has("build ms"), "{}", r.out);
}

#[test]
fn a_failing_expect_fails_its_trial_with_the_report() {
    let r = smoke("fail", &[]);
    assert_eq!(r.code, 101, "{}", r.out);
    assert_eq!(r.verdict("good"), Some("ok"), "{}", r.out);
    assert_eq!(r.verdict("wrong_expect"), Some("FAILED"), "{}", r.out);
    let report = r
        .out
        .split("---- wrong_expect ----\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no failure report: {}", r.out));
    let path = fixture("fail/wrong_expect.topo");
    // The file, what failed, then the runtime's report: the drawing and the nodes.
    assert!(
        report.starts_with(&format!("{}:\n1 check failed:\n", path.display())),
        "{report}"
    );
    assert!(
        report.contains("diagram:\n  [a] eth0 10.7.0.1/24 ---- 10.7.0.2/24 eth0 [b]\n"),
        "{report}"
    );
    assert!(report.contains("\nin phase checks\n"), "{report}");
    assert!(report.contains("expect a -x- b"), "{report}");
    assert!(report.contains("10.7.0.2"), "{report}");
    assert!(
        r.summary()
            .starts_with("test result: FAILED. 1 passed; 1 failed;"),
        "{}",
        r.out
    );
}

#[test]
fn a_parse_error_fails_its_trial_with_file_line_and_column() {
    let r = smoke("parse", &[]);
    assert_eq!(r.code, 101, "{}", r.out);
    assert_eq!(r.verdict("good"), Some("ok"), "{}", r.out);
    assert_eq!(r.verdict("bad_address"), Some("FAILED"), "{}", r.out);
    let want = format!(
        "---- bad_address ----\n{}:3:20: expected an address like 10.0.0.1/24, found \"10.8.1.300/24\"\n",
        fixture("parse/bad_address.topo").display()
    );
    assert!(r.has(&want), "{}", r.out);
}

#[test]
fn list_names_every_trial_by_its_relative_path() {
    for args in [&["--list"][..], &["--list", "--format", "terse"]] {
        let r = smoke("pass", args);
        assert_eq!(r.code, 0, "{}", r.out);
        let want: String = PASS.iter().map(|n| format!("{n}: test\n")).collect();
        assert_eq!(r.out, want);
    }
    // Nothing is ignored up front: what nextest asks to find ignored tests.
    let r = smoke("pass", &["--list", "--format", "terse", "--ignored"]);
    assert_eq!((r.code, r.out.as_str()), (0, ""));
    // A listing does not parse: a broken file is listed like any other.
    let r = smoke("parse", &["--list"]);
    assert_eq!(r.out, "bad_address: test\ngood: test\n");
}

#[test]
fn filters_exact_and_skip_select_trials() {
    let r = smoke("pass", &["sub/"]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(r.verdict("sub/island"), Some("ok"));
    assert_eq!(r.verdict("sub/router"), Some("ok"));
    assert_eq!(r.verdict("pair"), None);
    assert!(r
        .summary()
        .contains("2 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out"));

    let r = smoke("pass", &["--exact", "sub/router"]);
    assert_eq!(r.verdict("sub/router"), Some("ok"), "{}", r.out);
    assert!(r
        .summary()
        .contains("1 passed; 0 failed; 0 ignored; 0 measured; 4 filtered out"));
    // `--exact` matches the whole name: `router` alone is no trial.
    let r = smoke("pass", &["--exact", "router"]);
    assert!(r
        .summary()
        .contains("0 passed; 0 failed; 0 ignored; 0 measured; 5 filtered out"));

    let r = smoke("fail", &["--skip", "wrong"]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(r
        .summary()
        .contains("1 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out"));
}

#[test]
fn terse_format_and_one_thread() {
    let r = smoke("pass", &["--format", "terse", "--test-threads", "1"]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(r.out.contains("running 5 tests\n....."), "{}", r.out);
    assert!(!r.out.contains("test pair"), "{}", r.out);
}

#[test]
fn the_table_follows_the_report_when_asked() {
    let r = smoke_with(
        "fail",
        &["--test-threads", "1"],
        &[("NETNS_TEST_SMOKE_TABLE", Path::new("1"))],
        &[],
    );
    assert_eq!(r.code, 101, "{}", r.out);
    let table = r
        .out
        .split_once("topology      nodes  links  build ms  checks ms  result\n")
        .map(|(before, after)| {
            assert!(before.contains("test result: FAILED."), "{before}");
            after
        })
        .unwrap_or_else(|| panic!("no table: {}", r.out));
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    // name, nodes (host included), links, build ms, checks ms, result.
    assert_eq!(rows[0][..3], ["good", "3", "1"], "{table}");
    assert_eq!(rows[0][5..], ["ok"], "{table}");
    assert_eq!(rows[1][..3], ["wrong_expect", "3", "1"], "{table}");
    assert_eq!(rows[1][5..], ["FAILED", "in", "checks"], "{table}");
    for row in &rows[..2] {
        for ms in &row[3..5] {
            assert!(ms.parse::<f64>().is_ok(), "{table}");
        }
    }
    assert!(
        rows[2]
            .join(" ")
            .starts_with("2 topologies: 1 ok, 1 failed, 0 ignored;"),
        "{table}"
    );
}

#[test]
fn without_user_namespaces_every_trial_is_ignored_with_the_reason() {
    // A child user namespace whose limit of user namespaces is 0 (as unavailable.rs).
    let r = smoke_with(
        "pass",
        &[],
        &[],
        &[
            "unshare",
            "-Ur",
            "sh",
            "-c",
            "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\"",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.out);
    for name in PASS {
        let verdict = r.verdict(name).unwrap_or_default();
        assert!(
            verdict.starts_with(
                "ignored (netns-test cannot run here: user namespaces are unavailable"
            ),
            "{name}: {}",
            r.out
        );
    }
    assert!(
        r.summary()
            .starts_with("test result: ok. 0 passed; 0 failed; 5 ignored;"),
        "{}",
        r.out
    );
}

#[test]
fn nextest_partitions_cover_every_trial_once() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let nextest = |args: &[&str]| {
        Command::new(&cargo)
            .arg("nextest")
            .args(args)
            .env("NETNS_TEST_SMOKE_PATHS", fixture("pass"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
    };
    assert!(
        nextest(&["--version"]).is_ok_and(|o| o.status.success()),
        "cargo-nextest is not installed (or cargo cannot run here): \
         `cargo install cargo-nextest --locked`; the suite's own runner needs it too"
    );
    let mut seen = Vec::new();
    for part in ["hash:1/2", "hash:2/2"] {
        let out = nextest(&[
            "run",
            "-p",
            "netns-test-tests",
            "--test",
            "smoke",
            "--partition",
            part,
            "--no-fail-fast",
            "--color",
            "never",
        ])
        .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{part}: {text}");
        for line in text.lines() {
            let line = line.trim_start();
            if let Some((_, name)) = line.split_once("netns-test-tests::smoke ") {
                assert!(line.starts_with("PASS "), "{part}: {line}");
                seen.push(name.trim().to_string());
            }
        }
    }
    let unique: BTreeSet<&str> = seen.iter().map(String::as_str).collect();
    assert_eq!(unique.len(), seen.len(), "a trial ran twice: {seen:?}");
    assert_eq!(unique, PASS.into_iter().collect(), "{seen:?}");
}

/// Each bundled topology says what it shows in its first line.
#[test]
fn bundled_topologies_start_with_a_comment() {
    let files =
        netns_test::smoke::discover(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies")])
            .unwrap();
    assert!(files.len() >= 15, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f.path).unwrap();
        assert!(
            text.starts_with("# "),
            "{} starts with a comment",
            f.path.display()
        );
    }
}
