//! `cargo xtask smoke`: the topology smoke suite, the project's main job.
//!
//! It is the `netns-test` command's `smoke` (and `explain`), built from this workspace
//! and run from where `cargo xtask` was invoked, so paths mean what they say there and
//! reports go under the workspace's target directory.

use crate::run::{netns_test_command, root, show};
use std::path::PathBuf;
use std::process::Command;

/// The topology smoke suite (default tests/topologies), then a table of timings
///
/// Builds every .topo file under the PATHs (files or directories, searched recursively;
/// default: tests/topologies) in a sandbox of its own, checks every `expect` and the
/// pings and neighbour tables of each segment, prints libtest's report and then a table
/// of nodes, links, build and check times per topology. Arguments after `--` go to
/// libtest: a filter, --exact, --skip, --test-threads 1, --format terse, --list.
/// The same as `netns-test smoke PATH... -- ARGS`.
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Files and directories to run, relative to where you are [default: tests/topologies]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print FILE back as the language reads it, the resolved addresses of every node and
    /// interface (automatic ones included) and a diagram; nothing is built (`netns-test
    /// explain FILE`)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "libtest"])]
    pub explain: Option<PathBuf>,
    /// libtest's arguments for the test binary: a filter, --exact, --skip, --list, ...
    #[arg(last = true, value_name = "LIBTEST-ARGS")]
    pub libtest: Vec<String>,
}

pub fn run(args: Args) -> Result<(), String> {
    let mut cmd = Command::new(netns_test_command()?);
    if let Some(file) = args.explain {
        cmd.arg("explain").arg(file);
    } else {
        let paths = if args.paths.is_empty() {
            vec![root().join("tests").join("topologies")]
        } else {
            args.paths
        };
        cmd.arg("smoke").args(paths);
        if !args.libtest.is_empty() {
            cmd.arg("--").args(&args.libtest);
        }
    }
    eprintln!("$ {}", show(&cmd));
    let status = cmd.status().map_err(|e| format!("{}: {e}", show(&cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(&cmd)))
    }
}
