//! A failing test's whole output, as a user sees it: the fixture binary
//! `fixtures/failures.rs` run like `cargo test` would, its stdout and stderr read
//! together. The failure is said once, headed by the test's own `file:line:col`, with
//! one backtrace at most; its artifacts go to the binary's target directory; its page
//! is well-formed and marks the failed link.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SOURCE: &str = "tests/fixtures/failures.rs";

fn fixture() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| netns_test_tests::fixture_binary("fixture-failures"))
}

/// Runs one test of the fixture (`--exact`) with `env`, from `cwd`; all it printed.
fn run_in(cwd: &Path, test: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(fixture())
        .args(["--exact", test])
        .args(args)
        .env_remove("NETNS_TEST_CAPTURE")
        .env_remove("NETNS_TEST_KEEP")
        .envs(env.iter().copied())
        .current_dir(cwd)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101), "{test} fails");
    let mut all = String::from_utf8_lossy(&out.stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&out.stderr));
    all
}

fn run(test: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), test, args, env)
}

/// The `panicked at` lines.
fn headlines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.contains("panicked at ")).collect()
}

#[test]
fn a_body_panic_is_said_once_at_the_bodys_line() {
    for args in [&[][..], &["--nocapture"][..], &["--test-threads=1"][..]] {
        let out = run("body_panics", args, &[("RUST_BACKTRACE", "0")]);
        assert_eq!(
            out.matches("the server at 10.0.0.2 went away").count(),
            1,
            "{args:?}: the message once:\n{out}"
        );
        let heads = headlines(&out);
        assert_eq!(heads.len(), 1, "{args:?}: one headline:\n{out}");
        assert!(
            heads[0].starts_with("thread 'body_panics'")
                && heads[0].ends_with(&format!("panicked at {SOURCE}:10:5:")),
            "{args:?}: the body's own line: {}",
            heads[0]
        );
        assert!(
            !out.contains("netns-test/src/"),
            "no harness location:\n{out}"
        );
        assert!(!out.contains("stack backtrace:"), "{out}");
        // Then the report: the state of every node.
        assert!(
            out.contains("node state, read after the worker ended:"),
            "{out}"
        );
        assert!(out.contains("    eth0: 10.0.0.2/24\n"), "{out}");
    }
}

#[test]
fn rust_backtrace_gives_one_backtrace_the_bodys() {
    let out = run("body_panics", &[], &[("RUST_BACKTRACE", "1")]);
    assert_eq!(out.matches("stack backtrace:").count(), 1, "{out}");
    let bt = out.split("stack backtrace:").nth(1).unwrap();
    assert!(
        bt.contains("failures::body_panics"),
        "the body's frame:\n{bt}"
    );
    assert!(bt.contains(&format!("{SOURCE}:10:5")), "{bt}");
    assert!(
        !bt.contains("netns_test::runner"),
        "short: no harness frames:\n{bt}"
    );
    assert_eq!(headlines(&out).len(), 1, "{out}");
}

#[test]
fn failures_that_are_not_panics_point_at_the_test() {
    for (test, message) in [
        (
            "body_returns_err",
            "the body returned Err: \"the handshake was refused\"",
        ),
        ("check_fails", "2 checks failed:"),
        ("times_out", "timed out after 300ms in phase body"),
    ] {
        let out = run(test, &[], &[]);
        assert_eq!(out.matches(message).count(), 1, "{test}: once:\n{out}");
        let heads = headlines(&out);
        assert_eq!(heads.len(), 1, "{test}:\n{out}");
        assert!(
            heads[0].contains(&format!("panicked at {SOURCE}:")),
            "{test}: the test's own file: {}",
            heads[0]
        );
        assert!(!out.contains("netns-test/src/"), "{test}:\n{out}");
        assert!(
            out.contains("diagram:\n  [a] eth0 10.0.0.1/24 ----"),
            "{test}:\n{out}"
        );
        assert!(
            out.contains("node b:\n  links:\n"),
            "{test}: b's state:\n{out}"
        );
    }
    let out = run("times_out", &[], &[]);
    assert!(
        out.contains("node state, read at the deadline, before the sandbox was killed:"),
        "{out}"
    );
    let out = run("unknown_node", &[], &[]);
    assert!(
        headlines(&out)[0].ends_with(&format!("panicked at {SOURCE}:33:9:")),
        "the caller of Net::node: {out}"
    );
}

#[test]
fn a_misconfigured_variable_fails_the_test_with_the_accepted_values() {
    let out = run("body_panics", &[], &[("NETNS_TEST_CAPTURE", "onfailure")]);
    assert!(
        out.contains(
            "NETNS_TEST_CAPTURE=\"onfailure\" is not understood; accepted values: \
             on-failure (the default), always, never"
        ),
        "{out}"
    );
    assert!(!out.contains("went away"), "nothing ran:\n{out}");
}

/// The target directory the fixture was built in (cargo's CACHEDIR.TAG marks it).
fn target_dir() -> PathBuf {
    fixture()
        .ancestors()
        .find(|a| a.join("CACHEDIR.TAG").is_file())
        .expect("the fixture lives in a cargo target directory")
        .to_path_buf()
}

#[test]
fn artifacts_go_to_the_binarys_target_dir_and_the_page_marks_the_failed_link() {
    let elsewhere = std::env::temp_dir().join(format!("netns-test-cwd-{}", std::process::id()));
    std::fs::create_dir_all(&elsewhere).unwrap();
    // Named by the test's path, crate first: two binaries' tests never share one.
    let dir = target_dir()
        .join("netns-test")
        .join("fixture_failures.check_fails");
    let _ = std::fs::remove_dir_all(&dir);
    let out = run_in(&elsewhere, "check_fails", &[], &[]);
    assert!(
        !elsewhere.join("target").exists(),
        "nothing under the current directory"
    );
    assert!(
        out.contains(&format!(
            "forensics: {}/ (report.txt, report.html, capture.pcapng",
            dir.display()
        )),
        "{out}"
    );
    for f in ["report.txt", "report.html", "capture.pcapng"] {
        assert!(dir.join(f).is_file(), "{f} in {}", dir.display());
    }

    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is well-formed: {e}\n{html}"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "no external assets"
    );
    let svg = doc
        .descendants()
        .find(|n| n.has_tag_name("svg"))
        .expect("an SVG drawing");
    let names: Vec<String> = svg
        .descendants()
        .filter(|n| n.has_tag_name("g"))
        .filter_map(|n| n.attribute("id").map(str::to_string))
        .collect();
    assert_eq!(names, ["a", "b"], "the SVG names every node");
    let failed: Vec<String> = svg
        .descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("class") == Some("failed"))
        .filter_map(|n| n.descendants().find(|t| t.has_tag_name("title")))
        .filter_map(|t| t.text().map(str::to_string))
        .collect();
    assert_eq!(
        failed,
        ["a:eth0 -- b:eth0 (a failed check)"],
        "the failed link is marked"
    );
    let texts: String = svg.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts.contains("10.0.0.1/24") && texts.contains("10.0.0.2/24"),
        "addresses"
    );
    assert!(html.contains("href=\"capture.pcapng\""), "the capture file");
    let _ = std::fs::remove_dir_all(&elsewhere);
}
