//! Frames the sandbox sends its parent over the result pipe.
//!
//! A frame is a tag byte, a little-endian u32 length and the payload. Two processes
//! use the pipe one after the other (the worker, then the sandbox process once the
//! worker is gone or has been killed), never at the same time; inside the worker,
//! threads and the signal handler take turns (`Frame::send`), so frames never
//! interleave. The sandbox process's last frame is `End`: after it, the run is over
//! for the test even while the sandbox process still exits (closing capture sockets).

/// The payload's fields: numbers, strings, panics, failed checks.
mod wire;

use super::panics::PanicRecord;
use crate::error::Phase;
use crate::failed_checks::{how_many_failed, FailedCheck};
use std::io::Write;
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};
use wire::{Get, Put};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// The run passed.
    Ok,
    /// The run failed in a phase.
    Failed(Phase, Failure),
    /// User namespaces are unavailable: cause and fix.
    Unavailable(String),
    /// A failed run is kept alive for a developer (NETNS_TEST_KEEP) for this long
    /// (seconds); the text says how to enter it.
    Keep(u64, String),
    /// The worker process ended without a result frame.
    WorkerExit(WorkerExit),
    /// Every node's state as `ip` would print it, read by the sandbox process, and
    /// when (`after the worker ended`, `at the deadline`), or why it could not be.
    States {
        when: String,
        nodes: Result<Vec<(String, String)>, String>,
    },
    /// The capture file written, with what it holds, or why not.
    Capture(Result<String, String>),
    /// What the impairment relay did, one line per direction (a sandbox with a
    /// spliced link sends it before its result).
    Impairments(String),
    /// The sandbox process has nothing more to say.
    End,
    /// This sandbox cannot run the body (a lock was held at fork): fork another.
    Retry(String),
}

/// What the worker says of a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The body panicked: the panic, and others recorded in the worker.
    Panicked {
        panic: Box<PanicRecord>,
        others: Vec<PanicRecord>,
    },
    /// The body returned `Err`: its `Debug` form.
    Returned(String),
    Build(String),
    /// Every failed check.
    Checks(Vec<FailedCheck>),
    /// The harness itself failed in the sandbox.
    Harness(String),
}

impl Failure {
    /// One line, for a kept sandbox's banner.
    pub(crate) fn summary(&self) -> String {
        match self {
            Failure::Panicked { panic, .. } => format!("the body panicked: {}", panic.message),
            Failure::Returned(e) => format!("the body returned Err: {e}"),
            Failure::Build(e) | Failure::Harness(e) => e.clone(),
            Failure::Checks(c) => {
                let lines: Vec<&str> = c.iter().map(|f| f.message.as_str()).collect();
                format!("{}: {}", how_many_failed(c.len()), lines.join("; "))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkerExit {
    Code(i32),
    Signal(i32),
}

impl Frame {
    fn encode(&self) -> Vec<u8> {
        let mut p = Put::default();
        let tag = match self {
            Frame::Ok => b'O',
            Frame::Failed(phase, failure) => {
                p.u8(phase.to_byte());
                match failure {
                    Failure::Panicked { panic, others } => {
                        p.u8(b'P').panic(panic).u64(others.len() as u64);
                        others.iter().for_each(|o| {
                            p.panic(o);
                        });
                    }
                    Failure::Returned(s) => {
                        p.u8(b'E').str(s);
                    }
                    Failure::Build(s) => {
                        p.u8(b'B').str(s);
                    }
                    Failure::Checks(c) => {
                        p.u8(b'C').checks(c);
                    }
                    Failure::Harness(s) => {
                        p.u8(b'H').str(s);
                    }
                }
                b'F'
            }
            Frame::Unavailable(msg) => {
                p.str(msg);
                b'U'
            }
            Frame::Keep(secs, msg) => {
                p.u64(*secs).str(msg);
                b'K'
            }
            Frame::WorkerExit(WorkerExit::Code(c)) => {
                p.0.extend_from_slice(&c.to_le_bytes());
                b'C'
            }
            Frame::WorkerExit(WorkerExit::Signal(s)) => {
                p.0.extend_from_slice(&s.to_le_bytes());
                b'S'
            }
            Frame::States { when, nodes } => {
                p.str(when);
                match nodes {
                    Ok(nodes) => {
                        p.u8(1).u64(nodes.len() as u64);
                        nodes.iter().for_each(|(n, s)| {
                            p.str(n).str(s);
                        });
                    }
                    Err(e) => {
                        p.u8(0).str(e);
                    }
                }
                b'N'
            }
            Frame::Capture(r) => {
                p.result_str(r);
                b'P'
            }
            Frame::Impairments(text) => {
                p.str(text);
                b'I'
            }
            Frame::End => b'E',
            Frame::Retry(why) => {
                p.str(why);
                b'R'
            }
        };
        let mut out = Vec::with_capacity(5 + p.0.len());
        out.push(tag);
        out.extend_from_slice(&(p.0.len() as u32).to_le_bytes());
        out.extend_from_slice(&p.0);
        out
    }

    /// Writes the frame with plain `write(2)` calls: no locks, usable in a forked child.
    ///
    /// A frame is whole or absent: a frame longer than a pipe's atomic write goes in
    /// several writes, and the worker's signal handler (`child::on_signal`) writes a
    /// frame of its own, from any thread. So a sender holds `WRITER` for the whole
    /// frame, with the signals that handler catches blocked on its thread (the handler
    /// never runs in the middle of its own thread's frame); the handler waits for
    /// `WRITER` before it writes.
    pub(crate) fn send(&self, fd: RawFd) {
        let bytes = self.encode();
        let _writing = Writer::take();
        // SAFETY: the fd stays open for the life of the sandbox process that writes it.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let mut file = FdWriter(fd);
        // A parent that is gone cannot be told anything: ignore write errors.
        let _ = file.write_all(&bytes);
    }
}

/// The thread writing a frame now (its kernel thread id), or 0.
static WRITER: AtomicI32 = AtomicI32::new(0);

/// The signals the worker's handler writes a frame for.
pub(crate) const CAUGHT: [libc::c_int; 5] = [
    libc::SIGABRT,
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGHUP,
];

/// Holding `WRITER`, with `CAUGHT` blocked on this thread.
struct Writer {
    mask: libc::sigset_t,
}

impl Writer {
    fn take() -> Writer {
        // SAFETY: sigset operations on a local set; pthread_sigmask on this thread.
        let mask = unsafe {
            let mut block: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut block);
            for sig in CAUGHT {
                libc::sigaddset(&mut block, sig);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old);
            old
        };
        acquire_writer();
        Writer { mask }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        WRITER.store(0, Ordering::Release);
        // SAFETY: restores this thread's mask as it was.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.mask, std::ptr::null_mut()) };
    }
}

/// Takes `WRITER` for the calling thread, waiting while another thread writes a
/// frame. Async-signal-safe (an atomic, `gettid`, `sched_yield`): the signal handler
/// calls it too, and is never the holder's own thread (the holder blocks it).
pub(crate) fn acquire_writer() {
    // SAFETY: gettid cannot fail.
    let me = unsafe { libc::gettid() };
    while WRITER
        .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        // SAFETY: a plain system call.
        unsafe { libc::sched_yield() };
    }
}

struct FdWriter<'a>(BorrowedFd<'a>);

impl Write for FdWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        nix::unistd::write(self.0, buf).map_err(std::io::Error::from)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Splits a byte stream into frames; bytes of an incomplete last frame stay buffered.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.buf.extend_from_slice(bytes);
        let mut frames = Vec::new();
        loop {
            if self.buf.len() < 5 {
                break;
            }
            let len = u32::from_le_bytes(self.buf[1..5].try_into().unwrap()) as usize;
            if self.buf.len() < 5 + len {
                break;
            }
            let payload = self.buf[5..5 + len].to_vec();
            let tag = self.buf[0];
            self.buf.drain(..5 + len);
            if let Some(f) = decode(tag, &payload) {
                frames.push(f);
            }
        }
        frames
    }
}

fn decode(tag: u8, p: &[u8]) -> Option<Frame> {
    let int = || {
        p.get(..4)
            .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
    };
    let mut g = Get(p);
    Some(match tag {
        b'O' => Frame::Ok,
        b'F' => {
            let phase = Phase::from_byte(g.u8()?);
            let failure = match g.u8()? {
                b'P' => Failure::Panicked {
                    panic: Box::new(g.panic()?),
                    others: (0..g.u64()?.min(100))
                        .map(|_| g.panic())
                        .collect::<Option<_>>()?,
                },
                b'E' => Failure::Returned(g.str()?),
                b'B' => Failure::Build(g.str()?),
                b'C' => Failure::Checks(g.checks()?),
                _ => Failure::Harness(g.str()?),
            };
            Frame::Failed(phase, failure)
        }
        b'U' => Frame::Unavailable(g.str()?),
        b'K' => Frame::Keep(g.u64()?, g.str()?),
        b'C' => Frame::WorkerExit(WorkerExit::Code(int()?)),
        b'S' => Frame::WorkerExit(WorkerExit::Signal(int()?)),
        b'N' => {
            let when = g.str()?;
            let nodes = match g.u8()? {
                1 => Ok((0..g.u64()?)
                    .map(|_| Some((g.str()?, g.str()?)))
                    .collect::<Option<_>>()?),
                _ => Err(g.str()?),
            };
            Frame::States { when, nodes }
        }
        b'P' => Frame::Capture(g.result_str()?),
        b'I' => Frame::Impairments(g.str()?),
        b'E' => Frame::End,
        b'R' => Frame::Retry(g.str()?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failed_checks::CheckKind;

    #[test]
    fn frames_survive_arbitrary_splits() {
        let panic = PanicRecord {
            message: "boom".into(),
            location: "tests/x.rs:3:5".into(),
            thread: "<unnamed>".into(),
            frames: vec![1, 2, 3],
        };
        let frames = vec![
            Frame::Keep(600, "nsenter ...".into()),
            Frame::Failed(
                Phase::Checks,
                Failure::Checks(vec![
                    FailedCheck::new(CheckKind::Expect, "expect a -> b"),
                    FailedCheck::new(CheckKind::Neighbour, "neighbour check: a"),
                ]),
            ),
            Frame::Failed(
                Phase::Body,
                Failure::Panicked {
                    panic: Box::new(panic.clone()),
                    others: vec![panic],
                },
            ),
            Frame::Failed(Phase::Build, Failure::Build("building node a".into())),
            Frame::Unavailable("no userns".into()),
            Frame::WorkerExit(WorkerExit::Signal(11)),
            Frame::States {
                when: "at the deadline".into(),
                nodes: Ok(vec![("a".into(), "links:\n".into())]),
            },
            Frame::States {
                when: String::new(),
                nodes: Err("no".into()),
            },
            Frame::Capture(Ok("capture.pcapng".into())),
            Frame::Impairments("a:eth0 -- b:eth0 a->b: 10 frames".into()),
            Frame::Ok,
            Frame::Retry("a lock".into()),
            Frame::End,
        ];
        let bytes: Vec<u8> = frames.iter().flat_map(|f| f.encode()).collect();
        for split in [1, 2, 3, 7, bytes.len()] {
            let mut d = Decoder::default();
            let mut got = Vec::new();
            for chunk in bytes.chunks(split) {
                got.extend(d.push(chunk));
            }
            assert_eq!(got, frames, "split {split}");
        }
    }
}
