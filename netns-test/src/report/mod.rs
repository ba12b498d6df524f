//! The failure report: a diagram, every node's links, addresses, routes and
//! neighbours as `ip` prints them, the topology, and where the forensics are; as text
//! (in the test's output and `report.txt`) and as a page (`report.html`).

/// The body's backtrace, resolved in the test process.
pub(crate) mod backtrace;
/// The topology drawn as text (and as Graphviz DOT).
mod diagram;
/// The report as a self-contained HTML page with an SVG drawing.
mod html;
/// What the kernel says of a node: links, addresses, routes, neighbours.
pub(crate) mod state;

pub use diagram::{diagram, dot};

use crate::sandbox::panics::PanicRecord;
use crate::topology::Topology;
pub(crate) use state::NodeState;
use std::fmt::Write as _;
use std::path::PathBuf;

pub(crate) use crate::probe::mac;

/// Every node's state as text, read by the sandbox process, and when (`after the
/// worker ended`, `at the deadline, …`), or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct States {
    pub when: String,
    pub nodes: Result<Vec<(String, String)>, String>,
}

/// Everything a failure report shows besides what failed.
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) test: Option<String>,
    pub(crate) topology: Topology,
    pub(crate) states: Option<States>,
    /// Panics in the sandbox other than the one that failed the test.
    pub(crate) other_panics: Vec<PanicRecord>,
    pub(crate) backtrace: Option<String>,
    /// The capture file (`capture.pcapng (2 interfaces, 14 frames)`) or why not.
    pub(crate) capture: Option<Result<String, String>>,
    /// Where report.txt and report.html went, or why they could not.
    pub(crate) forensics: Option<Result<PathBuf, String>>,
    /// The failed checks, for the page to mark the links they concern.
    pub(crate) failed_checks: Vec<String>,
    /// The run failed before the build was done: nodes without state were not made.
    pub(crate) build_failed: bool,
    /// The seed, where it came from, and what the relay did, for a run with
    /// impairments.
    pub(crate) impairments: Option<Impairments>,
}

/// What a report says of a run's impairments.
#[derive(Debug, Clone)]
pub(crate) struct Impairments {
    pub seed: u64,
    pub from: crate::options::SeedFrom,
    /// One line per direction from the relay, if the worker could send them.
    pub relay: Option<String>,
}

impl Impairments {
    /// `seed 42 (from NETNS_TEST_SEED); the same seed makes the same decisions:
    /// NETNS_TEST_SEED=42 cargo test -- --exact t`
    pub(crate) fn seed_line(&self, test: Option<&str>) -> String {
        use crate::options::SeedFrom;
        let from = match self.from {
            SeedFrom::Options => "set by the test",
            SeedFrom::Env => "from NETNS_TEST_SEED",
            SeedFrom::Name => "derived from the test's name",
        };
        let rerun = match rerun(test) {
            Some((cmd, _)) => format!("NETNS_TEST_SEED={} {cmd}", self.seed),
            None => format!(
                "NETNS_TEST_SEED={} or Options::seed({})",
                self.seed, self.seed
            ),
        };
        format!(
            "seed {} ({from}); the same seed makes the same decisions: {rerun}",
            self.seed
        )
    }
}

/// The command that runs `test` again (the macro names a test by its module path,
/// crate first; libtest without it), and the test target it is in, if known.
pub(crate) fn rerun(test: Option<&str>) -> Option<(String, Option<&str>)> {
    let name = test?;
    Some(match name.split_once("::") {
        Some((krate, rest)) => (format!("cargo test -- --exact {rest}"), Some(krate)),
        None => (format!("cargo test -- --exact {name}"), None),
    })
}

impl Report {
    /// Where report.txt and report.html were written.
    pub(crate) fn forensics_dir(&self) -> Option<&std::path::Path> {
        self.forensics.as_ref()?.as_ref().ok().map(|p| p.as_path())
    }

    /// The body's backtrace, resolved.
    pub(crate) fn backtrace(&self) -> Option<&str> {
        self.backtrace.as_deref()
    }

    /// The report as text, without what failed (the error says that first).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for p in &self.other_panics {
            let _ = writeln!(
                out,
                "also: thread '{}' panicked at {}: {}",
                p.thread, p.location, p.message
            );
        }
        out.push_str("diagram:\n");
        for line in diagram(&self.topology).lines() {
            let _ = writeln!(out, "  {line}");
        }
        match &self.states {
            None => out.push_str("node state: not read\n"),
            Some(States {
                nodes: Err(why), ..
            }) => {
                let _ = writeln!(out, "node state: could not be read: {why}");
            }
            Some(States {
                when,
                nodes: Ok(nodes),
            }) => {
                let _ = writeln!(out, "node state, read {when}:");
                for (name, state) in nodes {
                    let _ = write!(out, "node {name}:\n{state}");
                }
                let missing = if self.build_failed {
                    "(not made before the failure)"
                } else {
                    "(no state: the sandbox process never got its namespace)"
                };
                for name in self.topology.node_names() {
                    if !nodes.iter().any(|(n, _)| n == name) {
                        let _ = writeln!(out, "node {name}:\n  {missing}");
                    }
                }
            }
        }
        out.push_str("topology:\n");
        for line in self.topology.to_string().lines() {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(imp) = &self.impairments {
            let _ = writeln!(out, "impairments: {}", imp.seed_line(self.test.as_deref()));
            for line in imp.relay.iter().flat_map(|r| r.lines()) {
                let _ = writeln!(out, "  {line}");
            }
        }
        out.push_str(&self.forensics_line());
        out
    }

    /// `forensics: DIR (report.txt, report.html, capture.pcapng (…))`
    fn forensics_line(&self) -> String {
        let capture = match &self.capture {
            Some(Ok(what)) => format!(", {what}"),
            Some(Err(why)) => format!("; no capture: {why}"),
            None => String::new(),
        };
        match &self.forensics {
            Some(Ok(dir)) => format!(
                "forensics: {}/ (report.txt, report.html{capture})\n",
                dir.display()
            ),
            Some(Err(why)) => format!("forensics: not written: {why}{capture}\n"),
            None if !capture.is_empty() => {
                format!("forensics: {}\n", capture.trim_start_matches(", "))
            }
            None => String::new(),
        }
    }

    /// The page: self-contained HTML, the topology as SVG.
    pub fn html(&self, headline: &str) -> String {
        html::page(self, headline)
    }
}

/// One node's state as the report prints it (`links:`, `addresses:`, …, indented).
pub(crate) fn format_state(s: &NodeState) -> String {
    let mut out = String::from("  links:\n");
    for l in &s.links {
        let flags = if l.up { "UP" } else { "DOWN" };
        let _ = write!(
            out,
            "    {}: {} <{flags}> mtu {} state {}",
            l.index, l.name, l.mtu, l.state
        );
        if let Some(m) = &l.master {
            let _ = write!(out, " master {m}");
        }
        if let Some(m) = &l.mac {
            let _ = write!(out, " link/ether {}", mac(m));
        }
        out.push('\n');
    }
    out.push_str("  addresses:\n");
    for (dev, a) in &s.addrs {
        let _ = writeln!(out, "    {dev}: {a}");
    }
    out.push_str("  routes:\n");
    for r in &s.routes {
        let _ = writeln!(out, "    {r}");
    }
    out.push_str("  neighbours:\n");
    if s.neighbours.is_empty() {
        out.push_str("    (none)\n");
    }
    for n in &s.neighbours {
        let _ = writeln!(out, "    {n}");
    }
    if let Some(nat) = &s.nat {
        out.push_str(nat);
    }
    out
}

/// Reads every node's state (from the body: `Net::report`).
pub(crate) async fn node_states(net: &crate::Net) -> Vec<(String, Result<NodeState, String>)> {
    let reads = net.nodes().iter().map(|n| async move {
        let handle = n.rtnl();
        let mut state = state::read(handle).await;
        if let (Ok(s), Some(_)) = (&mut state, net.topology().nat(n.name())) {
            s.nat = Some(state::read_nat(n.ns()));
        }
        (n.name().to_string(), state)
    });
    futures::future::join_all(reads).await
}

/// A drawing of the topology, the state of every node, then the topology's text:
/// what `Net::report` returns.
pub(crate) fn format(
    states: &[(String, Result<NodeState, String>)],
    topology: &crate::Topology,
) -> String {
    let mut out = String::from("diagram:\n");
    for line in diagram(topology).lines() {
        let _ = writeln!(out, "  {line}");
    }
    for (name, state) in states {
        let _ = writeln!(out, "node {name}:");
        match state {
            Err(e) => {
                let _ = writeln!(out, "  (state unavailable: {e})");
            }
            Ok(s) => out.push_str(&format_state(s)),
        }
    }
    let _ = writeln!(out, "topology:");
    for line in topology.to_string().lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}
