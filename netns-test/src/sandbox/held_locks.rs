//! Locks that another thread of the test process may have held at the instant of
//! fork, which the sandbox cannot release: it checks its copies before the body runs,
//! and a sandbox whose copy is stuck is thrown away and forked again.
//!
//! Two locks of the process outlive `fork` in a state no thread of the sandbox can
//! change, and a body reaches both through ordinary calls:
//! - std's environment lock (a `RwLock`), read by `std::env::var` and by every
//!   `Command::spawn` (`Node::command`), written by `std::env::set_var`. If a thread
//!   of the test process held it for writing, or waited to, the sandbox's first read
//!   waited forever. std offers no way to hold it across our own `fork`.
//! - signal-hook-registry's lock (under `tokio::signal` and `tokio::process`), which a
//!   thread of the test process holds as a reader while it runs a signal handler (a
//!   SIGCHLD from one of its `tokio::process` children): registering a signal in the
//!   sandbox then spun forever, waiting for that reader to leave.
//!
//! The worker takes each lock once (`probe`) before anything else, a few
//! microseconds when its copies are free, and says so on the progress page. If it
//! has not said so within `WAIT`, a lock was held at fork: the sandbox process kills
//! the worker and asks the test for a new sandbox (`Frame::Retry`), before any of
//! the work ran. Our own code in the sandbox never takes the environment lock: what
//! it needs from the environment is read in the test process (`Options::with_env`,
//! `runner::before_the_first_fork`); tokio's runtime builder reads it, after the
//! probe.

use std::time::Duration;

/// How long the sandbox process waits for the probe: it takes microseconds, so only a
/// stuck lock (or a machine stalled this long) misses it.
pub(crate) const WAIT: Duration = Duration::from_millis(500);

/// Takes each lock once; blocks forever if one was held at fork.
pub(super) fn probe() {
    let _ = std::env::var_os("NETNS_TEST_LOCK_PROBE");
    // A signal nobody sends, with a handler that does nothing: registering and
    // unregistering it takes the registry's lock for writing, as a body's
    // `tokio::signal` would.
    // SAFETY: the action is empty, hence async-signal-safe.
    if let Ok(id) = unsafe { signal_hook_registry::register(libc::SIGURG, || {}) } {
        signal_hook_registry::unregister(id);
    }
}
