//! How one sandboxed test runs: deadline, checks, where the body runs, forensics; and
//! the `NETNS_TEST_*` environment, read and checked in the test process.

// Elsewhere than Linux a run fails before it reads its options (`elsewhere/runner.rs`).
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

/// Test hooks: machines of other kinds, met on this one.
mod hooks;
/// Where a run's files go: the target directory, the forensics root, directory names.
mod paths;

pub(crate) use hooks::Hooks;
pub(crate) use paths::dir_name;
#[cfg(target_os = "linux")]
use paths::forensics_root;
use std::path::PathBuf;
use std::time::Duration;

/// How long an isolation probe waits by default for the reply that must not come.
pub(crate) const ISOLATION_DEFAULT: Duration = Duration::from_millis(200);

/// Options of one sandboxed run; `#[netns_test(...)]` arguments map onto these.
#[derive(Debug, Clone)]
pub struct Options {
    pub(crate) timeout: Duration,
    pub(crate) checks: Checks,
    /// The `expect` statements after the body.
    pub(crate) expects: bool,
    /// The sandbox's stdout and stderr go through `print!`/`eprint!` (libtest's
    /// capture); `false`: they are this process's own (a terminal).
    pub(crate) relay_output: bool,
    pub(crate) node: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) isolation_timeout: Duration,
    pub(crate) keep: Option<Duration>,
    /// `None`: from NETNS_TEST_CAPTURE, else on failure.
    pub(crate) capture: Option<CaptureMode>,
    /// Where a failed run's report and capture go (from the test's name).
    pub(crate) forensics: Option<PathBuf>,
    /// RUST_BACKTRACE, as std reads it: the body's backtrace is taken in the sandbox.
    pub(crate) backtrace: Backtrace,
    /// Test hooks (`hooks.rs`): how every namespace starts, when the relay starts.
    pub(crate) hooks: Hooks,
    /// What every impairment decision is drawn from, and where it came from.
    pub(crate) seed: Option<(u64, SeedFrom)>,
}

/// Where a run's seed came from (a failure report says, and how to rerun with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeedFrom {
    /// `Options::seed`, or `#[netns_test(seed = N)]`.
    Options,
    /// NETNS_TEST_SEED.
    Env,
    /// Derived from the test's name: the same in every run of the test.
    Name,
}

/// The longest deadline, isolation wait and keep a run takes: a day. Longer ones
/// (`Duration::MAX` for "no limit") are clamped to it; past it an `Instant` could
/// overflow, and no test waits that long on purpose.
pub const LONGEST: Duration = Duration::from_secs(24 * 3600);

/// What RUST_BACKTRACE asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Backtrace {
    #[default]
    Off,
    Short,
    Full,
}

/// The checks of every segment after the body (`expect` statements always run);
/// docs/topology.md says what each proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Checks {
    /// No segment checks.
    Off,
    /// The default: on every segment, every member and the segment's hub resolve each
    /// other (one broadcast per segment, then the kernel's unicast probes) and ping;
    /// both neighbour tables must map the other's address to its MAC. Linear in the
    /// number of members.
    #[default]
    Hub,
    /// Every member of a segment resolves every other by broadcast and pings it:
    /// N(N−1) probes and neighbour entries per segment, so only for small segments
    /// (refused past 512 entries per family).
    AllPairs,
}

impl From<bool> for Checks {
    /// `true`: the default checks; `false`: none.
    fn from(on: bool) -> Checks {
        if on {
            Checks::Hub
        } else {
            Checks::Off
        }
    }
}

/// When to capture: `NETNS_TEST_CAPTURE=on-failure|always|never` (default on-failure:
/// every run captures, a failed one writes the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMode {
    /// Every run writes `capture.pcapng`, passed or failed.
    Always,
    /// No capture socket is opened.
    Never,
    /// Every run captures; only a failed one writes the file (the default).
    OnFailure,
}

impl CaptureMode {
    pub(crate) fn parse(value: &str) -> Result<CaptureMode, String> {
        match value {
            "always" => Ok(CaptureMode::Always),
            "on-failure" => Ok(CaptureMode::OnFailure),
            "never" => Ok(CaptureMode::Never),
            other => Err(format!(
                "NETNS_TEST_CAPTURE={other:?} is not understood; accepted values: \
                 on-failure (the default), always, never"
            )),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(60),
            checks: Checks::Hub,
            expects: true,
            relay_output: true,
            node: None,
            name: None,
            isolation_timeout: ISOLATION_DEFAULT,
            keep: None,
            capture: None,
            forensics: None,
            backtrace: Backtrace::Off,
            hooks: Default::default(),
            seed: None,
        }
    }
}

impl Options {
    /// The defaults: a 60 s deadline, checks on, the body in `host`, capture and
    /// forensics as the `NETNS_TEST_*` variables say.
    pub fn new() -> Self {
        Self::default()
    }

    /// The whole run (build, body, checks) must end within this; then the child is
    /// killed. At most [`LONGEST`] (a day): a longer one is clamped to it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.min(LONGEST);
        self
    }

    /// The segment checks after the body: `true` (the default, [`Checks::Hub`]),
    /// `false` ([`Checks::Off`]) or [`Checks::AllPairs`]; `expect` statements always run.
    pub fn checks(mut self, checks: impl Into<Checks>) -> Self {
        self.checks = checks.into();
        self
    }

    /// The `expect` statements after the body (on by default). Off, nothing is checked
    /// after the body if [`Options::checks`] is off too; [`Net::check`](crate::Net::check)
    /// still runs them on demand.
    pub fn expects(mut self, expects: bool) -> Self {
        self.expects = expects;
        self
    }

    /// Whether the sandbox's stdout and stderr are relayed through this process's
    /// `print!` and `eprint!` (the default), which libtest captures per test. With
    /// `false` the sandbox writes to this process's own stdout and stderr, as an
    /// interactive program started in a node needs (a shell on a terminal:
    /// `netns-test up`); stdin is always this process's.
    pub fn relay_output(mut self, relay: bool) -> Self {
        self.relay_output = relay;
        self
    }

    /// Run the body inside this node's namespace instead of `host`.
    pub fn node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// The test's name, used in reports and for forensics directories (by default the
    /// name of the calling thread, which libtest names after the test).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Keep the sandbox of a failed run alive this long, printing how to enter each
    /// node. `NETNS_TEST_KEEP=1` (10 minutes) or `NETNS_TEST_KEEP=<seconds>` sets it
    /// for every test. At most [`LONGEST`] (a day): a longer one is clamped to it.
    pub fn keep_on_failure(mut self, keep: Duration) -> Self {
        self.keep = Some(keep.min(LONGEST));
        self
    }

    /// Packet capture: `OnFailure` (the default), `Always` or `Never`; when not set
    /// here, `NETNS_TEST_CAPTURE=on-failure|always|never` decides.
    pub fn capture(mut self, mode: CaptureMode) -> Self {
        self.capture = Some(mode);
        self
    }

    /// Where a failed run writes its report and capture; by default
    /// `<target dir>/netns-test/<test name>/`.
    pub fn forensics_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.forensics = Some(dir.into());
        self
    }

    /// The seed of the impairments' random decisions: the same seed makes the same
    /// decisions for the same packets of each direction (packet k of a→b lost,
    /// duplicated, delayed alike in every run). By default NETNS_TEST_SEED, else a
    /// seed derived from the test's name. A failure report prints it.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some((seed, SeedFrom::Options));
        self
    }

    /// How long an isolation probe (`-x-`) waits for a reply that must not come. At
    /// most [`LONGEST`] (a day): a longer one is clamped to it.
    pub fn isolation_timeout(mut self, timeout: Duration) -> Self {
        self.isolation_timeout = timeout.min(LONGEST);
        self
    }

    /// The run's seed (after [`Options::with_env`]).
    pub(crate) fn seed_value(&self) -> u64 {
        self.seed.map_or(0, |s| s.0)
    }

    /// The capture mode in force (after [`Options::with_env`]).
    pub(crate) fn capture_mode(&self) -> CaptureMode {
        self.capture.unwrap_or(CaptureMode::OnFailure)
    }

    /// Settings from the environment and the file system, read in the parent (never
    /// in a forked child): NETNS_TEST_KEEP, NETNS_TEST_CAPTURE, RUST_BACKTRACE, the test's
    /// name and the target directory. A `NETNS_TEST_*` value the harness does not
    /// understand is an error that lists the accepted values: a typo must not quietly
    /// turn a setting off.
    #[cfg(target_os = "linux")]
    pub(crate) fn with_env(mut self) -> Result<Self, String> {
        if self.keep.is_none() {
            self.keep = keep_from(std::env::var("NETNS_TEST_KEEP").ok().as_deref())?;
        }
        if self.capture.is_none() {
            if let Ok(v) = std::env::var("NETNS_TEST_CAPTURE") {
                self.capture = Some(CaptureMode::parse(&v)?);
            }
        }
        if let Ok(v) = std::env::var("NETNS_TEST_OCCUPY_LOW_INDEXES") {
            self.hooks.occupy = v.parse().map_err(|_| {
                format!("NETNS_TEST_OCCUPY_LOW_INDEXES={v:?} is not a number of veth pairs")
            })?;
        }
        self.backtrace = match std::env::var("RUST_BACKTRACE").ok().as_deref() {
            None | Some("0") => Backtrace::Off,
            Some("full") => Backtrace::Full,
            Some(_) => Backtrace::Short,
        };
        if self.name.is_none() {
            // libtest runs each test on a thread named after it.
            self.name = std::thread::current()
                .name()
                .filter(|n| *n != "main")
                .map(str::to_string);
        }
        if self.seed.is_none() {
            if let Ok(v) = std::env::var("NETNS_TEST_SEED") {
                self.seed = Some((seed_from(&v)?, SeedFrom::Env));
            }
        }
        if self.seed.is_none() {
            let name = self.name.as_deref().unwrap_or("");
            self.seed = Some((crate::impair::stable_hash(name), SeedFrom::Name));
        }
        if self.forensics.is_none() {
            let name = self
                .name
                .clone()
                .unwrap_or_else(|| format!("unnamed-{}", std::process::id()));
            self.forensics = Some(forensics_root().join(dir_name(&name)));
        }
        Ok(self)
    }
}

/// What NETNS_TEST_KEEP asks for.
fn keep_from(value: Option<&str>) -> Result<Option<Duration>, String> {
    Ok(match value {
        None | Some("" | "0" | "false") => None,
        Some("1" | "true") => Some(Duration::from_secs(600)),
        Some(secs) => match secs.parse::<u64>() {
            Ok(s) if s <= LONGEST.as_secs() => Some(Duration::from_secs(s)),
            Ok(_) => {
                return Err(format!(
                    "NETNS_TEST_KEEP={secs} is more than a day: at most {} seconds",
                    LONGEST.as_secs()
                ))
            }
            Err(_) => {
                return Err(format!(
                    "NETNS_TEST_KEEP={secs:?} is not understood; accepted values: \
                     0 or false (off), 1 or true (10 minutes), or a number of seconds"
                ))
            }
        },
    })
}

/// What NETNS_TEST_SEED asks for: a number, decimal or 0x-hexadecimal.
fn seed_from(value: &str) -> Result<u64, String> {
    let v = value.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse::<u64>(),
    };
    parsed.map_err(|_| {
        format!(
            "NETNS_TEST_SEED={value:?} is not understood; accepted values: a whole number \
             from 0 to 18446744073709551615, decimal or 0x-hexadecimal (the seed a failure \
             report printed)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_values_and_their_errors() {
        assert_eq!(keep_from(None), Ok(None));
        assert_eq!(keep_from(Some("false")), Ok(None));
        assert_eq!(keep_from(Some("true")), Ok(Some(Duration::from_secs(600))));
        assert_eq!(keep_from(Some("30")), Ok(Some(Duration::from_secs(30))));
        let e = keep_from(Some("18446744073709551615")).unwrap_err();
        assert!(e.contains("more than a day: at most 86400 seconds"), "{e}");
        let e = keep_from(Some("99999999999999999999999")).unwrap_err();
        assert!(e.contains("not understood"), "{e}");
        let e = keep_from(Some("yes")).unwrap_err();
        assert!(
            e.contains("NETNS_TEST_KEEP=\"yes\"") && e.contains("seconds"),
            "{e}"
        );
    }

    #[test]
    fn seed_values_and_their_errors() {
        assert_eq!(seed_from("42"), Ok(42));
        assert_eq!(seed_from("0x2a"), Ok(42));
        assert_eq!(seed_from("18446744073709551615"), Ok(u64::MAX));
        let e = seed_from("-1").unwrap_err();
        assert!(
            e.contains("NETNS_TEST_SEED=\"-1\"") && e.contains("0x-hexadecimal"),
            "{e}"
        );
        assert!(seed_from("forty-two").is_err());
    }

    #[test]
    fn modes_parse_and_a_typo_lists_the_accepted_values() {
        assert_eq!(CaptureMode::parse("always"), Ok(CaptureMode::Always));
        assert_eq!(CaptureMode::parse("never"), Ok(CaptureMode::Never));
        assert_eq!(CaptureMode::parse("on-failure"), Ok(CaptureMode::OnFailure));
        let e = CaptureMode::parse("onfailure").unwrap_err();
        assert!(
            e.contains("\"onfailure\"") && e.contains("on-failure (the default), always, never"),
            "{e}"
        );
    }
}
