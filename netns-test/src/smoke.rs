//! A ready `main` for a `harness = false` test target that proves a directory of
//! `.topo` files: `fn main() { netns_test::smoke::main("tests/topologies") }`.
//!
//! Every `.topo` file under the directory (recursively, sorted) is one trial, named by
//! its path relative to the directory without the extension (`router`, `seeds/000`).
//! A trial parses the file, builds it in a sandbox of its own and runs every check:
//! each `expect`, then the ring pings and neighbour tables of every segment. A file
//! that does not parse fails its trial with `file:line:col: message`.
//!
//! The trials run under [libtest-mimic](libtest_mimic), so the binary takes libtest's
//! arguments (filters, `--exact`, `--skip`, `--list`, `--ignored`, `--test-threads`,
//! `--format terse`) and `cargo test` and `cargo nextest run` (`--partition` included)
//! drive it like any test binary. When the machine cannot make user namespaces, every
//! trial is reported *ignored* with the reason, not passed.
//!
//! Environment variables let one binary serve `cargo xtask smoke`:
//! - [`PATHS_ENV`]: files and directories to run instead of `dir` (`:`-separated, like `PATH`);
//! - [`TABLE_ENV`]: when set, a table of nodes, links and timings follows libtest's report;
//! - [`EXPLAIN_ENV`]: a file to explain (printed back, addresses, diagram) instead of running.
//!
//! [`discover`], [`run_file`], [`run_files`] and [`table`] are the same pieces for
//! other drivers.

mod explain;
mod table;

pub use crate::report::{diagram, dot};
pub use explain::explain;
pub use table::table;

use crate::{Error, Options, Timings};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// Files and directories to run instead of `main`'s directory, separated like `PATH`.
pub const PATHS_ENV: &str = "NETNS_TEST_SMOKE_PATHS";
/// When set (to anything), `main` prints the table of [`table`] after libtest's report.
pub const TABLE_ENV: &str = "NETNS_TEST_SMOKE_TABLE";
/// A `.topo` file: `main` prints [`explain`] of it and exits instead of running trials.
pub const EXPLAIN_ENV: &str = "NETNS_TEST_SMOKE_EXPLAIN";

/// A file to print as Graphviz DOT ([`dot`]) instead of running: `cargo xtask graph`.
pub const GRAPH_ENV: &str = "NETNS_TEST_SMOKE_GRAPH";

/// A `.topo` file and the name of its trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopoFile {
    /// The path relative to the directory it was found in, without `.topo`, with `/`
    /// between components; a file given by itself is named by its stem.
    pub name: String,
    pub path: PathBuf,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    pub name: String,
    pub path: PathBuf,
    /// Namespaces the sandbox has, `host` included (0 if the file did not parse).
    pub nodes: usize,
    /// Veth pairs.
    pub links: usize,
    /// The [`diagram`] of the topology; empty if the file did not parse.
    pub diagram: String,
    pub timings: Timings,
    pub outcome: Outcome,
}

/// How one file's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Built, and every check passed.
    Passed,
    /// The file could not be read: `path: error`.
    Unreadable(String),
    /// The file did not parse: `path:line:col: message`.
    Invalid(String),
    /// The build or a check failed, or the sandbox died or timed out.
    Failed(Error),
    /// This machine cannot make user namespaces: nothing was proven either way. The
    /// message names the cause and the fix.
    Unavailable(String),
}

impl FileResult {
    /// Whether the file counts as a failure (unavailability does not).
    pub fn failed(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Unreadable(_) | Outcome::Invalid(_) | Outcome::Failed(_)
        )
    }

    /// What a failed trial prints: the file and what went wrong (for failed checks,
    /// the runtime's report: a drawing of the topology, then every node's state).
    pub fn message(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Passed | Outcome::Unavailable(_) => None,
            Outcome::Unreadable(m) | Outcome::Invalid(m) => Some(m.clone()),
            Outcome::Failed(e) => Some(format!("{}:\n{e}", self.path.display())),
        }
    }
}

/// Every `.topo` file under `paths`: a directory is searched recursively in sorted
/// order (hidden entries skipped); a file is taken as it is, whatever its extension.
///
/// Fails on a path that does not exist and on two different files that would give
/// trials the same name (a file given twice is taken once).
pub fn discover<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<TopoFile>, String> {
    let mut found = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let meta = fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            walk(path, path, &mut found)?;
        } else {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            found.push(TopoFile {
                name,
                path: path.to_path_buf(),
            });
        }
    }
    let mut seen_files = HashSet::new();
    found.retain(|f| seen_files.insert(fs::canonicalize(&f.path).unwrap_or(f.path.clone())));
    let mut names: HashMap<&str, &Path> = HashMap::new();
    for f in &found {
        if let Some(other) = names.insert(&f.name, &f.path) {
            return Err(format!(
                "{} and {} would both be the trial {:?}: run them separately",
                other.display(),
                f.path.display(),
                f.name
            ));
        }
    }
    Ok(found)
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<TopoFile>) -> Result<(), String> {
    let read = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut entries = fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read)?;
    entries.sort();
    for path in entries {
        // Editors and tools leave `.name.topo.swp`, `.#name.topo` and hidden directories.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, found)?;
        } else if path.extension().is_some_and(|e| e == "topo") {
            let rel = path.strip_prefix(root).unwrap_or(&path).with_extension("");
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            found.push(TopoFile { name, path });
        }
    }
    Ok(())
}

/// Reads, parses, builds and checks one file in a sandbox of its own, with `options`
/// (its name is set to the file's unless given).
pub fn run_file(file: &TopoFile, options: Options) -> FileResult {
    let mut result = FileResult {
        name: file.name.clone(),
        path: file.path.clone(),
        nodes: 0,
        links: 0,
        diagram: String::new(),
        timings: Timings::default(),
        outcome: Outcome::Passed,
    };
    let text = match fs::read_to_string(&file.path) {
        Ok(text) => text,
        Err(e) => {
            result.outcome = Outcome::Unreadable(format!("{}: {e}", file.path.display()));
            return result;
        }
    };
    let topology = match crate::topology::parse(&text) {
        Ok(t) => t,
        Err(e) => {
            let e = e.with_source_name(file.path.display().to_string());
            result.outcome = Outcome::Invalid(e.to_string());
            return result;
        }
    };
    result.nodes = topology.node_names().len();
    result.links = topology.links.len();
    result.diagram = diagram(&topology);
    let options = if options.name.is_none() {
        options.name(file.name.clone())
    } else {
        options
    };
    let (outcome, timings) = {
        // Big topologies run alone (see `HEAVY`); the wait is not in the timings.
        let _alone;
        let _shared;
        if neighbour_load(&topology) > HEAVY {
            _alone = RUNNING.write().unwrap_or_else(PoisonError::into_inner);
        } else {
            _shared = RUNNING.read().unwrap_or_else(PoisonError::into_inner);
        }
        crate::run_timed(&topology, options, |_| {})
    };
    result.timings = timings;
    result.outcome = match outcome {
        Ok(()) => Outcome::Passed,
        Err(e @ Error::Unavailable(_)) => Outcome::Unavailable(e.to_string()),
        Err(e) => Outcome::Failed(e),
    };
    result
}

/// The kernel's neighbour tables (ARP and NDP) are shared by every namespace of the
/// machine and refuse new entries past `gc_thresh3` (1024 by default, settable only
/// from the initial namespace) while the old ones are recent: then a ping fails with
/// no reply (IPv4) or `EINVAL` (IPv6). A topology whose checks fill more than a
/// quarter of a table runs while no other trial of this process does, so that two
/// big ones never add up past the limit.
const HEAVY: usize = 256;

/// Held shared by every sandboxed run of [`run_file`], and exclusively by heavy ones.
static RUNNING: RwLock<()> = RwLock::new(());

/// How many neighbour entries of one family the checks leave at most: the ring on a
/// segment of `n` addressed ends makes each learn its two neighbours (`2n`, or 2 on
/// a veth pair), counted for IPv4 and IPv6 apart; the larger count.
fn neighbour_load(t: &crate::Topology) -> usize {
    let segments = t.segments();
    let family = |v6: bool| -> usize {
        segments
            .iter()
            .map(|s| {
                let n = s
                    .members
                    .iter()
                    .filter(|m| m.addrs.iter().any(|a| a.is_ipv6() == v6))
                    .count();
                match n {
                    0 | 1 => 0,
                    2 => 2,
                    n => 2 * n,
                }
            })
            .sum()
    };
    family(false).max(family(true))
}

/// [`run_file`] on each file in turn, with the default options (every check on).
pub fn run_files(files: &[TopoFile]) -> Vec<FileResult> {
    files
        .iter()
        .map(|f| run_file(f, Options::new().checks(true)))
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory of its own for one test, removed at the end.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("netns-test-smoke-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn file(&self, rel: &str, text: &str) -> PathBuf {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, text).unwrap();
            p
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn names(files: &[TopoFile]) -> Vec<&str> {
        files.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn discovery_recurses_sorts_and_names_by_relative_path() {
        let s = Scratch::new("discover");
        s.file("zeta.topo", "a -- b");
        s.file("sub/router.topo", "a -- b");
        s.file("sub/deeper/x.topo", "a -- b");
        s.file("alpha.topo", "a -- b");
        s.file("notes.txt", "not a topology");
        s.file(".hidden.topo", "a -- b");
        s.file(".git/y.topo", "a -- b");
        let files = discover(&[&s.0]).unwrap();
        assert_eq!(
            names(&files),
            ["alpha", "sub/deeper/x", "sub/router", "zeta"]
        );
        assert_eq!(files[2].path, s.0.join("sub/router.topo"));
    }

    #[test]
    fn discovery_takes_files_by_stem_once_and_refuses_clashes() {
        let s = Scratch::new("files");
        let a = s.file("one/a.topo", "a -- b");
        let other_a = s.file("two/a.topo", "a -- b");
        let b = s.file("b.txt", "a -- b");
        let files = discover(&[&a, &b, &a]).unwrap();
        assert_eq!(names(&files), ["a", "b"]);
        let e = discover(&[&a, &other_a]).unwrap_err();
        assert!(e.contains("would both be the trial \"a\""), "{e}");
        let e = discover(&[s.0.join("missing")]).unwrap_err();
        assert!(e.starts_with(&format!("{}: ", s.0.join("missing").display())));
    }

    #[test]
    fn neighbour_load_counts_both_ends_of_every_ring() {
        let load = |src: &str| neighbour_load(&crate::topology::parse(src).unwrap());
        assert_eq!(load("a -- b"), 2);
        assert_eq!(load("a -- b; c 10.0.9.1/24 -- d 10.0.9.2/24"), 4);
        assert_eq!(load("bridge br0; a -- br0; b -- br0; c -- br0"), 6);
        assert_eq!(
            load("a fd00::1/64 -- b fd00::2/64; c fd01::1/64 -- d fd01::2/64; e -- f"),
            6
        );
        assert_eq!(load("a 10.0.0.1/24 -- b"), 0);
    }

    #[test]
    fn unreadable_and_invalid_files_fail_without_a_sandbox() {
        let s = Scratch::new("invalid");
        let bad = s.file("bad.topo", "# fine\na -- b 10.0.0.300/24\n");
        let result = run_file(
            &TopoFile {
                name: "bad".into(),
                path: bad.clone(),
            },
            Options::new(),
        );
        assert!(result.failed());
        assert_eq!(
            result.message().unwrap(),
            format!(
                "{}:2:8: expected an address like 10.0.0.1/24, found \"10.0.0.300/24\"",
                bad.display()
            )
        );
        let gone = run_file(
            &TopoFile {
                name: "gone".into(),
                path: s.0.join("gone.topo"),
            },
            Options::new(),
        );
        assert!(matches!(gone.outcome, Outcome::Unreadable(_)) && gone.failed());
    }
}
