//! netns-test: real-network tests for Rust networking code.
//!
//! Each test runs in a forked child that unshares a user and a network namespace
//! (no root needed), builds the declared topology with rtnetlink, runs the body
//! inside and checks connectivity before the kernel tears everything down.

pub use netns_test_macros::netns_test;
pub use netns_test_topology as topology;
pub use netns_test_topology::Topology;

mod error;
mod net;
mod options;
mod outcome;

pub use error::{Error, Phase};
pub use net::{Iface, Net, Node};
pub use options::Options;
pub use outcome::TestResult;

/// Runs `body` inside a fresh sandbox built from `topology`.
///
/// Returns the failure (with its phase and the child's message) instead of
/// panicking, so callers can assert on it; the macro panics with it.
pub fn run<F, R>(topology: &Topology, options: Options, body: F) -> Result<(), Error>
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    todo!()
}

#[doc(hidden)]
pub mod __private {
    //! What `#[netns_test]` expands into; not a public API.
    pub use crate::run_test;
    /// Parses a topology the macro already validated at compile time.
    pub fn topology(source: &str) -> crate::Topology {
        crate::topology::parse(source)
            .unwrap_or_else(|e| panic!("netns-test: a topology validated at compile time failed to parse: {e}"))
    }
}

/// [`run`], panicking with the failure: what a `#[test]` wants.
#[doc(hidden)]
pub fn run_test<F, R>(topology: crate::Topology, options: Options, body: F)
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    if let Err(e) = run(&topology, options, body) {
        panic!("{e}");
    }
}
