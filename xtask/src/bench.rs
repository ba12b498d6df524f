//! `cargo xtask bench [--quick]`: prepares what the measuring program needs (the `ping`
//! of the shell side, the W3 fixture binary) and runs it in release.
//!
//! The measuring itself lives in tests/benches/perf/; this only sets the stage, so
//! that one command from the README does everything.

use crate::run::{cargo, check, root};
use std::path::PathBuf;

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
/// `ping`. As root it is installed; otherwise the measuring program skips the shell
/// side and says why.
fn ensure_ping() {
    if let Err(e) = crate::tools::ensure("ping", "iputils-ping", "the shell side of the bench") {
        eprintln!("bench: {e}: the shell side will be skipped");
    }
}

/// Builds the `w1x200` fixture (200 empty two-node tests) in release and returns its
/// executable.
fn build_fixture() -> Result<PathBuf, String> {
    crate::run::test_executable("w1x200", &["--release", "--features", "fixtures"])
}
