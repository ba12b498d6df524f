//! Why a sandboxed test failed, in words a test author can act on.

use std::fmt;
use std::time::Duration;

/// Where in a sandboxed run something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Forking and making the namespaces.
    Setup,
    /// Building the topology.
    Build,
    /// The test body.
    Body,
    /// The checks after the body: `expect` statements, ring pings, neighbour tables.
    Checks,
}

impl Phase {
    pub(crate) fn to_byte(self) -> u8 {
        match self {
            Phase::Setup => 0,
            Phase::Build => 1,
            Phase::Body => 2,
            Phase::Checks => 3,
        }
    }

    pub(crate) fn from_byte(b: u8) -> Phase {
        match b {
            1 => Phase::Build,
            2 => Phase::Body,
            3 => Phase::Checks,
            _ => Phase::Setup,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Setup => "setup",
            Phase::Build => "build",
            Phase::Body => "body",
            Phase::Checks => "checks",
        })
    }
}

/// How long the phases of one run took, as the parent saw them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Fork, namespaces, the sandbox's runtime.
    pub setup: Duration,
    pub build: Duration,
    pub body: Duration,
    /// The checks, and the sandbox's exit.
    pub checks: Duration,
    /// From the call to the sandbox's end.
    pub total: Duration,
}

/// A failed sandboxed run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// This machine cannot make user namespaces; the message names the cause and the fix.
    Unavailable(String),
    /// The build, the body or a check failed; `message` says what and, for checks,
    /// carries the state of every node.
    Failed { phase: Phase, message: String },
    /// The deadline passed; the sandbox was killed. `step` is what it was doing, when
    /// the phase reports steps (the build does).
    TimedOut {
        after: Duration,
        phase: Phase,
        step: Option<String>,
    },
    /// The sandbox died from a signal (SIGSEGV, SIGABRT, ...).
    Killed { signal: String, phase: Phase },
    /// The sandbox exited without reporting a result (e.g. `std::process::exit`).
    Exited { code: i32, phase: Phase },
    /// The parent could not start the sandbox (fork, pipe): a resource problem of the host.
    Spawn(String),
}

impl Error {
    /// True when the machine cannot run sandboxed tests at all (not a test failure).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }

    /// The phase in which the run failed.
    pub fn phase(&self) -> Phase {
        match self {
            Error::Failed { phase, .. }
            | Error::TimedOut { phase, .. }
            | Error::Killed { phase, .. }
            | Error::Exited { phase, .. } => *phase,
            Error::Unavailable(_) | Error::Spawn(_) => Phase::Setup,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unavailable(why) => write!(f, "netns-test cannot run here: {why}"),
            Error::Failed { phase, message } => write!(f, "failed in phase {phase}: {message}"),
            Error::TimedOut { after, phase, step } => {
                write!(f, "timed out after {} in phase {phase}", human(*after))?;
                match step {
                    Some(step) => write!(f, " ({step})"),
                    None => Ok(()),
                }
            }
            Error::Killed { signal, phase } => {
                write!(f, "the sandbox was killed by {signal} in phase {phase}")
            }
            Error::Exited { code, phase } => write!(
                f,
                "the sandbox exited with code {code} in phase {phase} without reporting a result"
            ),
            Error::Spawn(why) => write!(f, "could not start the sandbox: {why}"),
        }
    }
}

impl std::error::Error for Error {}

/// `60s`, `1.5s`, `200ms`: how a deadline was written.
pub(crate) fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
