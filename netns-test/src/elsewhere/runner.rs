//! `run` where netns-test cannot run: every run fails at once, with one message
//! saying that netns-test needs Linux (`Error::needs_linux`), and no body runs.

// Stand-ins: the documentation is the Linux items' (docs.rs builds for Linux).
#![allow(missing_docs)]

use crate::error::{Error, Timings};
use crate::net::Net;
use crate::options::Options;
use crate::test_result::TestResult;
use crate::topology::Topology;

/// Fails at once: netns-test needs Linux (see the crate's documentation).
pub fn run<F, R>(topology: &Topology, options: Options, body: F) -> Result<(), Error>
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    run_timed(topology, options, body).0
}

/// Fails at once: netns-test needs Linux (see the crate's documentation).
pub fn run_timed<F, R>(
    _topology: &Topology,
    _options: Options,
    _body: F,
) -> (Result<(), Error>, Timings)
where
    F: FnOnce(&Net) -> R,
    R: TestResult,
{
    (Err(Error::needs_linux()), Timings::default())
}
