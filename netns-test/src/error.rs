//! Why a sandboxed test failed, in words a test author can act on.

use crate::failed_checks::how_many_failed;
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
    /// The checks after the body: `expect` statements, segment pings, neighbour tables.
    Checks,
}

// The sandbox's frames carry the phase as a byte.
#[cfg(target_os = "linux")]
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
    /// Building the topology: namespaces, links, addresses, routes, until every link is up.
    pub build: Duration,
    /// The test body.
    pub body: Duration,
    /// The checks, and the sandbox's exit.
    pub checks: Duration,
    /// From the call to the sandbox's last word (its `End` frame: the sandbox process
    /// may still be closing capture sockets, off the test's path).
    pub total: Duration,
}

/// What made a run fail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// This machine cannot make user namespaces; the message names the cause and the fix.
    Unavailable(String),
    /// A `NETNS_TEST_*` variable has a value the harness does not understand.
    Misconfigured(String),
    /// The parent could not start the sandbox (fork, pipe): a resource problem of the host.
    Spawn(String),
    /// The body panicked: its message, and where (`file:line:col` in the test's source).
    Panicked {
        /// The panic's message.
        message: String,
        /// `file:line:col` of the panic.
        location: String,
    },
    /// The body returned `Err`: its `Debug` form.
    Returned(String),
    /// The topology could not be built: which node, object and step.
    Build(String),
    /// Checks after the body failed: each one's kind and line.
    Checks(Vec<crate::FailedCheck>),
    /// The deadline passed; the sandbox was killed.
    TimedOut {
        /// The deadline the run had.
        after: Duration,
    },
    /// The sandbox died from a signal (SIGSEGV, SIGABRT, ...).
    Killed {
        /// The signal's name (`SIGSEGV`).
        signal: String,
    },
    /// The sandbox exited without reporting a result (e.g. `std::process::exit`).
    Exited {
        /// The exit code.
        code: i32,
    },
    /// The harness itself failed inside the sandbox.
    Harness(String),
}

/// A failed sandboxed run: what failed, where the run was, and the report (a diagram,
/// every node's state, where the forensics are). `Display` prints all of it.
#[derive(Debug, Clone)]
pub struct Error {
    pub(crate) cause: Cause,
    pub(crate) phase: Phase,
    pub(crate) step: Option<String>,
    pub(crate) report: Option<Box<crate::report::Report>>,
}

impl Error {
    pub(crate) fn new(cause: Cause, phase: Phase) -> Error {
        Error {
            cause,
            phase,
            step: None,
            report: None,
        }
    }

    /// The one failure of every run on an OS other than Linux: the sandbox is made of
    /// Linux namespaces. Built on every OS, so Linux's own tests read the message.
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    pub(crate) fn needs_linux() -> Error {
        let why = format!(
            "this is {}, and netns-test needs Linux: each test runs in Linux user and \
             network namespaces. Run the tests on Linux (a virtual machine or a Linux CI \
             job will do)",
            std::env::consts::OS
        );
        Error::new(Cause::Unavailable(why), Phase::Setup)
    }

    /// What failed.
    pub fn cause(&self) -> &Cause {
        &self.cause
    }

    /// True when the machine cannot run sandboxed tests at all (not a test failure).
    pub fn is_unavailable(&self) -> bool {
        matches!(self.cause, Cause::Unavailable(_))
    }

    /// The phase in which the run failed.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The step under way when it failed, where the phase names steps (the build does).
    pub fn step(&self) -> Option<&str> {
        self.step.as_deref()
    }

    /// Where the body panicked, `file:line:col`, for a panic.
    pub fn location(&self) -> Option<&str> {
        match &self.cause {
            Cause::Panicked { location, .. } if !location.is_empty() => Some(location),
            _ => None,
        }
    }

    /// The directory with `report.txt`, `report.html` and `capture.pcapng`, if they
    /// were written.
    pub fn forensics_dir(&self) -> Option<&std::path::Path> {
        self.report.as_ref()?.forensics_dir()
    }

    /// What failed, in one paragraph (for a panic: its message alone).
    pub fn message(&self) -> String {
        match &self.cause {
            Cause::Panicked { message, .. } => message.clone(),
            _ => self.headline(),
        }
    }

    /// What failed, in one paragraph, with the phase where it says something.
    pub fn headline(&self) -> String {
        let phase = self.phase;
        match &self.cause {
            Cause::Unavailable(why) => format!("netns-test cannot run here: {why}"),
            Cause::Misconfigured(why) => format!("netns-test is misconfigured: {why}"),
            Cause::Spawn(why) => format!("could not start the sandbox: {why}"),
            Cause::Panicked { message, location } => {
                format!("the body panicked at {location}:\n{message}")
            }
            Cause::Returned(e) => format!("the body returned Err: {e}"),
            Cause::Build(e) => format!("the build failed: {e}"),
            Cause::Checks(failed) => {
                let mut s = format!("{}:", how_many_failed(failed.len()));
                for f in failed {
                    s.push_str("\n  - ");
                    s.push_str(&f.message);
                }
                s
            }
            Cause::TimedOut { after } => {
                let mut s = format!("timed out after {} in phase {phase}", human(*after));
                if let Some(step) = &self.step {
                    s.push_str(&format!(" ({step})"));
                }
                s
            }
            Cause::Killed { signal } => {
                format!("the sandbox was killed by {signal} in phase {phase}")
            }
            Cause::Exited { code } => format!(
                "the sandbox exited with code {code} in phase {phase} without reporting a result"
            ),
            Cause::Harness(e) => format!("the harness failed in phase {phase}: {e}"),
        }
    }

    /// Everything after the headline: the phase and step, then the report.
    pub fn details(&self) -> String {
        let mut out = String::new();
        match (&self.cause, &self.step) {
            (Cause::TimedOut { .. } | Cause::Killed { .. } | Cause::Exited { .. }, _) => {}
            (Cause::Unavailable(_) | Cause::Misconfigured(_) | Cause::Spawn(_), _) => {}
            (_, Some(step)) => out.push_str(&format!("in phase {}, step: {step}\n", self.phase)),
            (_, None) => out.push_str(&format!("in phase {}\n", self.phase)),
        }
        if let Some(report) = &self.report {
            out.push_str(&report.text());
        }
        out
    }

    /// The report: diagram, every node's state, forensics (none when nothing was
    /// built: user namespaces unavailable, a misconfiguration, a failed fork).
    pub fn report(&self) -> Option<&crate::report::Report> {
        self.report.as_deref()
    }

    /// The body's backtrace, resolved, when RUST_BACKTRACE asked for one.
    pub fn backtrace(&self) -> Option<&str> {
        self.report.as_ref()?.backtrace()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.headline())?;
        if let Some(bt) = self.backtrace() {
            f.write_str(bt)?;
        }
        f.write_str(self.details().trim_end())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elsewhere_than_linux_a_run_says_that_it_needs_linux_in_one_message() {
        let e = Error::needs_linux();
        assert!(e.is_unavailable());
        let os = std::env::consts::OS;
        assert_eq!(
            e.to_string().trim_end(),
            format!(
                "netns-test cannot run here: this is {os}, and netns-test needs Linux: each \
                 test runs in Linux user and network namespaces. Run the tests on Linux (a \
                 virtual machine or a Linux CI job will do)"
            )
        );
        assert_eq!(e.message(), e.headline());
        assert!(e.details().is_empty() && e.report().is_none() && e.location().is_none());
    }
}
