//! `cargo xtask rootless`: the suite's runtime tests as an unprivileged user.
//!
//! CI runs as root; users run as themselves. The harness takes the same code path
//! for both, and this proves it: the test binaries are built as root and run under
//! `setpriv --reuid=UID --regid=UID --clear-groups`.

use crate::run::{cargo, check, show};
use std::path::PathBuf;
use std::process::Command;

/// Test binaries not run unprivileged: those that run cargo (trybuild's ui test; the
/// fixtures of conventions, keep and failure_output), which writes into target/, owned by root; and
/// the proc-macro crate's unit tests, linked against the toolchain's libstd in root's
/// home. None of them touches namespaces.
const SKIP: &[&str] = &[
    "ui",
    "conventions",
    "keep",
    "failure_output",
    "netns_test_macros",
];

/// Single tests, in binaries that otherwise run unprivileged, that run cargo
/// themselves (for the reason above): `(binary, test)`.
const SKIP_TESTS: &[(&str, &str)] =
    &[("smoke_harness", "nextest_partitions_cover_every_trial_once")];

/// The default user: `nobody`.
pub const NOBODY: u32 = 65534;

pub fn run(uid: u32) -> Result<(), String> {
    if !crate::run::is_root() {
        return Err(
            "`cargo xtask rootless` drops privileges with setpriv and must run as root \
                    (as an unprivileged user, plain `cargo test` is already the rootless run)"
                .into(),
        );
    }
    let binaries = test_binaries()?;
    if binaries.is_empty() {
        return Err("no test binaries found".into());
    }
    for (name, path) in binaries {
        if SKIP.contains(&name.as_str()) {
            continue;
        }
        let mut cmd = Command::new("setpriv");
        cmd.args([
            format!("--reuid={uid}"),
            format!("--regid={uid}"),
            "--clear-groups".to_string(),
        ])
        .arg(&path);
        for (_, test) in SKIP_TESTS.iter().filter(|(bin, _)| *bin == name) {
            cmd.args(["--skip", test, "--exact"]);
        }
        cmd
            // insta finds its snapshots through `cargo metadata` otherwise, which the
            // unprivileged user cannot run here.
            .env("INSTA_WORKSPACE_ROOT", crate::run::root())
            .current_dir(crate::run::root().join("tests"));
        eprintln!("xtask: as uid {uid}: {name}");
        check(&mut cmd)?;
    }
    Ok(())
}

/// (name, path) of every test binary of the workspace, built now.
fn test_binaries() -> Result<Vec<(String, PathBuf)>, String> {
    let mut cmd = cargo(&["test", "--workspace", "--no-run", "--message-format=json"]);
    eprintln!("$ {}", show(&cmd));
    let out = cmd.output().map_err(|e| format!("{}: {e}", show(&cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "building the test binaries failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(crate::run::executables(&out.stdout)
        .filter(|e| e.test)
        .map(|e| (e.name, e.path))
        .collect())
}
