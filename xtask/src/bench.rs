//! `cargo xtask bench [--quick]`: prepares what the measuring program needs (the `ping`
//! of the shell side, the W3 fixture binary) and runs it in release.
//!
//! The measuring itself lives in tests/benches/perf/; this only sets the stage, so
//! that one command from the README does everything.

use crate::run::{cargo, check, is_root, root};
use std::path::PathBuf;
use std::process::Command;

pub fn run(quick: bool) -> Result<(), String> {
    ensure_ping();
    let fixture = build_fixture()?;
    let out = root().join("target");
    let mut cmd = cargo(&["bench", "-p", "netns-test-tests", "--bench", "perf", "--"]);
    cmd.arg("--fixture").arg(&fixture).arg("--out").arg(&out);
    if quick {
        cmd.arg("--quick");
    }
    check(&mut cmd)
}

/// The seeds' shell steps end with `ip netns exec a ping …`; this machine may lack
/// `ping`. As root it is installed (announced, with apt-get); otherwise the measuring
/// program skips the shell side and says why.
fn ensure_ping() {
    if on_path("ping") {
        return;
    }
    if !is_root() {
        eprintln!(
            "bench: `ping` is not installed and this is not root: the shell side will be skipped"
        );
        return;
    }
    eprintln!(
        "bench: `ping` is not installed; installing iputils-ping with apt-get for the shell side"
    );
    let apt = |args: &[&str]| {
        let mut cmd = Command::new("apt-get");
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    let installed = check(&mut apt(&["update"]))
        .and_then(|()| check(&mut apt(&["install", "-y", "iputils-ping"])));
    if let Err(e) = installed {
        eprintln!("bench: installing ping failed ({e}): the shell side will be skipped");
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Builds the `w1x200` fixture (200 empty two-node tests) in release and returns its
/// executable.
fn build_fixture() -> Result<PathBuf, String> {
    crate::run::test_executable("w1x200", &["--release", "--features", "fixtures"])
}
