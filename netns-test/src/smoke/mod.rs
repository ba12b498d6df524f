//! A ready `main` for a `harness = false` test target that proves a directory of
//! `.topo` files: `fn main() { netns_test::smoke::main("tests/topologies") }`.
//!
//! Every `.topo` file under the directory (recursively, sorted) is one trial, named by
//! its path relative to the directory without the extension (`router`, `seeds/000`).
//! A trial parses the file, builds it in a sandbox of its own and runs every check:
//! each `expect`, then the segment checks (pings and neighbour tables). A file
//! that does not parse fails its trial with `file:line:col: message`.
//!
//! The trials run under [libtest-mimic](libtest_mimic), so the binary takes libtest's
//! arguments (filters, `--exact`, `--skip`, `--list`, `--ignored`, `--test-threads`,
//! `--format terse`) and `cargo test` and `cargo nextest run` (`--partition` included)
//! drive it like any test binary. When the machine cannot make user namespaces, every
//! trial is reported *ignored* with the reason, not passed.
//!
//! Environment variables let a user steer the binary without rebuilding it:
//! - `NETNS_TEST_SMOKE_PATHS`: files and directories to run instead of `dir`
//!   (`:`-separated, like `PATH`);
//! - `NETNS_TEST_SMOKE_TABLE`: when set, a table of nodes, links and timings follows
//!   libtest's report.
//!
//! [`Suite`] is the same runner with its paths and arguments given (the `netns-test
//! smoke` command uses it); [`discover`], [`run_file`], [`run_files`], [`table`] and
//! [`explain`] are the pieces, for other drivers.

/// Finding the `.topo` files under a directory and naming their trials.
mod discover;
/// `netns-test explain`: a file printed back with its addresses and a diagram.
mod explain;
/// One file: read, parse, build and check it in a sandbox of its own.
mod file;
/// A suite: the files as libtest-mimic trials, then the table.
mod suite;
/// The table of nodes, links and timings after libtest's report.
mod table;

pub use crate::report::{diagram, dot};
pub use discover::{discover, DiscoverError, TopoFile};
pub use explain::explain;
pub use file::{run_file, run_files, FileResult, Outcome};
pub use libtest_mimic::{Arguments, Conclusion};
pub use suite::Suite;
pub use table::table;

use std::io::Write;
use std::path::{Path, PathBuf};

/// Files and directories to run instead of `main`'s directory, separated like `PATH`.
const PATHS_ENV: &str = "NETNS_TEST_SMOKE_PATHS";
/// When set (to anything), `main` prints the table of [`table`] after libtest's report.
const TABLE_ENV: &str = "NETNS_TEST_SMOKE_TABLE";

/// The `main` of a `harness = false` test target: one trial per `.topo` file under
/// `dir` (relative to the current directory, which `cargo test` and nextest set to the
/// package's), run by libtest-mimic with the process's arguments. Exits with 101 if
/// a trial failed, as libtest does. See the module documentation for the environment
/// variables that change what it runs.
pub fn main(dir: impl AsRef<Path>) -> ! {
    let paths: Vec<PathBuf> = match std::env::var_os(PATHS_ENV) {
        Some(v) if !v.is_empty() => std::env::split_paths(&v).collect(),
        _ => vec![dir.as_ref().to_path_buf()],
    };
    let suite = Suite::new(&paths).table(std::env::var_os(TABLE_ENV).is_some());
    match suite.run(&Arguments::from_args()) {
        Ok(conclusion) => {
            // `exit` skips destructors, and with them the flush of a partial line.
            let _ = std::io::stdout().flush();
            conclusion.exit()
        }
        Err(e) => {
            eprintln!("netns-test smoke: {e}");
            std::process::exit(101);
        }
    }
}
