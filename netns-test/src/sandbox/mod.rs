//! The sandbox: a forked child in its own user, network, mount and PID namespaces.
//!
//! ```text
//! test thread (parent)        sandbox (child)                   worker (grandchild, PID 1)
//! fork ─────────────────────▶ unshare(USER|NET|NS|PID), id maps
//!                             fork ───────────────────────────▶ raw thread: build, body, checks
//! poll pipes + pidfd          waitpid(worker), report its end    result frame, _exit
//! ```
//!
//! The sandbox process stays outside the new PID namespace so it can report how the
//! worker died; the worker is the namespace's init, so when it ends the kernel kills
//! every process a test started. Everything the test built lives in namespaces owned
//! by the sandbox and vanishes with it: nothing is created on the host.

mod board;
mod child;
mod parent;
pub(crate) mod protocol;
mod thread;
pub(crate) use thread::panic_message;
pub(crate) mod mounts;
mod userns;

use crate::error::{Error, Phase, Timings};
use protocol::Frame;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// The worker's line back to the parent: progress on the board, the rest as frames.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reporter {
    fd: RawFd,
    board: board::Post,
}

impl Reporter {
    pub(crate) fn phase(&self, phase: Phase) {
        self.board.phase(phase);
    }

    /// Tells the parent the sandbox stays up for `secs` and how to enter it.
    pub(crate) fn keep(&self, secs: u64, how: String) {
        Frame::Keep(secs, how).send(self.fd);
    }

    /// Names the step under way: a run that hangs is reported with it.
    pub(crate) fn step(&self, what: &str) {
        self.board.step(what);
    }
}

/// What the worker runs: build, body and checks, or the phase and message of a failure.
pub(crate) type Work<'a> = dyn FnOnce(&Reporter) -> Result<(), (Phase, String)> + 'a;

/// Runs `work` in a fresh sandbox and waits for it, at most `timeout`. `fds` is how
/// many file descriptors the work expects to hold at once (a namespace and a netlink
/// socket per node, and so on).
pub(crate) fn run(
    timeout: Duration,
    fds: usize,
    work: Box<Work<'_>>,
) -> (Result<(), Error>, Timings) {
    let started = board::now_ns();
    let pipes = match Pipes::new() {
        Ok(p) => p,
        Err(e) => return (Err(Error::Spawn(format!("pipe: {e}"))), Timings::default()),
    };
    let board = match board::Board::new() {
        Ok(b) => b,
        Err(e) => return (Err(Error::Spawn(format!("mmap: {e}"))), Timings::default()),
    };
    let ids = userns::Ids::current();
    let parent_pid = std::process::id();

    // Another thread holding std's stdout or stderr lock at the moment of fork would
    // leave the child's copy locked forever. Holding both across fork means the only
    // holder is this thread, whose copy in the child releases them again.
    let out_lock = std::io::stdout().lock();
    let err_lock = std::io::stderr().lock();
    // SAFETY: the child only runs code that is safe after fork in a multi-threaded
    // process: see child::main for the argument, step by step.
    let forked = unsafe { libc::fork() };
    drop(err_lock);
    drop(out_lock);
    match forked {
        -1 => (
            Err(Error::Spawn(format!(
                "fork: {}",
                std::io::Error::last_os_error()
            ))),
            Timings::default(),
        ),
        0 => child::main(parent_pid, ids, pipes.child_ends(board.post()), fds, work),
        pid => {
            let ends = pipes.into_parent_ends();
            parent::supervise(pid, ends, &board, timeout, started)
        }
    }
}

/// The three pipes between parent and sandbox: stdout, stderr and result frames.
struct Pipes {
    out: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
    err: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
    res: (std::os::fd::OwnedFd, std::os::fd::OwnedFd),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ChildEnds {
    out: RawFd,
    err: RawFd,
    res: RawFd,
    board: board::Post,
}

pub(crate) struct ParentEnds {
    out: std::os::fd::OwnedFd,
    err: std::os::fd::OwnedFd,
    res: std::os::fd::OwnedFd,
}

impl Pipes {
    fn new() -> nix::Result<Pipes> {
        // CLOEXEC: programs a test starts must not hold the write ends.
        let flags = nix::fcntl::OFlag::O_CLOEXEC;
        Ok(Pipes {
            out: nix::unistd::pipe2(flags)?,
            err: nix::unistd::pipe2(flags)?,
            res: nix::unistd::pipe2(flags)?,
        })
    }

    fn child_ends(&self, board: board::Post) -> ChildEnds {
        ChildEnds {
            out: self.out.1.as_raw_fd(),
            err: self.err.1.as_raw_fd(),
            res: self.res.1.as_raw_fd(),
            board,
        }
    }

    /// Keeps the read ends; the write ends close here, in the parent.
    fn into_parent_ends(self) -> ParentEnds {
        ParentEnds {
            out: self.out.0,
            err: self.err.0,
            res: self.res.0,
        }
    }
}
