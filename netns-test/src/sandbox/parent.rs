//! The test thread's side: relay output, read frames, enforce the deadline.

use super::progress::{now_ns, ProgressPage};
use super::protocol::{Decoder, Frame, WorkerExit};
use super::ParentEnds;
use crate::error::{Error, Timings};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

/// Waits for the sandbox `pid` and turns what it said into the run's result, and
/// how long each phase took (from the progress page; `started` is from `progress::now_ns`).
pub(super) fn supervise(
    pid: libc::pid_t,
    ends: ParentEnds,
    page: &ProgressPage,
    timeout: Duration,
    started: u64,
) -> (Result<(), Error>, Timings) {
    // The end of the sandbox is seen through a pidfd, not through EOF on the pipes:
    // other tests fork at the same time, and their children hold copies of our write
    // ends until they exit, so EOF could come late.
    let pidfd = match pidfd_open(pid) {
        Ok(fd) => fd,
        Err(e) => {
            kill_and_reap(pid);
            return (
                Err(Error::Spawn(format!("pidfd_open: {e}"))),
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

    loop {
        let now = Instant::now();
        if now >= deadline {
            timed_out = true;
            break;
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
                if let Frame::Keep(secs, how) = f {
                    use std::io::Write;
                    let _ = std::io::stderr().write_all(how.as_bytes());
                    deadline += Duration::from_secs(*secs);
                }
            }
            kept = frames.len();
        }
        if fds[3].revents != 0 {
            break;
        }
    }

    let status = if timed_out {
        kill_and_reap(pid)
    } else {
        reap(pid)
    };
    // Everything the sandbox wrote before it ended is in the pipes now.
    drain(ends.out.as_raw_fd(), |b| out.push(b));
    drain(ends.err.as_raw_fd(), |b| err.push(b));
    drain(ends.res.as_raw_fd(), |b| frames.extend(decoder.push(b)));
    out.finish();
    err.finish();
    (
        verdict(&frames, status, page, timed_out.then_some(timeout)),
        page.timings(started, now_ns()),
    )
}

/// Turns the frames and the sandbox's wait status into the result.
fn verdict(
    frames: &[Frame],
    status: i32,
    page: &ProgressPage,
    timed_out: Option<Duration>,
) -> Result<(), Error> {
    let phase = page.phase();
    if let Some(after) = timed_out {
        let step = page.step();
        return Err(Error::TimedOut { after, phase, step });
    }
    for frame in frames {
        match frame {
            Frame::Ok => return Ok(()),
            Frame::Failed(phase, message) => {
                return Err(Error::Failed {
                    phase: *phase,
                    message: message.clone(),
                })
            }
            Frame::Unavailable(why) => return Err(Error::Unavailable(why.clone())),
            Frame::WorkerExit(WorkerExit::Signal(sig)) => {
                return Err(Error::Killed {
                    signal: signal_name(*sig),
                    phase,
                })
            }
            Frame::WorkerExit(WorkerExit::Code(code)) => {
                return Err(Error::Exited { code: *code, phase })
            }
            Frame::Keep(..) => {}
        }
    }
    if libc::WIFSIGNALED(status) {
        Err(Error::Killed {
            signal: signal_name(libc::WTERMSIG(status)),
            phase,
        })
    } else {
        Err(Error::Exited {
            code: libc::WEXITSTATUS(status),
            phase,
        })
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
