//! The test thread's side: relay output, read frames, enforce the deadline.
//!
//! At the deadline the parent does not kill at once: it writes a byte to the sandbox
//! process, which reads every node's state while the worker is still stuck, writes the
//! capture and says `End` (`witness.rs`). After `GRACE` without it, the sandbox is
//! killed and the report says the state could not be taken.

use super::progress::{now_ns, ProgressPage};
use super::protocol::{Decoder, Failure, Frame, WorkerExit};
use super::ParentEnds;
use crate::error::{Phase, Timings};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the sandbox process may take, after the deadline, to read the state.
pub(crate) const GRACE: Duration = Duration::from_secs(1);

/// How a sandbox ended, as the parent saw it: the outcome, where the run was, and what
/// the sandbox process found.
#[derive(Debug)]
pub(crate) struct Ending {
    pub outcome: Outcome,
    pub phase: Phase,
    pub step: Option<String>,
    /// The node states the sandbox process read, and when (or why it could not).
    pub states: Option<crate::report::States>,
    /// The capture file written, or why not.
    pub capture: Option<Result<String, String>>,
    /// What the impairment relay did, if the sandbox had one.
    pub impairments: Option<String>,
}

#[derive(Debug)]
pub(crate) enum Outcome {
    Passed,
    Failed(Failure),
    Unavailable(String),
    TimedOut(Duration),
    Killed(String),
    Exited(i32),
    Spawn(String),
    /// The sandbox could not run the body: the work goes to a new one.
    Retry(String),
}

impl Ending {
    pub(crate) fn spawn_failed(why: String) -> Ending {
        Ending {
            outcome: Outcome::Spawn(why),
            phase: Phase::Setup,
            step: None,
            states: None,
            capture: None,
            impairments: None,
        }
    }
}

/// Sandboxes that said `End` still have to exit, which waits for the RCU grace periods
/// of the capture sockets they close: a thread of the test process waits for them
/// (reaps them), off the tests' path. It takes nothing a forked child could need (fork
/// copies only the forking thread).
static REAPER: Mutex<Option<std::sync::mpsc::Sender<libc::pid_t>>> = Mutex::new(None);

/// Starts the reaper thread if this process has none yet. Called right after a fork,
/// while the sandbox builds: the parent has nothing else to do then, so the thread's
/// start costs the test nothing, where after `End` it was on the path of the first
/// test of every process, which is every test under nextest.
pub(super) fn start_reaper() {
    let mut reaper = REAPER.lock().unwrap_or_else(PoisonError::into_inner);
    if reaper.is_some() {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel::<libc::pid_t>();
    let started = std::thread::Builder::new()
        .name("netns-test-reaper".into())
        .spawn(move || {
            for pid in rx {
                reap(pid);
            }
        });
    // No thread: `reap_later` waits on the test's path instead.
    if started.is_ok() {
        *reaper = Some(tx);
    }
}

/// Hands `pid` to the reaper thread; without one, waits for it here.
fn reap_later(pid: libc::pid_t) {
    let reaper = REAPER.lock().unwrap_or_else(PoisonError::into_inner);
    if reaper.as_ref().is_none_or(|tx| tx.send(pid).is_err()) {
        drop(reaper);
        reap(pid);
    }
}

/// Waits for the sandbox `pid` and turns what it said into the run's ending, and
/// how long each phase took (from the progress page; `started` is from `progress::now_ns`).
pub(super) fn supervise(
    pid: libc::pid_t,
    ends: ParentEnds,
    page: &ProgressPage,
    timeout: Duration,
    started: u64,
) -> (Ending, Timings) {
    // The end of the sandbox is seen through its `End` frame, or through a pidfd if it
    // dies without one, not through EOF on the pipes: other tests fork at the same
    // time, and their children hold copies of our write ends until they exit.
    let pidfd = match pidfd_open(pid) {
        Ok(fd) => fd,
        Err(e) => {
            kill_and_reap(pid);
            return (
                Ending::spawn_failed(format!("pidfd_open: {e}")),
                Timings::default(),
            );
        }
    };
    for fd in [&ends.out, &ends.err, &ends.res] {
        set_nonblocking(fd.as_raw_fd());
    }
    let mut out = Relay::new(Stream::Out);
    let mut err = Relay::new(Stream::Err);
    let mut decoder = Decoder::default();
    let mut frames = Vec::new();
    let mut deadline = Instant::now() + timeout;
    let mut kept = 0;
    let mut timed_out = false;
    let mut ended = false;
    let mut gone = false;

    loop {
        let now = Instant::now();
        if now >= deadline {
            if timed_out {
                break; // the grace is over too
            }
            timed_out = true;
            // SAFETY: writing one byte from a stack buffer to our own pipe.
            unsafe { libc::write(ends.ctl.as_raw_fd(), [1u8].as_ptr().cast(), 1) };
            deadline = now + GRACE;
            continue;
        }
        let wait_ms = (deadline - now).as_millis().min(i32::MAX as u128) as i32;
        let mut fds = [
            poll_fd(ends.out.as_raw_fd()),
            poll_fd(ends.err.as_raw_fd()),
            poll_fd(ends.res.as_raw_fd()),
            poll_fd(pidfd.as_raw_fd()),
        ];
        // SAFETY: fds is a valid array of pollfd.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait_ms.max(1)) };
        if n < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            break;
        }
        if fds[0].revents != 0 {
            drain(ends.out.as_raw_fd(), |b| out.push(b));
        }
        if fds[1].revents != 0 {
            drain(ends.err.as_raw_fd(), |b| err.push(b));
        }
        if fds[2].revents != 0 {
            drain(ends.res.as_raw_fd(), |b| frames.extend(decoder.push(b)));
            // A kept sandbox: tell the developer now, on the real stderr (libtest
            // would hold captured output until the test ends), and wait for it.
            for f in &frames[kept..] {
                match f {
                    Frame::Keep(secs, how) if !timed_out => {
                        use std::io::Write;
                        let _ = std::io::stderr().write_all(how.as_bytes());
                        deadline += Duration::from_secs(*secs);
                    }
                    Frame::End => ended = true,
                    _ => {}
                }
            }
            kept = frames.len();
        }
        if ended {
            break;
        }
        if fds[3].revents != 0 {
            gone = true;
            break;
        }
    }

    let status = if ended {
        // It only has to exit now: reaped later, off the test's path.
        reap_later(pid);
        0
    } else if gone {
        reap(pid)
    } else {
        kill_and_reap(pid)
    };
    // Everything the worker wrote before it ended is in the pipes now.
    drain(ends.out.as_raw_fd(), |b| out.push(b));
    drain(ends.err.as_raw_fd(), |b| err.push(b));
    drain(ends.res.as_raw_fd(), |b| frames.extend(decoder.push(b)));
    out.finish();
    err.finish();
    let ending = Ending {
        outcome: outcome(&frames, status, timed_out.then_some(timeout)),
        phase: frames
            .iter()
            .find_map(|f| match f {
                Frame::Failed(phase, _) => Some(*phase),
                _ => None,
            })
            .unwrap_or_else(|| page.phase()),
        step: page.step(),
        states: frames.iter().find_map(|f| match f {
            Frame::States { when, nodes } => Some(crate::report::States {
                when: when.clone(),
                nodes: nodes.clone(),
            }),
            _ => None,
        }),
        capture: frames.iter().find_map(|f| match f {
            Frame::Capture(r) => Some(r.clone()),
            _ => None,
        }),
        impairments: frames.iter().find_map(|f| match f {
            Frame::Impairments(text) => Some(text.clone()),
            _ => None,
        }),
    };
    (ending, page.timings(started, now_ns()))
}

/// The first result among the frames, else the sandbox's wait status.
fn outcome(frames: &[Frame], status: i32, timed_out: Option<Duration>) -> Outcome {
    if let Some(after) = timed_out {
        return Outcome::TimedOut(after);
    }
    for frame in frames {
        match frame {
            Frame::Ok => return Outcome::Passed,
            Frame::Failed(_, failure) => return Outcome::Failed(failure.clone()),
            Frame::Unavailable(why) => return Outcome::Unavailable(why.clone()),
            Frame::WorkerExit(WorkerExit::Signal(sig)) => {
                return Outcome::Killed(signal_name(*sig))
            }
            Frame::WorkerExit(WorkerExit::Code(code)) => return Outcome::Exited(*code),
            Frame::Retry(why) => return Outcome::Retry(why.clone()),
            Frame::Keep(..)
            | Frame::States { .. }
            | Frame::Capture(_)
            | Frame::Impairments(_)
            | Frame::End => {}
        }
    }
    if libc::WIFSIGNALED(status) {
        Outcome::Killed(signal_name(libc::WTERMSIG(status)))
    } else {
        Outcome::Exited(libc::WEXITSTATUS(status))
    }
}

fn signal_name(sig: i32) -> String {
    nix::sys::signal::Signal::try_from(sig)
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|_| format!("signal {sig}"))
}

fn pidfd_open(pid: libc::pid_t) -> std::io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the kernel just gave us this fd.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// SIGKILL reaches the worker too: its parent-death signal is SIGKILL, and as the PID
/// namespace's init its death takes every process of the test with it.
fn kill_and_reap(pid: libc::pid_t) -> i32 {
    // SAFETY: pid is our own child, not yet reaped.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    reap(pid)
}

fn reap(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::__WALL) };
        if r == pid
            || (r == -1 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR))
        {
            return status;
        }
    }
}

fn poll_fd(fd: RawFd) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl on an fd we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

/// Reads what is there now, without blocking.
fn drain(fd: RawFd, mut sink: impl FnMut(&[u8])) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        // SAFETY: reading into a stack buffer of the given length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            sink(&buf[..n as usize]);
        } else if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        } else {
            return;
        }
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// Re-prints the sandbox's output with `print!`/`eprint!`, so libtest captures it for
/// this test (and `--nocapture` shows it), keeping UTF-8 sequences split across reads whole.
struct Relay {
    stream: Stream,
    pending: Vec<u8>,
}

impl Relay {
    fn new(stream: Stream) -> Relay {
        Relay {
            stream,
            pending: Vec::new(),
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // An incomplete sequence at the end waits for the next read.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let chunk: Vec<u8> = self.pending.drain(..valid).collect();
        self.emit(&chunk);
    }

    fn finish(&mut self) {
        let rest = std::mem::take(&mut self.pending);
        self.emit(&rest);
    }

    fn emit(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        match self.stream {
            Stream::Out => print!("{text}"),
            Stream::Err => eprint!("{text}"),
        }
    }
}
