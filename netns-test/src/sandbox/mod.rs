//! The sandbox: a forked child in its own user, network, mount and PID namespaces.
//!
//! ```text
//! test thread (parent)        sandbox (child)                   worker (grandchild, PID 1)
//! fork ─────────────────────▶ unshare(USER|NET), id maps,
//!                             the closer thread, unshare(PID)
//!                             fork ───────────────────────────▶ raw thread: build, body, checks
//! poll pipes + pidfd          waitpid(worker), report its end    result frame, _exit
//! ```
//!
//! The sandbox process stays outside the new PID namespace so it can report how the
//! worker died; the worker is the namespace's init, so when it ends the kernel kills
//! every process a test started. Everything the test built lives in namespaces owned
//! by the sandbox and vanishes with it: nothing is created on the host.

/// The sandbox process and its worker (PID 1 of the sandbox's PID namespace).
mod child;
/// A thread std did not start, so libtest's dead output capture is not inherited.
mod fresh_thread;
/// Locks held at fork by other threads of the test process: checked before the body.
pub(crate) mod held_locks;
/// The test process's descriptors, taken away from the sandbox right after fork.
mod inherited;
/// A mount namespace with /run/netns, so `ip netns exec` works inside the sandbox.
pub(crate) mod mounts;
/// The worker's panic hook: records panics instead of printing them.
pub(crate) mod panics;
/// The test thread's side: relay output, read frames, enforce the deadline.
mod parent;
/// A page shared with the parent where the work posts its phase and step.
mod progress;
/// The frames of the result pipe.
pub(crate) mod protocol;
/// The sandbox process lets go of its namespaces and capture sockets all at once.
mod release;
/// Entering a new user namespace with the caller's ids mapped, or why it failed.
mod userns;
/// Namespaces and capture sockets handed to the sandbox process as they are made.
pub(crate) mod vault;
/// The sandbox process's reading of node state and capture after a failure.
pub(crate) mod witness;
pub(crate) use fresh_thread::panic_message;
pub(crate) use parent::{Ending, Outcome, GRACE};
pub(crate) use progress::now_ns;
pub(crate) use protocol::Failure;

use crate::error::{Phase, Timings};
use protocol::Frame;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// The worker's line back to the parent: progress on the shared page, the rest as
/// frames; namespaces and capture sockets go to the sandbox process (`vault`).
#[derive(Debug)]
pub(crate) struct Reporter {
    fd: RawFd,
    progress: progress::ProgressWriter,
    pub(crate) vault: vault::Vault,
}

impl Reporter {
    pub(crate) fn phase(&self, phase: Phase) {
        self.progress.phase(phase);
    }

    /// Tells the parent the sandbox stays up for `secs` and how to enter it.
    pub(crate) fn keep(&self, secs: u64, how: String) {
        Frame::Keep(secs, how).send(self.fd);
    }

    /// Tells the parent what the impairment relay did.
    pub(crate) fn impairments(&self, text: String) {
        Frame::Impairments(text).send(self.fd);
    }

    /// Names the step under way: a run that hangs is reported with it.
    pub(crate) fn step(&self, what: &str) {
        self.progress.step(what);
    }
}

/// What the worker runs: build, body and checks, or the phase and the failure.
pub(crate) type Work<'a> = dyn FnOnce(&Reporter) -> Result<(), (Phase, Failure)> + 'a;

/// Runs `work` in a fresh sandbox and waits for it, at most `timeout` (then the
/// sandbox process reads the state and capture, within a grace, and is killed).
/// `fds` is how many file descriptors the work expects to hold at once (a namespace
/// and a netlink socket per node, and so on); `relay_output`: the sandbox's stdout
/// and stderr go to pipes that the parent relays (else they are the parent's own);
/// `orders` say what to keep of a failure.
pub(crate) fn run(
    timeout: Duration,
    fds: usize,
    relay_output: bool,
    orders: &witness::Orders,
    work: Box<Work<'_>>,
) -> (Ending, Timings) {
    let mut work = Some(work);
    let mut tries = 0;
    loop {
        tries += 1;
        let (ending, timings) = run_once(timeout, fds, relay_output, orders, &mut work);
        match ending.outcome {
            Outcome::Retry(_) if tries < TRIES => continue,
            _ => return (ending, timings),
        }
    }
}

/// How many sandboxes a run may take when locks were held at fork (`held_locks`).
const TRIES: u32 = 10;

/// One sandbox for the work (which the sandbox consumes: only its copy of it).
fn run_once(
    timeout: Duration,
    fds: usize,
    relay_output: bool,
    orders: &witness::Orders,
    work: &mut Option<Box<Work<'_>>>,
) -> (Ending, Timings) {
    let started = progress::now_ns();
    let spawn_failed = |why: String| (Ending::spawn_failed(why), Timings::default());
    let pipes = match Pipes::new() {
        Ok(p) => p,
        Err(e) => return spawn_failed(format!("pipe: {e}")),
    };
    let page = match progress::ProgressPage::new() {
        Ok(b) => b,
        Err(e) => return spawn_failed(format!("mmap: {e}")),
    };
    let ids = userns::Ids::current();
    let parent_pid = std::process::id();

    // Another thread holding std's stdout or stderr lock at the moment of fork would
    // leave the child's copy locked forever. Holding both across fork means the only
    // holder is this thread, whose copy in the child releases them again.
    let out_lock = std::io::stdout().lock();
    let err_lock = std::io::stderr().lock();
    // std's environment lock: taking and releasing it here leaves it free at this
    // instant (a waiting writer is woken, and needs microseconds to take it), so the
    // fork below rarely copies it held; when it does, the sandbox finds out and is
    // replaced (`held_locks`).
    let _ = std::env::var_os("NETNS_TEST_FORK");
    // SAFETY: the child only runs code that is safe after fork in a multi-threaded
    // process: see child::main for the argument, step by step.
    let forked = unsafe { libc::fork() };
    drop(err_lock);
    drop(out_lock);
    match forked {
        -1 => spawn_failed(format!("fork: {}", std::io::Error::last_os_error())),
        0 => child::main(
            parent_pid,
            ids,
            pipes.child_ends(page.writer()),
            fds,
            relay_output,
            orders,
            work.take()
                .expect("the parent keeps the work for every try"),
        ),
        pid => {
            let ends = pipes.into_parent_ends();
            parent::start_reaper();
            parent::supervise(pid, ends, &page, timeout, started)
        }
    }
}

/// The pipes between parent and sandbox (stdout, stderr, result frames, and the
/// deadline the other way), and the vault between worker and sandbox process.
struct Pipes {
    out: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
    err: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
    res: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
    ctl: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
    vault: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ChildEnds {
    out: RawFd,
    err: RawFd,
    res: RawFd,
    /// The parent writes a byte here at the deadline.
    ctl: RawFd,
    /// The sandbox process's end of the vault.
    vault: RawFd,
    /// The worker's end.
    vault_tx: RawFd,
    progress: progress::ProgressWriter,
}

pub(crate) struct ParentEnds {
    out: std::os::fd::OwnedFd,
    err: std::os::fd::OwnedFd,
    res: std::os::fd::OwnedFd,
    ctl: std::os::fd::OwnedFd,
}

impl Pipes {
    fn new() -> nix::Result<Pipes> {
        // CLOEXEC: programs a test starts must not hold the write ends.
        let flags = nix::fcntl::OFlag::O_CLOEXEC;
        Ok(Pipes {
            out: nix::unistd::pipe2(flags)?,
            err: nix::unistd::pipe2(flags)?,
            res: nix::unistd::pipe2(flags)?,
            ctl: nix::unistd::pipe2(flags)?,
            vault: vault::pair()
                .map_err(|e| nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))?,
        })
    }

    fn child_ends(&self, progress: progress::ProgressWriter) -> ChildEnds {
        ChildEnds {
            out: self.out.1.as_raw_fd(),
            err: self.err.1.as_raw_fd(),
            res: self.res.1.as_raw_fd(),
            ctl: self.ctl.0.as_raw_fd(),
            vault: self.vault.1.as_raw_fd(),
            vault_tx: self.vault.0.as_raw_fd(),
            progress,
        }
    }

    /// Keeps the read ends and the deadline's write end; the others close here.
    fn into_parent_ends(self) -> ParentEnds {
        ParentEnds {
            out: self.out.0,
            err: self.err.0,
            res: self.res.0,
            ctl: self.ctl.1,
        }
    }
}
