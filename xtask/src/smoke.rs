//! `cargo xtask smoke`: the topology smoke suite, the project's main job.
//!
//! xtask does not depend on the runtime, so it does not parse topologies itself: it
//! runs the tests crate's `smoke` target (`netns_test::smoke::main`) through cargo,
//! steering it with environment variables: which files to run, that it should print the
//! table of timings after libtest's report, or which file to explain instead.

use crate::run::{cargo, show};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The topology smoke suite (default tests/topologies), then a table of timings
///
/// Builds every .topo file under the PATHs (files or directories, searched recursively;
/// default: tests/topologies) in a sandbox of its own, checks every `expect` and the ring
/// pings and neighbour tables of each segment, prints libtest's report and then a table
/// of nodes, links, build and check times per topology. Arguments after `--` go to the
/// test binary: a filter, --exact, --skip, --test-threads 1, --format terse, --list.
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Files and directories to run, relative to where you are [default: tests/topologies]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print FILE back as the language reads it, the resolved addresses of every node and
    /// interface (automatic ones included) and a diagram; nothing is built
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "libtest"])]
    pub explain: Option<PathBuf>,
    /// libtest's arguments for the test binary: a filter, --exact, --skip, --list, ...
    #[arg(last = true, value_name = "LIBTEST-ARGS")]
    pub libtest: Vec<String>,
}

pub fn run(args: Args) -> Result<(), String> {
    if let Some(file) = args.explain {
        let file = absolute(&file)?;
        // The binary is run directly, not by `cargo test`: the explanation (or the
        // parse error) is then all that is printed, without cargo's test-failed notes.
        let mut cmd = Command::new(smoke_binary()?);
        cmd.env("NETNS_TEST_SMOKE_EXPLAIN", &file);
        return run_loud(cmd, &[("NETNS_TEST_SMOKE_EXPLAIN", &file)])
            .map_err(|()| format!("cannot explain {}", file.display()));
    }
    let mut paths = args
        .paths
        .iter()
        .map(|p| absolute(p))
        .collect::<Result<Vec<_>, _>>()?;
    if paths.is_empty() {
        paths.push(crate::run::root().join("tests").join("topologies"));
    }
    // The test binary runs in the tests crate's directory: it gets absolute paths.
    let joined = std::env::join_paths(&paths)
        .map_err(|e| format!("these paths cannot be passed on: {e}"))?;
    let mut cmd = cargo(&["test", "-p", "netns-test-tests", "--test", "smoke", "--"]);
    cmd.args(&args.libtest)
        .env("NETNS_TEST_SMOKE_PATHS", &joined)
        .env("NETNS_TEST_SMOKE_TABLE", "1");
    run_loud(
        cmd,
        &[
            ("NETNS_TEST_SMOKE_PATHS", Path::new(&joined)),
            ("NETNS_TEST_SMOKE_TABLE", Path::new("1")),
        ],
    )
    .map_err(|()| "the smoke suite failed: see the report above".to_string())
}

/// Builds the `smoke` test binary and returns its path.
pub fn smoke_binary() -> Result<PathBuf, String> {
    crate::run::test_executable("smoke", &[])
}

/// A path from the command line, relative to where `cargo xtask` was invoked; it must exist.
pub fn absolute(p: &Path) -> Result<PathBuf, String> {
    let path = std::env::current_dir()
        .map_err(|e| format!("the current directory: {e}"))?
        .join(p);
    if !path.exists() {
        return Err(format!("{}: no such file or directory", p.display()));
    }
    Ok(path)
}

/// Runs `cmd`, echoing it with the variables that steer it, so it can be rerun by hand.
fn run_loud(mut cmd: Command, env: &[(&str, &Path)]) -> Result<(), ()> {
    let vars: Vec<String> = env
        .iter()
        .map(|(k, v)| format!("{k}={}", v.display()))
        .collect();
    eprintln!("$ {} {}", vars.join(" "), show(&cmd));
    match cmd.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(_) => Err(()),
        Err(e) => {
            eprintln!("xtask: {}: {e}", show(&cmd));
            Err(())
        }
    }
}
