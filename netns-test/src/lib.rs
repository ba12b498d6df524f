#![doc = include_str!("../README.md")]
// The crate's documentation is the repository's README (this directory's README.md
// links to it), so the page on docs.rs and the one on GitHub are the same guide and its
// Rust blocks are doctests. For maintainers: the path of a test, in the order of the
// modules below, is Options -> run -> the sandbox (fork, namespaces) -> the builder
// (topology -> kernel objects, through the kernel layer) -> the body, given a Net ->
// the checks (probes) -> the report and forensics of a failure. ARCHITECTURE.md at the
// repository's root walks it.
#![warn(missing_docs)]
// The README shows whole files, such as a smoke test target's `fn main`.
#![allow(clippy::needless_doctest_main)]

pub use netns_test_macros::netns_test;
pub use netns_test_topology as topology;
pub use netns_test_topology::{
    Behaviour, Distribution, Impairment, ImpairmentBuilder, Nat, NatKind, Percent, Proto, Topology,
};
/// The rtnetlink this crate is built with: [`Node::netlink`] returns its `Handle`, so
/// a test needs no rtnetlink dependency of its own, nor a matching version (Linux only).
#[cfg(target_os = "linux")]
pub use rtnetlink;
/// The tokio this crate is built with: [`Node::spawn`], [`Node::runtime`] and
/// [`Node::tokio_command`] return its types (`netns_test::tokio::task::JoinHandle`, ...).
pub use tokio;

// Linux: the sandbox and everything it runs. The public API below has the same shape
// on every OS (`elsewhere/` stands in elsewhere), so a crate using netns-test builds
// on a contributor's Mac or Windows machine; there every run fails at once, saying
// that netns-test needs Linux. `cargo xtask other-os` checks that it compiles.

/// Topology → kernel objects: the plan, the namespaces, the rounds of requests.
#[cfg(target_os = "linux")]
mod builder;
/// The checks after the body: `expect` statements, every segment, neighbour tables.
#[cfg(target_os = "linux")]
mod checks;
/// The relay's counters, plain data on every OS.
#[cfg(not(target_os = "linux"))]
#[path = "impair/counters.rs"]
mod counters;
/// Why a run failed, and how long its phases took.
mod error;
/// The checks that failed, each with its kind; `Net::check`'s error.
mod failed_checks;
/// What a failed test leaves behind: packet capture, report files, a kept sandbox.
#[cfg(target_os = "linux")]
mod forensics;
/// Link impairments: the relay every impaired link is spliced through.
#[cfg(target_os = "linux")]
mod impair;
/// Kernel primitives that know nothing of topologies: namespaces, netlink, links.
#[cfg(target_os = "linux")]
mod kernel;
/// NATs: RFC 4787 behaviours as nf_tables rulesets in a router's namespace.
#[cfg(target_os = "linux")]
mod nat;
/// `Net` and `Node`: the built network as the body sees it, faults included.
#[cfg(target_os = "linux")]
mod net;
#[cfg(not(target_os = "linux"))]
#[path = "elsewhere/net.rs"]
mod net;
/// How one run is configured: deadline, checks, where the body runs, forensics.
mod options;
/// Pings and neighbour tables, from inside a node.
mod probe;
/// A UDP/TCP reflector that tells a client the source it saw (its NAT mapping).
pub mod reflector;
/// The failure report: diagram, every node's links, addresses, routes, neighbours.
#[cfg(target_os = "linux")]
mod report;
#[cfg(not(target_os = "linux"))]
#[path = "elsewhere/report.rs"]
mod report;
/// One run from start to verdict: sandbox, build, body, checks, forensics.
#[cfg(target_os = "linux")]
mod runner;
#[cfg(not(target_os = "linux"))]
#[path = "elsewhere/runner.rs"]
mod runner;
/// The forked sandbox: user, network, mount and PID namespaces, and its protocol.
#[cfg(target_os = "linux")]
mod sandbox;
// A libtest-mimic `main` for a directory of `.topo` files (its own `//!` documents it:
// an outer doc here would make rustdoc resolve that one's links from the crate root).
pub mod smoke;
/// What a body may return (`()` or `Result`).
mod test_result;

#[cfg(not(target_os = "linux"))]
pub use counters::Counters as RelayCounters;
pub use error::{Cause, Error, Phase, Timings};
pub use failed_checks::{CheckError, CheckKind, FailedCheck};
#[cfg(target_os = "linux")]
pub use impair::Counters as RelayCounters;
pub use net::{Iface, LinkControl, LookupError, MacOrNode, NatControl, NatMapping, Net, Node};
pub use options::{CaptureMode, Checks, Options, LONGEST};
pub use probe::{Neighbour, NeighbourStateName, ProbeError};
pub use report::Report;
pub use runner::{run, run_timed};
pub use test_result::TestResult;

#[doc(hidden)]
pub mod __private {
    //! What `#[netns_test]` expands into; not a public API.
    pub use crate::run_test;
    /// Parses a topology the macro already validated at compile time.
    pub fn topology(source: &str) -> crate::Topology {
        crate::topology::parse(source).unwrap_or_else(|e| {
            panic!("netns-test: a topology validated at compile time failed to parse: {e}")
        })
    }
}

/// [`run`], failing the test with the failure: what `#[netns_test]` expands into.
///
/// The failure is said once: the report goes to the test's (captured) stderr, headed
/// like std's panic message (`thread '<test>' panicked at <file:line:col>:`, the
/// body's own location for a panic, the test's for anything else), then the test
/// ends with `resume_unwind`, which runs no panic hook: no second message, no second
/// backtrace. The payload is the message alone, so `#[should_panic(expected = ...)]`
/// matches what the body panicked with, as with `#[test]`.
#[doc(hidden)]
#[track_caller]
pub fn run_test<F, R>(topology: crate::Topology, options: Options, body: F)
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    let caller = std::panic::Location::caller();
    let Err(e) = run(&topology, options, body) else {
        return;
    };
    let location = e
        .location()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}:{}:{}", caller.file(), caller.line(), caller.column()));
    let thread = std::thread::current();
    let mut text = format!(
        "thread '{}' panicked at {location}:\n{}\n",
        thread.name().unwrap_or("<unnamed>"),
        e.message()
    );
    match e.backtrace() {
        Some(bt) => text.push_str(bt),
        None if e.location().is_some() => text.push_str(
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
        ),
        None => {}
    }
    text.push_str(&e.details());
    eprint!("{text}");
    std::panic::resume_unwind(Box::new(e.message()));
}
