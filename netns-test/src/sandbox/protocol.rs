//! Frames the sandbox sends its parent over the result pipe.
//!
//! A frame is a tag byte, a little-endian u32 length and the payload. Two writers use
//! the pipe one after the other (the worker process, then its waiting parent once the
//! worker is gone), never at the same time, so frames never interleave.

use crate::error::Phase;
use std::io::Write;
use std::os::fd::{BorrowedFd, RawFd};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// The run passed.
    Ok,
    /// The run failed in a phase.
    Failed(Phase, String),
    /// User namespaces are unavailable: cause and fix.
    Unavailable(String),
    /// A failed run is kept alive for a developer (NETNS_TEST_KEEP) for this long
    /// (seconds); the text says how to enter it.
    Keep(u64, String),
    /// The worker process ended without a result frame: raw wait status.
    WorkerExit(WorkerExit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkerExit {
    Code(i32),
    Signal(i32),
}

impl Frame {
    fn encode(&self) -> Vec<u8> {
        let (tag, payload): (u8, Vec<u8>) = match self {
            Frame::Ok => (b'O', vec![]),
            Frame::Failed(p, msg) => {
                let mut v = vec![p.to_byte()];
                v.extend_from_slice(msg.as_bytes());
                (b'F', v)
            }
            Frame::Unavailable(msg) => (b'U', msg.as_bytes().to_vec()),
            Frame::Keep(secs, msg) => {
                let mut v = secs.to_le_bytes().to_vec();
                v.extend_from_slice(msg.as_bytes());
                (b'K', v)
            }
            Frame::WorkerExit(WorkerExit::Code(c)) => (b'C', c.to_le_bytes().to_vec()),
            Frame::WorkerExit(WorkerExit::Signal(s)) => (b'S', s.to_le_bytes().to_vec()),
        };
        let mut out = Vec::with_capacity(5 + payload.len());
        out.push(tag);
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Writes the frame with plain `write(2)` calls: no locks, usable in a forked child.
    pub(crate) fn send(&self, fd: RawFd) {
        let bytes = self.encode();
        // SAFETY: the fd stays open for the life of the sandbox process that writes it.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let mut file = FdWriter(fd);
        // A parent that is gone cannot be told anything: ignore write errors.
        let _ = file.write_all(&bytes);
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
    Some(match tag {
        b'O' => Frame::Ok,
        b'F' => Frame::Failed(
            Phase::from_byte(*p.first()?),
            String::from_utf8_lossy(&p[1..]).into_owned(),
        ),
        b'U' => Frame::Unavailable(String::from_utf8_lossy(p).into_owned()),
        b'K' => Frame::Keep(
            u64::from_le_bytes(p.get(..8)?.try_into().ok()?),
            String::from_utf8_lossy(&p[8..]).into_owned(),
        ),
        b'C' => Frame::WorkerExit(WorkerExit::Code(int()?)),
        b'S' => Frame::WorkerExit(WorkerExit::Signal(int()?)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_survive_arbitrary_splits() {
        let frames = vec![
            Frame::Keep(600, "nsenter ...".into()),
            Frame::Failed(Phase::Checks, "expect a -> b: no reply\nmore".into()),
            Frame::Unavailable("no userns".into()),
            Frame::WorkerExit(WorkerExit::Signal(11)),
            Frame::Ok,
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
