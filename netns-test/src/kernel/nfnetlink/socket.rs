//! A blocking NETLINK_NETFILTER socket: nf_tables transactions, single requests and
//! dumps, each answer awaited with a bound.
//!
//! A plain blocking socket, not rtnetlink's connection: an nf_tables transaction is
//! not one request and one answer (the kernel answers every message of the batch,
//! after the whole batch), and its requests are few and short (a NAT is installed in
//! one transaction of ~0.4 ms). Like every socket, it belongs to the network namespace
//! of the thread that makes it, and can be used from any thread after that.

use super::message::{Msg, Reply, HEADER};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::io;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

pub(crate) const NLM_F_REQUEST: u16 = 0x1;
pub(crate) const NLM_F_ACK: u16 = 0x4;
pub(crate) const NLM_F_DUMP: u16 = 0x300;
pub(crate) const NLM_F_CREATE: u16 = 0x400;
pub(crate) const NLM_F_APPEND: u16 = 0x800;
const NLM_F_MULTI: u16 = 0x2;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NFNL_MSG_BATCH_BEGIN: u16 = 16;
const NFNL_MSG_BATCH_END: u16 = 17;
/// The subsystem a batch is for (`res_id` of its markers).
pub(crate) const NFNL_SUBSYS_NFTABLES: u16 = 10;

/// How long the kernel may take to answer: it answers in microseconds, so this only
/// turns a lost answer into an error instead of a hang.
const ANSWER: Duration = Duration::from_secs(5);
/// A datagram of answers: the kernel's dump messages stay well below it.
const DATAGRAM: usize = 64 * 1024;

/// A netlink message as received: type, flags, sequence number, body.
struct Raw {
    kind: u16,
    flags: u16,
    seq: u32,
    body: Vec<u8>,
}

impl Raw {
    /// The errno of an NLMSG_ERROR (0 for an acknowledgement).
    fn errno(&self) -> i32 {
        self.body
            .get(..4)
            .map_or(0, |b| -i32::from_ne_bytes(b.try_into().unwrap()))
    }
}

#[derive(Debug)]
pub(crate) struct NfSocket {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl NfSocket {
    /// A socket in the calling thread's network namespace, talking to the kernel only.
    pub(crate) fn open() -> io::Result<NfSocket> {
        let mut sock = Socket::new(NETLINK_NETFILTER)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        // Errors without a copy of the request: answers to a batch stay small.
        sock.set_cap_ack(true)?;
        Ok(NfSocket {
            sock,
            seq: 0,
            buf: Vec::with_capacity(DATAGRAM),
        })
    }

    /// Sends `msgs` as one nf_tables transaction (BATCH_BEGIN, the messages,
    /// BATCH_END, in one datagram) and waits for the answer to each: every message
    /// carries NLM_F_ACK, and the kernel answers each after the whole batch, with an
    /// error for each one that failed. All or nothing: the error names every failed
    /// message by its position and `what` (`message 3 (add set inbound): ...`).
    pub(crate) fn batch(&mut self, msgs: Vec<(Msg, String)>) -> io::Result<()> {
        let begin = self.next_seq();
        let marker = |kind| Msg::new(kind, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES);
        let mut datagram = marker(NFNL_MSG_BATCH_BEGIN).finish(begin);
        let mut whats = Vec::with_capacity(msgs.len());
        for (m, what) in msgs {
            let seq = self.next_seq();
            datagram.extend(m.finish(seq));
            whats.push(what);
        }
        let end = self.next_seq();
        datagram.extend(marker(NFNL_MSG_BATCH_END).finish(end));
        self.sock.send(&datagram, 0)?;
        let first = begin + 1;
        let mut answered = 0;
        let mut failed: Vec<(usize, i32)> = Vec::new();
        let deadline = Instant::now() + ANSWER;
        while answered < whats.len() {
            for raw in self.recv(deadline)? {
                if raw.kind != NLMSG_ERROR {
                    continue;
                }
                if raw.seq == begin || raw.seq == end {
                    // The batch itself was refused: no answer per message follows.
                    return Err(io::Error::from_raw_os_error(raw.errno()));
                }
                if (first..end).contains(&raw.seq) {
                    answered += 1;
                    if raw.errno() != 0 {
                        failed.push(((raw.seq - first) as usize, raw.errno()));
                    }
                }
            }
        }
        let Some(&(_, errno)) = failed.first() else {
            return Ok(());
        };
        let list: Vec<String> = failed
            .iter()
            .map(|&(i, e)| {
                let e = io::Error::from_raw_os_error(e);
                format!("message {} ({}): {e}", i + 1, whats[i])
            })
            .collect();
        let kind = io::Error::from_raw_os_error(errno).kind();
        Err(io::Error::new(kind, list.join("; ")))
    }

    /// One request outside a batch (ctnetlink's), acknowledged.
    pub(crate) fn request(&mut self, msg: Msg) -> io::Result<()> {
        let seq = self.next_seq();
        self.sock.send(&msg.finish(seq), 0)?;
        let deadline = Instant::now() + ANSWER;
        loop {
            for raw in self.recv(deadline)? {
                if raw.kind == NLMSG_ERROR && raw.seq == seq {
                    return match raw.errno() {
                        0 => Ok(()),
                        e => Err(io::Error::from_raw_os_error(e)),
                    };
                }
            }
        }
    }

    /// A request for one object (a GET without NLM_F_DUMP): the kernel's one answer.
    pub(crate) fn get(&mut self, msg: Msg) -> io::Result<Reply> {
        let seq = self.next_seq();
        self.sock.send(&msg.finish(seq), 0)?;
        let deadline = Instant::now() + ANSWER;
        loop {
            for raw in self.recv(deadline)? {
                match raw.kind {
                    _ if raw.seq != seq => {}
                    NLMSG_ERROR => return Err(io::Error::from_raw_os_error(raw.errno())),
                    _ => {
                        return Reply::new(&raw.body)
                            .ok_or_else(|| io::Error::other("a truncated answer"))
                    }
                }
            }
        }
    }

    /// A dump (`msg` carries NLM_F_DUMP): every message until NLMSG_DONE.
    pub(crate) fn dump(&mut self, msg: Msg) -> io::Result<Vec<Reply>> {
        let seq = self.next_seq();
        self.sock.send(&msg.finish(seq), 0)?;
        let deadline = Instant::now() + ANSWER;
        let mut out = Vec::new();
        loop {
            for raw in self.recv(deadline)? {
                if raw.seq != seq {
                    continue;
                }
                match raw.kind {
                    NLMSG_DONE => return Ok(out),
                    NLMSG_ERROR if raw.errno() != 0 => {
                        return Err(io::Error::from_raw_os_error(raw.errno()))
                    }
                    NLMSG_ERROR if raw.flags & NLM_F_MULTI == 0 => return Ok(out),
                    NLMSG_ERROR => {}
                    _ => out.extend(Reply::new(&raw.body)),
                }
            }
        }
    }

    /// One datagram, split into its messages; an error if none comes by `deadline`.
    fn recv(&mut self, deadline: Instant) -> io::Result<Vec<Raw>> {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.sock.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(ms))? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the kernel did not answer within {ANSWER:?}"),
            ));
        }
        self.buf.clear();
        let n = self.sock.recv(&mut self.buf, 0)?;
        if n > self.buf.len() {
            return Err(io::Error::other(format!(
                "a netlink datagram of {n} bytes, larger than the buffer"
            )));
        }
        let mut out = Vec::new();
        let mut rest = &self.buf[..];
        while rest.len() >= HEADER {
            let len = u32::from_ne_bytes(rest[0..4].try_into().unwrap()) as usize;
            if len < HEADER || len > rest.len() {
                break;
            }
            out.push(Raw {
                kind: u16::from_ne_bytes(rest[4..6].try_into().unwrap()),
                flags: u16::from_ne_bytes(rest[6..8].try_into().unwrap()),
                seq: u32::from_ne_bytes(rest[8..12].try_into().unwrap()),
                body: rest[HEADER..len].to_vec(),
            });
            rest = rest.get(len.next_multiple_of(4)..).unwrap_or(&[]);
        }
        Ok(out)
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }
}
