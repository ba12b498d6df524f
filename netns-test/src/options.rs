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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(60),
            checks: true,
            node: None,
            name: None,
            isolation_timeout: Duration::from_millis(200),
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

    /// How long an isolation probe (`-x-`) waits for a reply that must not come.
    pub fn isolation_timeout(mut self, timeout: Duration) -> Self {
        self.isolation_timeout = timeout;
        self
    }
}
