//! How one sandboxed test runs: deadline, checks, where the body runs.

use std::time::Duration;

/// Options of one sandboxed run; `#[netns_test(...)]` arguments map onto these.
#[derive(Debug, Clone)]
pub struct Options {
    pub(crate) timeout: Duration,
    pub(crate) checks: bool,
    pub(crate) node: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) isolation_timeout: Duration,
    pub(crate) keep: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(60),
            checks: true,
            node: None,
            name: None,
            isolation_timeout: Duration::from_millis(200),
            keep: None,
        }
    }
}

impl Options {
    pub fn new() -> Self {
        Self::default()
    }

    /// The whole run (build, body, checks) must end within this; then the child is killed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The ring pings and neighbour checks after the body (`expect` statements always run).
    pub fn checks(mut self, checks: bool) -> Self {
        self.checks = checks;
        self
    }

    /// Run the body inside this node's namespace instead of `host`.
    pub fn node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// The test's name, used in reports and for forensics directories.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Keep the sandbox of a failed run alive this long, printing how to enter each
    /// node. `NETNS_TEST_KEEP=1` (10 minutes) or `NETNS_TEST_KEEP=<seconds>` sets it
    /// for every test.
    pub fn keep_on_failure(mut self, keep: Duration) -> Self {
        self.keep = Some(keep);
        self
    }

    /// What NETNS_TEST_KEEP asks for, read in the parent (never in a forked child).
    pub(crate) fn keep_from_env(mut self) -> Self {
        if self.keep.is_none() {
            self.keep = match std::env::var("NETNS_TEST_KEEP").ok().as_deref() {
                None | Some("" | "0" | "false") => None,
                Some("1" | "true") => Some(Duration::from_secs(600)),
                Some(secs) => secs.parse().ok().map(Duration::from_secs),
            };
        }
        self
    }

    /// How long an isolation probe (`-x-`) waits for a reply that must not come.
    pub fn isolation_timeout(mut self, timeout: Duration) -> Self {
        self.isolation_timeout = timeout;
        self
    }
}
