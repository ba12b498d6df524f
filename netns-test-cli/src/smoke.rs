//! `netns-test smoke PATH... [-- LIBTEST-ARGS]`: the smoke suite of `netns_test::smoke`
//! on files and directories, in this process, then the table of timings.

use crate::output;
use clap::Parser as _;
use netns_test::smoke::{Arguments, Suite};
use std::path::PathBuf;
use std::process::ExitCode;

/// The arguments of `netns-test smoke`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// .topo files, and directories searched recursively for them
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// libtest's arguments: a filter, --exact, --skip, --list, --format terse,
    /// --test-threads N
    #[arg(last = true, value_name = "LIBTEST-ARGS")]
    pub libtest: Vec<String>,
}

/// Runs the suite; a failed file's report and capture go to
/// `<target>/netns-test/smoke/<name>/` (outside any cargo project, to
/// `netns-test-smoke/<name>/` in the current directory). Exit code 101 if a file
/// failed, as a test binary's.
pub fn run(args: Args) -> Result<ExitCode, String> {
    // libtest-mimic's arguments are a clap parser too: `-- --help` shows them.
    let libtest = Arguments::try_parse_from(
        std::iter::once("netns-test smoke --".to_string()).chain(args.libtest),
    )
    .unwrap_or_else(|e| e.exit());
    let forensics = output::dir("smoke").unwrap_or_else(|_| PathBuf::from("netns-test-smoke"));
    let conclusion = Suite::new(&args.paths)
        .table(true)
        .forensics_root(forensics)
        .run(&libtest)
        .map_err(|e| e.to_string())?;
    Ok(if conclusion.has_failed() {
        ExitCode::from(101)
    } else {
        ExitCode::SUCCESS
    })
}
