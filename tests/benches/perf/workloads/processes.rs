//! The `w1x200` fixture binary (200 empty W1 tests), run as suites run it: one process
//! per test, as `cargo nextest run` does (`BINARY --exact NAME --nocapture`), and whole,
//! with libtest's default thread count, as `cargo test` does (W3).

use super::{settle, W3_TESTS};
use crate::stats::Stats;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Pairs per stream: a process that selects no test (the cost of starting the
/// binary), then one that runs a W1 test; the first pair of a stream starts after the
/// settle pause and is not counted.
const PAIRS_PER_STREAM: usize = 11;

/// A test name that selects nothing.
const NO_TEST: &str = "netns_test_bench_selects_no_test";

pub struct PerProcess {
    /// A process running one W1 test, back to back: start, libtest, the first sandbox
    /// of a process, exit.
    pub test: Stats,
    /// The same binary selecting no test: the process's own start and exit.
    pub start: Stats,
}

/// `streams` streams of [`PAIRS_PER_STREAM`] pairs, cycling through the fixture's tests.
pub fn bench_per_process(fixture: &Path, streams: usize) -> Result<PerProcess, String> {
    let names = test_names(fixture)?;
    let mut next = names.iter().cycle();
    let mut p = PerProcess {
        test: Stats::default(),
        start: Stats::default(),
    };
    for _ in 0..streams {
        settle(2 * PAIRS_PER_STREAM);
        for k in 0..PAIRS_PER_STREAM {
            let start = timed(
                fixture,
                &["--exact", NO_TEST, "--nocapture"],
                "ok. 0 passed",
            )?;
            let name = next.next().expect("a cycle of names");
            let test = timed(fixture, &["--exact", name, "--nocapture"], "ok. 1 passed")?;
            if k > 0 {
                p.start.push(start);
                p.test.push(test);
            }
        }
    }
    settle(2 * PAIRS_PER_STREAM);
    Ok(p)
}

/// Every test of the fixture, from `--list --format terse`.
fn test_names(fixture: &Path) -> Result<Vec<String>, String> {
    let out = run(fixture, &["--list", "--format", "terse"])?;
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect();
    if names.len() != W3_TESTS {
        return Err(format!(
            "{} lists {} tests, not {W3_TESTS}",
            fixture.display(),
            names.len()
        ));
    }
    Ok(names)
}

/// Wall time of one process, which must pass and say `expected` ("ok. 1 passed").
fn timed(fixture: &Path, args: &[&str], expected: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let out = run(fixture, args)?;
    let wall = start.elapsed();
    check(fixture, &out, expected)?;
    Ok(wall)
}

fn run(fixture: &Path, args: &[&str]) -> Result<Output, String> {
    Command::new(fixture)
        .args(args)
        .env_remove("RUST_TEST_THREADS")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running {}: {e}", fixture.display()))
}

fn check(fixture: &Path, out: &Output, expected: &str) -> Result<(), String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && stdout.contains(expected) {
        return Ok(());
    }
    let tail: Vec<&str> = stdout.lines().rev().take(15).collect();
    Err(format!(
        "{} did not pass ({}; wanted {expected:?}):\n{}\n{}",
        fixture.display(),
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        String::from_utf8_lossy(&out.stderr)
    ))
}

pub struct W3 {
    pub wall: Stats,
}

/// Wall time of the whole fixture binary (not its build) with libtest's default thread
/// count; it must report all its tests passed.
pub fn bench_w3(fixture: &Path, warm: usize, runs: usize) -> Result<W3, String> {
    let mut w3 = W3 {
        wall: Stats::default(),
    };
    let expected = format!("ok. {W3_TESTS} passed");
    for i in 0..warm + runs {
        let start = Instant::now();
        let out = run(fixture, &[])?;
        let wall = start.elapsed();
        check(fixture, &out, &expected)?;
        if i >= warm {
            w3.wall.push(wall);
        }
    }
    Ok(w3)
}
