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
    pub(crate) capture: crate::forensics::capture::CaptureMode,
    /// Where a failed run's pcap files and report go (from the test's name).
    pub(crate) forensics: Option<std::path::PathBuf>,
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
            capture: crate::forensics::capture::CaptureMode::Never,
            forensics: None,
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

    /// Packet capture: `Never` (the default), `OnFailure` or `Always`; also set by
    /// `NETNS_TEST_CAPTURE=always|never|on-failure`.
    pub fn capture(mut self, mode: crate::forensics::capture::CaptureMode) -> Self {
        self.capture = mode;
        self
    }

    /// Where a failed run writes its pcap files and report; by default
    /// `target/netns-test/<test name>/`.
    pub fn forensics_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.forensics = Some(dir.into());
        self
    }

    /// Settings from the environment and the file system, read in the parent (never
    /// in a forked child): NETNS_TEST_KEEP, NETNS_TEST_CAPTURE, the target directory.
    pub(crate) fn with_env(self) -> Self {
        let mut o = self.keep_from_env();
        if std::env::var_os("NETNS_TEST_CAPTURE").is_some() {
            o.capture = crate::forensics::capture::CaptureMode::from_env();
        }
        if o.forensics.is_none() {
            let name = o
                .name
                .clone()
                .unwrap_or_else(|| format!("unnamed-{}", std::process::id()));
            let safe: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            o.forensics = Some(target_dir().join("netns-test").join(safe));
        }
        o
    }

    /// What NETNS_TEST_KEEP asks for.
    fn keep_from_env(mut self) -> Self {
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

/// CARGO_TARGET_DIR, else the `target` directory the running binary was built in,
/// else ./target.
fn target_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return dir.into();
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|a| a.file_name().is_some_and(|n| n == "target"))
                .map(Into::into)
        })
        .unwrap_or_else(|| "target".into())
}
