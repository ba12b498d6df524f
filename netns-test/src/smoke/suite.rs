//! A smoke suite: every `.topo` file under some paths as one libtest-mimic trial, then
//! (if asked) the table of nodes, links and timings.

use super::{discover, run_file, table, DiscoverError, FileResult, Outcome, TopoFile};
use crate::Options;
use libtest_mimic::{Arguments, Completion, Conclusion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The `.topo` files under some paths, run as a libtest-mimic suite: what
/// [`main`](super::main) runs, with everything given instead of read from the
/// environment.
///
/// ```no_run
/// use netns_test::smoke::{Arguments, Suite};
///
/// let args = Arguments::from_iter(["smoke", "--test-threads", "1"]);
/// let conclusion = Suite::new(&["tests/topologies"]).table(true).run(&args)?;
/// conclusion.exit_if_failed();
/// # Ok::<(), netns_test::smoke::DiscoverError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Suite {
    paths: Vec<PathBuf>,
    table: bool,
    forensics: Option<PathBuf>,
}

impl Suite {
    /// A suite of the `.topo` files at `paths` (files, or directories searched
    /// recursively), without the table, writing a failed file's report and capture
    /// where a test would (`<target dir>/netns-test/<name>/`).
    pub fn new<P: AsRef<Path>>(paths: &[P]) -> Suite {
        Suite {
            paths: paths.iter().map(|p| p.as_ref().to_path_buf()).collect(),
            table: false,
            forensics: None,
        }
    }

    /// Print the [`table`] of nodes, links and timings after libtest's report (not
    /// with `--list`).
    pub fn table(mut self, table: bool) -> Suite {
        self.table = table;
        self
    }

    /// Where failed files leave their report and capture: `dir/<trial name>/`.
    pub fn forensics_root(mut self, dir: impl Into<PathBuf>) -> Suite {
        self.forensics = Some(dir.into());
        self
    }

    /// Runs the suite with libtest's `args` (filters, `--exact`, `--list`,
    /// `--test-threads`, ...), printing as libtest does. `Err` if the paths cannot be
    /// read or two files would be trials of the same name (see [`discover`]); a failed
    /// trial is in the [`Conclusion`].
    pub fn run(&self, args: &Arguments) -> Result<Conclusion, DiscoverError> {
        let files = discover(&self.paths)?;
        let results = Arc::new(Mutex::new(Vec::new()));
        let trials = files
            .into_iter()
            .map(|f| self.trial(f, Arc::clone(&results)))
            .collect();
        let conclusion = libtest_mimic::run(args, trials);
        if self.table && !args.list {
            let mut results = results.lock().unwrap_or_else(PoisonError::into_inner);
            // Trials finish in any order on several threads; the table follows the files.
            results.sort_by(|a, b| a.name.cmp(&b.name));
            print!("\n{}", table(&results));
        }
        Ok(conclusion)
    }

    /// One file as a libtest-mimic trial; its result also goes to `sink` for the table.
    fn trial(&self, file: TopoFile, sink: Arc<Mutex<Vec<FileResult>>>) -> Trial {
        let mut options = Options::new().checks(true);
        if let Some(root) = &self.forensics {
            options = options.forensics_dir(root.join(crate::options::dir_name(&file.name)));
        }
        Trial::ignorable_test(file.name.clone(), move || {
            let result = run_file(&file, options);
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
}
