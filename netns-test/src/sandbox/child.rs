//! The two processes below the test thread: the sandbox and its worker.
//!
//! Fork safety. The parent is a multi-threaded libtest runner; after `fork` only the
//! forking thread exists in the child, and any lock another thread held at that
//! moment stays held forever. What runs here is safe for these reasons:
//! - `prctl`, `dup2`, `unshare`, `setrlimit`, `sigaction`, `waitpid`, `write`, `_exit`
//!   are plain system calls and take no user-space locks;
//! - the test process's descriptors are replaced right after fork, and tokio's signal
//!   pipe made private (`inherited::seal`, with its own argument); fds 0 to 2 are kept;
//! - without `dup2` (output not relayed, for a terminal) fds 1 and 2 stay the test
//!   process's own: the child writes to them with the same `write(2)` calls, through
//!   std's stdout and stderr, whose locks are free (next point);
//! - memory allocation: glibc's `fork` takes every malloc arena lock before forking
//!   and releases them in both processes, so `malloc` works in the child;
//! - std's stdout and stderr locks are taken by the forking thread around `fork`
//!   (see `sandbox::run`), so the child's copies are free;
//! - libtest's output capture is a thread-local of the forking thread; the work runs
//!   on a thread std did not create (`fresh_thread::run_on_fresh_thread`), which has none;
//! - nothing of the parent's tokio runtimes is used: the worker makes its own;
//! - environment variables are read in the parent, before `fork`, never here (std's
//!   environment lock could be held by a thread calling `set_var`); the body may take
//!   it (`Command::spawn`), and so does tokio's runtime builder: the worker checks
//!   its copy first (`held_locks.rs`, with its own argument), and a sandbox whose copy
//!   is stuck is replaced by a new one;
//! - every `std::thread` the worker starts (the builder's helpers, the relay, a body's
//!   `Node::run`) takes std's stack-guard lock as it starts and ends, which a thread
//!   of the test process may have held at fork: the same probe starts and joins one
//!   first, and a stuck copy replaces the sandbox the same way;
//! - panics in the worker go to the hook of `panics.rs`, installed in the parent before
//!   the first fork; it takes none of std's output or backtrace locks (its own
//!   argument is written there);
//! - NATs (`nat::table`: built, changed and read) and the report's NAT section speak
//!   netfilter's netlink on sockets of their own (netlink-sys: socket, send, recv,
//!   and nix's poll) and write conntrack's sysctls through /proc: system calls only,
//!   no lock of the parent's; a reflector's threads are threads the worker made;
//! - the impairment relay (`impair/`), started in the worker only when a link is
//!   impaired: its thread and the threads that open its packet sockets are made
//!   after the fork, by the worker; they use system calls (epoll, timerfd, eventfd,
//!   AF_PACKET, raw netlink), allocation, and a mutex and channels the worker made;
//!   they read no environment variable (the seed comes from the parent in the
//!   options) and print nothing; the worker never waits for the relay thread to end
//!   (`_exit` takes it down), and its sockets' second descriptors sit in the vault,
//!   so that their close, which waits for RCU grace periods, happens in the sandbox
//!   process after the verdict;
//! - the sandbox process starts one thread before it forks the worker, the closer
//!   (`release::Closer`, with its own argument): a `pthread_create` thread that waits
//!   on its own channel and takes none of the locks the worker uses;
//! - the sandbox process, once the worker is forked, only waits for it or for the
//!   parent's deadline and then reads node state (NATs included) and capture sockets
//!   (`witness.rs`): system calls, allocation and a tokio runtime of its own, as the
//!   worker does; at its end (`release.rs`) it clears its parent-death signal
//!   (`prctl`) and closes descriptors (`close`), the capture sockets on the closer's
//!   threads: system calls, allocation and channels of its own.

use super::protocol::{acquire_writer, Failure, Frame, CAUGHT};
use super::witness::{self, Orders};
use super::{
    fresh_thread, held_locks, inherited, panics, release, userns, vault, ChildEnds, Reporter, Work,
};
use crate::error::Phase;
use crate::options::CaptureMode;

/// The sandbox process: namespaces, then the worker, then its epitaph. It never
/// returns, and never unwinds into the test process's code it was forked from.
pub(super) fn main(
    parent_pid: u32,
    ids: userns::Ids,
    ends: ChildEnds,
    fds: usize,
    relay_output: bool,
    orders: &Orders,
    work: Box<Work<'_>>,
) -> ! {
    let res = ends.res;
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sandbox(parent_pid, ids, ends, fds, relay_output, orders, work)
    }));
    if let Err(payload) = ran {
        let why = format!(
            "the sandbox process panicked: {}",
            super::panic_message(&*payload)
        );
        Frame::Failed(Phase::Setup, Failure::Harness(why)).send(res);
        Frame::End.send(res);
    }
    exit(0)
}

fn sandbox(
    parent_pid: u32,
    ids: userns::Ids,
    ends: ChildEnds,
    fds: usize,
    relay_output: bool,
    orders: &Orders,
    work: Box<Work<'_>>,
) -> ! {
    // Its panics are recorded, never printed (std's hook takes locks).
    panics::start_recording(orders.backtrace);
    // SAFETY (whole function): only fork-safe calls, see the module comment.
    unsafe {
        // If the test process dies, so does the sandbox (and, through the PID
        // namespace, everything in it).
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        if libc::getppid() as u32 != parent_pid {
            libc::_exit(1);
        }
        if relay_output {
            libc::dup2(ends.out, 1);
            libc::dup2(ends.err, 2);
        }
    }
    // Nothing of the test process stays open here but the sandbox's own pipes.
    inherited::seal(&[ends.res, ends.ctl, ends.vault, ends.vault_tx]);
    // SAFETY: as above.
    unsafe {
        // A crash must not leave a core file behind on the host.
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
    }

    if let Err(why) = userns::enter(ids) {
        Frame::Unavailable(why).send(ends.res);
        Frame::End.send(ends.res);
        exit(0);
    }
    // Started before the PID namespace, so that it may start threads (`release.rs`);
    // only where it saves more than it costs.
    let closer = match orders.capture {
        CaptureMode::Never => None,
        _ if orders.sockets < release::CLOSER_FROM => None,
        _ => release::Closer::start(),
    };
    if let Err(why) = userns::enter_pid() {
        Frame::Unavailable(why).send(ends.res);
        Frame::End.send(ends.res);
        exit(0);
    }

    // SAFETY: as above; the worker continues with the same fork-safety rules.
    let worker = unsafe { libc::fork() };
    match worker {
        -1 => {
            let e = std::io::Error::last_os_error();
            let why = Failure::Harness(format!("fork of the worker: {e}"));
            Frame::Failed(Phase::Setup, why).send(ends.res);
            Frame::End.send(ends.res);
            exit(0)
        }
        0 => {
            // The worker never touches the closer's channel, not even to drop it: the
            // fork may have copied one of its locks held.
            std::mem::forget(closer);
            worker_main(ends, fds, orders, work)
        }
        pid => {
            // SAFETY: the worker's end of the vault; ours is the other.
            unsafe { libc::close(ends.vault_tx) };
            witness::watch(pid, &ends, orders, closer);
            exit(0)
        }
    }
}

/// The worker: PID 1 of the sandbox's PID namespace.
fn worker_main(ends: ChildEnds, fds: usize, orders: &Orders, work: Box<Work<'_>>) -> ! {
    // SAFETY: plain system calls; the sandbox process's ends are not the worker's.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        catch_self_sent_signals(ends.res);
        libc::close(ends.vault);
        libc::close(ends.ctl);
    }
    panics::start_recording(orders.backtrace);
    room_for_fds(fds);
    let reporter = Reporter {
        fd: ends.res,
        progress: ends.progress,
        vault: vault::Vault::new(ends.vault_tx),
    };
    // Never returns if a lock of the test process was held at fork: the sandbox
    // process then asks the test for a new sandbox.
    held_locks::probe();
    ends.progress.set_clear();
    let mut outcome: Option<Result<(), (Phase, Failure)>> = None;
    let ran = fresh_thread::run_on_fresh_thread(Box::new(|| {
        outcome = Some(work(&reporter));
    }));
    let frame = match (ran, outcome) {
        (_, Some(Ok(()))) => Frame::Ok,
        (_, Some(Err((phase, failure)))) => Frame::Failed(phase, failure),
        (Err(panic), None) => Frame::Failed(
            Phase::Setup,
            Failure::Harness(format!("the harness panicked: {panic}")),
        ),
        (Ok(()), None) => Frame::Failed(
            Phase::Setup,
            Failure::Harness("the worker ended without a result".into()),
        ),
    };
    flush_std();
    // The sandbox process reads the verdict from the page once this process is gone.
    ends.progress.set_verdict(frame == Frame::Ok);
    frame.send(ends.res);
    exit(0)
}

/// Makes room for `fds` open files while the worker has one thread.
///
/// Raises the soft limit (up to the hard one) if it is lower: a large topology holds
/// a namespace and a netlink socket per node. And grows the fd table now: growing it
/// later, when threads share it, waits for an RCU grace period (`expand_files` calls
/// `synchronize_rcu`), 10-20 ms each time the table doubles.
fn room_for_fds(fds: usize) {
    let want = fds as libc::rlim_t;
    // SAFETY: getrlimit/setrlimit/dup2/close on this process only; the fd `top` is
    // free (dup2 onto it) and closed again at once.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        if lim.rlim_cur < want {
            lim.rlim_cur = want.min(lim.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
        let top = (want.min(lim.rlim_cur) as libc::c_int) - 1;
        if top > 2 && libc::fcntl(top, libc::F_GETFD) == -1 && libc::dup2(2, top) == top {
            libc::close(top);
        }
    }
}

static RESULT_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// The kernel ignores signals a PID namespace's init sends itself unless it handles
/// them, so `abort()` in the worker would not end it with SIGABRT. Handle the signals
/// a program sends itself to die, report them like a death by signal and exit.
unsafe fn catch_self_sent_signals(res: i32) {
    RESULT_FD.store(res, std::sync::atomic::Ordering::Relaxed);
    for sig in CAUGHT {
        // SAFETY: installing a handler that only calls async-signal-safe functions.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Reports a signal the worker caught like a death by it, and exits. It waits for a
/// frame that another thread is writing to be whole first (`Frame::send`).
extern "C" fn on_signal(sig: libc::c_int) {
    let fd = RESULT_FD.load(std::sync::atomic::Ordering::Relaxed);
    // Async-signal-safe: an atomic, a stack buffer and one write(2).
    acquire_writer();
    let mut frame = [0u8; 9];
    frame[0] = b'S';
    frame[1..5].copy_from_slice(&4u32.to_le_bytes());
    frame[5..9].copy_from_slice(&sig.to_le_bytes());
    // SAFETY: write and _exit are async-signal-safe.
    unsafe {
        libc::write(fd, frame.as_ptr().cast(), frame.len());
        libc::_exit(128 + sig);
    }
}

fn flush_std() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// `_exit`: no atexit handlers or destructors of the parent's state run in a child.
fn exit(code: i32) -> ! {
    // SAFETY: _exit is always safe.
    unsafe { libc::_exit(code) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::protocol::{Decoder, WorkerExit};

    /// A SIGTERM while a thread is writing a frame longer than the pipe holds: the
    /// handler's frame comes after it, whole, never inside it.
    #[test]
    fn a_signal_frame_never_lands_inside_another_frame() {
        let mut fds = [0; 2];
        // SAFETY: pipe writes two new descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let [rx, tx] = fds;
        let big = Frame::Failed(Phase::Body, Failure::Harness("x".repeat(1 << 20)));
        // SAFETY: the child only writes frames and exits; it never returns here.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: the handler writes to tx, which stays open.
            unsafe { catch_self_sent_signals(tx) };
            let sender = std::thread::spawn(move || big.send(tx));
            let _ = sender.join();
            // SAFETY: _exit in the child.
            unsafe { libc::_exit(0) };
        }
        // SAFETY: closing our copy of the write end.
        unsafe { libc::close(tx) };
        let mut bytes = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut signalled = false;
        loop {
            // SAFETY: reading into a buffer of the given length.
            let n = unsafe { libc::read(rx, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n as usize]);
            if !signalled {
                // The frame is being written (the pipe was full): now the signal.
                // SAFETY: a signal to our own child.
                unsafe { libc::kill(pid, libc::SIGTERM) };
                signalled = true;
            }
        }
        let mut status = 0;
        // SAFETY: waiting for our own child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        let frames = Decoder::default().push(&bytes);
        let want = Frame::Failed(Phase::Body, Failure::Harness("x".repeat(1 << 20)));
        assert_eq!(frames.len(), 2, "{} bytes", bytes.len());
        assert!(frames[0] == want, "the long frame is whole");
        assert_eq!(
            frames[1],
            Frame::WorkerExit(WorkerExit::Signal(libc::SIGTERM))
        );
    }
}
