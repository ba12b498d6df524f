//! Locks that another thread of the test process may have held at the instant of
//! fork, which the sandbox cannot release: it checks its copies before the body runs,
//! and a sandbox whose copy is stuck is thrown away and forked again.
//!
//! Three locks of the process outlive `fork` in a state no thread of the sandbox can
//! change, and a body reaches each through ordinary calls:
//! - std's environment lock (a `RwLock`), read by `std::env::var` and by every
//!   `Command::spawn` (`Node::command`), written by `std::env::set_var`. If a thread
//!   of the test process held it for writing, or waited to, the sandbox's first read
//!   waited forever. std offers no way to hold it across our own `fork`.
//! - signal-hook-registry's lock (under `tokio::signal` and `tokio::process`), which a
//!   thread of the test process holds as a reader while it runs a signal handler (a
//!   SIGCHLD from one of its `tokio::process` children): registering a signal in the
//!   sandbox then spun forever, waiting for that reader to leave.
//! - std's lock of its threads' stack guard records (`stack_overflow::thread_info`), taken
//!   by every thread std starts, as it starts and as it ends. libtest starts and ends a
//!   thread per test: if one of them held it at fork, every `std::thread` of the
//!   sandbox (a body's `Node::run`, the builder's helpers) waited for it forever. Seen
//!   once in about 3000 sandboxes of 200 tests run on 16 threads, as a body timing out
//!   in its first `Node::run`.
//!
//! The worker takes each lock once (`probe`) before anything else, tens of
//! microseconds when its copies are free (the third by starting and joining a
//! thread), and says so on the progress page. If it
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
    // A thread std starts and ends takes its stack guard lock twice. A thread that
    // cannot be made (a limit) says nothing of the lock: the body will meet the limit.
    if let Ok(t) = std::thread::Builder::new()
        .name("netns-test-probe".into())
        .spawn(|| {})
    {
        let _ = t.join();
    }
}
