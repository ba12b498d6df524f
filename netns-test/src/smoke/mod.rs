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
//! Environment variables let one binary serve `cargo xtask smoke`:
//! - `NETNS_TEST_SMOKE_PATHS`: files and directories to run instead of `dir`
//!   (`:`-separated, like `PATH`);
//! - `NETNS_TEST_SMOKE_TABLE`: when set, a table of nodes, links and timings follows
//!   libtest's report;
//! - `NETNS_TEST_SMOKE_EXPLAIN`: a file to explain (printed back, addresses, diagram)
//!   instead of running.
//!
//! [`discover`], [`run_file`], [`run_files`] and [`table`] are the same pieces for
//! other drivers.

/// Finding the `.topo` files under a directory and naming their trials.
mod discover;
/// `--explain`: a file printed back with its addresses and a diagram.
mod explain;
/// One file: read, parse, build and check it in a sandbox of its own.
mod file;
/// The table of nodes, links and timings after libtest's report.
mod table;

pub use crate::report::{diagram, dot};
pub use discover::{discover, TopoFile};
pub use explain::explain;
pub use file::{run_file, run_files, FileResult, Outcome};
pub use table::table;

use crate::Options;
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Files and directories to run instead of `main`'s directory, separated like `PATH`.
const PATHS_ENV: &str = "NETNS_TEST_SMOKE_PATHS";
/// When set (to anything), `main` prints the table of [`table`] after libtest's report.
const TABLE_ENV: &str = "NETNS_TEST_SMOKE_TABLE";
/// A `.topo` file: `main` prints [`explain`] of it and exits instead of running trials.
const EXPLAIN_ENV: &str = "NETNS_TEST_SMOKE_EXPLAIN";
/// A file to print as Graphviz DOT ([`dot`]) instead of running: `cargo xtask graph`.
const GRAPH_ENV: &str = "NETNS_TEST_SMOKE_GRAPH";

/// The `main` of a `harness = false` test target: one trial per `.topo` file under
/// `dir` (relative to the current directory, which `cargo test` and nextest set to the
/// package's), run by libtest-mimic with the process's arguments. Exits with 101 if
/// a trial failed, as libtest does. See the module documentation for the environment
/// variables that change what it runs.
pub fn main(dir: impl AsRef<Path>) -> ! {
    if let Some(file) = std::env::var_os(EXPLAIN_ENV) {
        std::process::exit(explain_file(Path::new(&file), explain));
    }
    if let Some(file) = std::env::var_os(GRAPH_ENV) {
        std::process::exit(explain_file(Path::new(&file), dot));
    }
    let paths: Vec<PathBuf> = match std::env::var_os(PATHS_ENV) {
        Some(v) if !v.is_empty() => std::env::split_paths(&v).collect(),
        _ => vec![dir.as_ref().to_path_buf()],
    };
    let args = Arguments::from_args();
    let files = match discover(&paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("netns-test smoke: {e}");
            std::process::exit(101);
        }
    };
    let results = Arc::new(Mutex::new(Vec::new()));
    let trials = files
        .into_iter()
        .map(|f| trial(f, Arc::clone(&results)))
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if std::env::var_os(TABLE_ENV).is_some() && !args.list {
        let mut results = results.lock().unwrap_or_else(PoisonError::into_inner);
        // Trials finish in any order on several threads; the table follows the files.
        results.sort_by(|a, b| a.name.cmp(&b.name));
        print!("\n{}", table(&results));
    }
    // `exit` skips destructors, and with them the flush of a partial line.
    let _ = std::io::stdout().flush();
    conclusion.exit()
}

/// One file as a libtest-mimic trial; its result also goes to `sink` for the table.
fn trial(file: TopoFile, sink: Arc<Mutex<Vec<FileResult>>>) -> Trial {
    Trial::ignorable_test(file.name.clone(), move || {
        let result = run_file(&file, Options::new().checks(true));
        let verdict = match &result.outcome {
            Outcome::Passed => Ok(Completion::Completed),
            // Not a pass: nothing was built. libtest-mimic reports it as
            // `ignored, <reason>` and counts it among the ignored.
            Outcome::Unavailable(why) => Ok(Completion::ignored_with(why)),
            _ => Err(Failed::from(result.message().unwrap_or_default())),
        };
        sink.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(result);
        verdict
    })
}

/// Prints [`explain`] of `path`; 0, or 1 with the error on stderr.
/// Prints `show(topology)` of a file, or its parse error; the exit code.
fn explain_file(path: &Path, show: fn(&crate::Topology) -> String) -> i32 {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return 1;
        }
    };
    match crate::topology::parse(&text) {
        Ok(t) => {
            print!("{}", show(&t));
            // The caller exits at once, which would skip flushing stdout.
            let _ = std::io::stdout().flush();
            0
        }
        Err(e) => {
            eprintln!("{}", e.with_source_name(path.display().to_string()));
            1
        }
    }
}
