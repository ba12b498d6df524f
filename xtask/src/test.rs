//! `cargo xtask test`: what CI runs, usable locally.
//!
//! fmt, clippy, the docs (`cargo doc` with warnings denied, then the doctests, which
//! nextest does not run), then the suite with cargo-nextest in two hash partitions
//! (after checking that together they list every test exactly once), the examples,
//! then the runtime's tests again as an unprivileged user, a short soak (`soak.rs`)
//! as root and rootless, the runtime compiled for macOS (`other_os.rs`), the smoke
//! suite with its table, and last the adoption test (minutes: it builds a crate from
//! the packages).

use crate::run::{cargo, check, show};
use std::collections::BTreeSet;

pub fn run() -> Result<(), String> {
    check(&mut cargo(&["fmt", "--all", "--check"]))?;
    // --all-features: the fixtures and the adoption test are linted too.
    check(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    check(cargo(&["doc", "--workspace", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings"))?;
    check(&mut cargo(&["test", "--doc", "--workspace"]))?;
    // The NAT tests read the kernel's table back with nft, an independent reader.
    crate::tools::ensure("nft", "nftables", "the NAT tests' cross-check")?;
    partitions_cover_the_suite()?;
    for part in ["hash:1/2", "hash:2/2"] {
        check(&mut cargo(&[
            "nextest",
            "run",
            "--workspace",
            "--partition",
            part,
        ]))?;
    }
    for example in EXAMPLES {
        check(&mut cargo(&[
            "run",
            "--quiet",
            "-p",
            "netns-test",
            "--example",
            example,
        ]))?;
    }
    if crate::run::is_root() {
        crate::rootless::run(crate::rootless::NOBODY)?;
    } else {
        eprintln!(
            "xtask: not root: the suite above already ran unprivileged; skipping the rootless pass"
        );
    }
    // A short soak, as root and rootless: every way a run can end, test processes
    // killed mid-test, and nothing left behind.
    let short = |rootless| crate::soak::Args {
        runs: 300,
        rootless,
        batch: 150,
        kill_every: 100,
    };
    crate::soak::run(short(None))?;
    if crate::run::is_root() {
        crate::soak::run(short(Some(crate::rootless::NOBODY)))?;
    }
    if crate::other_os::available() {
        let targets: Vec<String> = crate::other_os::DEFAULT_TARGETS
            .iter()
            .map(|t| t.to_string())
            .collect();
        crate::other_os::run(&targets)?;
    } else {
        eprintln!(
            "xtask: SKIPPED the other-OS check: no standard library source here, and only \
             root may install it (`cargo xtask other-os` says what it needs)"
        );
    }
    // The smoke suite ran above as a test target; once more for its timing table.
    crate::smoke::run(crate::smoke::Args::default())?;
    check(&mut cargo(&[
        "test",
        "-p",
        "netns-test-tests",
        "--features",
        "adoption",
        "--test",
        "adoption",
        "--",
        "--nocapture",
    ]))
}

/// `netns-test/examples/`, each run once: they must work, not only build.
const EXAMPLES: [&str; 3] = ["client_server", "faults", "smoke_suite"];

/// The two partitions are disjoint and together hold every test of the workspace.
fn partitions_cover_the_suite() -> Result<(), String> {
    let all = list(None)?;
    let one = list(Some("hash:1/2"))?;
    let two = list(Some("hash:2/2"))?;
    if all.is_empty() {
        return Err("nextest lists no tests".into());
    }
    let both: Vec<_> = one.intersection(&two).collect();
    if !both.is_empty() {
        return Err(format!("tests in both partitions: {both:?}"));
    }
    let union: BTreeSet<String> = one.union(&two).cloned().collect();
    if union != all {
        let missing: Vec<_> = all.difference(&union).collect();
        return Err(format!("tests in no partition: {missing:?}"));
    }
    eprintln!(
        "xtask: {} tests; partition 1/2 has {}, 2/2 has {}: each test exactly once",
        all.len(),
        one.len(),
        two.len()
    );
    Ok(())
}

/// `cargo nextest list` in one-line format: `binary-id test-name` per test.
fn list(partition: Option<&str>) -> Result<BTreeSet<String>, String> {
    let mut args = vec![
        "nextest",
        "list",
        "--workspace",
        "--message-format",
        "oneline",
    ];
    if let Some(p) = partition {
        args.extend(["--partition", p]);
    }
    let mut cmd = cargo(&args);
    let out = cmd.output().map_err(|e| format!("{}: {e}", show(&cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed:\n{}",
            show(&cmd),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}
