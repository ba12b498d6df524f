//! One file: read, parse, build and check it in a sandbox of its own.

use super::discover::TopoFile;
use crate::report::diagram;
use crate::{Error, Options, Timings};
use std::fs;
use std::path::PathBuf;
use std::sync::{PoisonError, RwLock};

/// What became of one file.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The trial's name ([`TopoFile::name`]).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Namespaces the sandbox has, `host` included (0 if the file did not parse).
    pub nodes: usize,
    /// Veth pairs.
    pub links: usize,
    /// The [`diagram`] of the topology; empty if the file did not parse.
    pub diagram: String,
    /// How long each phase of the sandboxed run took (zero if nothing was built).
    pub timings: Timings,
    /// How the run ended.
    pub outcome: Outcome,
}

/// How one file's run ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Built, and every check passed.
    Passed,
    /// The file could not be read: `path: error`.
    Unreadable(String),
    /// The file did not parse: where and why, named by the file's path (`Display` is
    /// `path:line:col: message`).
    Invalid(crate::topology::ParseError),
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
            Outcome::Unreadable(m) => Some(m.clone()),
            Outcome::Invalid(e) => Some(e.to_string()),
            Outcome::Failed(e) => Some(format!("{}:\n{e}", self.path.display())),
        }
    }
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
            result.outcome = Outcome::Invalid(e);
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
        Err(e) if e.is_unavailable() => Outcome::Unavailable(e.to_string()),
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

/// How many neighbour entries of one family the checks hold at most while they run:
/// on a segment of `n` addressed ends, the hub's `n − 1` and one per member (`2n`
/// rounds that up; 2 on a veth pair), counted for IPv4 and IPv6 apart; the larger
/// count. Passing checks give them back, but a failing one keeps them.
fn neighbour_load(t: &crate::Topology) -> usize {
    let segments = t.segments();
    let family = |v6: bool| -> usize {
        segments
            .iter()
            .map(|s| {
                let n = s
                    .members
                    .iter()
                    .filter(|m| m.addrs.iter().any(|a| a.addr().is_ipv6() == v6))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoke::discover::tests::Scratch;

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
        let Outcome::Invalid(e) = &result.outcome else {
            panic!("a parse error: {:?}", result.outcome);
        };
        assert_eq!((e.line(), e.col()), (2, 8));
        assert_eq!(e.source_name(), bad.display().to_string());
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
