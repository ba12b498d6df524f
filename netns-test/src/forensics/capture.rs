//! Packet capture for forensics: one AF_PACKET socket per namespace sees every frame
//! on that namespace's veth ends (bridge ports included) from the moment the
//! namespace exists, before its first link; a failed test's frames are written as one
//! pcapng file (`pcapng.rs`).
//!
//! Why it costs a passing test almost nothing:
//! - one socket per namespace, not one per end: made where the namespace is made
//!   (no `setns` round trip), bound to no interface (ifindex 0, ETH_P_ALL from
//!   `socket`, so it hooks once and never rebinds: a rebind waits for an RCU grace
//!   period), with a classic BPF filter that keeps the ends' frames and drops `lo`'s
//!   and the bridges' own;
//! - the kernel queues a copy of each frame with its timestamp in the socket's receive
//!   buffer; nothing is read while the test runs;
//! - closing an AF_PACKET socket waits for an RCU grace period (`synchronize_net` in
//!   `packet_release`, 1 to 16 ms here), one after the other at exit. So the worker
//!   hands its sockets to the sandbox process as soon as they exist
//!   (`sandbox::vault`) and never holds the last reference: the sandbox process reads
//!   them after a failure and closes them after it has told the test its verdict.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

pub(crate) use crate::options::CaptureMode;

/// Keeps the kernel's packet timestamps on for the life of the test process.
///
/// A socket asking for timestamps (SO_TIMESTAMPNS) turns on a kernel-wide switch
/// (`netstamp_needed`, a static key): the first one flips it on, the last one to close
/// flips it off, and each flip patches the kernel's code on every CPU. Every sandbox's
/// capture sockets would flip it on (on the test's path) and off again (when the
/// sandbox process closes them); a socket of the test process that asks for
/// timestamps and stays open makes those increments cheap. Measured on W1 (2000
/// alternating pairs, capture on − off): +0.12 ms with the flips, +0.06 ms without.
pub(crate) fn keep_timestamps_on() {
    static KEEPER: std::sync::OnceLock<Option<OwnedFd>> = std::sync::OnceLock::new();
    KEEPER.get_or_init(|| {
        // SAFETY: a new socket we own; setsockopt reads the int it is given.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
            if fd < 0 {
                return None;
            }
            let fd = OwnedFd::from_raw_fd(fd);
            let one: libc::c_int = 1;
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                &one as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
            Some(fd)
        }
    });
}

/// Asked for (the kernel caps it at net.core.rmem_max unless SO_RCVBUFFORCE is
/// allowed, which needs CAP_NET_ADMIN in the initial namespace).
const RING_BYTES: libc::c_int = 4 << 20;

/// A capture socket in the calling thread's namespace that keeps the frames of the
/// links with these interface indexes (the plan chooses them before they exist).
///
/// With `arriving_only` (a namespace with a bridge), it keeps the frames that arrive
/// on its ends and not those that leave: a bridge floods every broadcast out of all
/// its ports, and each copy leaving a port would be cloned into the queue (N² per
/// flood on an N-port bridge). A frame leaving a port arrives at the other end of
/// its veth pair, which records it.
pub(crate) fn open(ifindexes: &[u32], arriving_only: bool) -> io::Result<OwnedFd> {
    let protocol = (libc::ETH_P_ALL as u16).to_be() as libc::c_int;
    // SAFETY: plain socket calls on a socket we own; the structs are plain data.
    unsafe {
        let fd = libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            protocol,
        );
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = OwnedFd::from_raw_fd(fd);
        let set = |opt, val: libc::c_int| {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                &val as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if set(libc::SO_RCVBUFFORCE, RING_BYTES) != 0 {
            set(libc::SO_RCVBUF, RING_BYTES);
        }
        set(libc::SO_TIMESTAMPNS, 1);
        if arriving_only {
            // PACKET_IGNORE_OUTGOING (Linux 4.20): skipped before the clone.
            const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
            let one: libc::c_int = 1;
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_PACKET,
                PACKET_IGNORE_OUTGOING,
                &one as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
        let filter = ifindex_filter(ifindexes);
        let prog = libc::sock_fprog {
            len: filter.len() as u16,
            filter: filter.as_ptr() as *mut libc::sock_filter,
        };
        let rc = libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            &prog as *const libc::sock_fprog as *const libc::c_void,
            std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        );
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(fd)
    }
}

/// `accept the whole frame if its interface is one of these, else drop it`, in
/// classic BPF (no privilege needed): the ancillary load of the interface index,
/// then two comparisons per run of consecutive indexes (the plan numbers a
/// namespace's veth ends consecutively, so a 256-port bridge is one run).
fn ifindex_filter(ifindexes: &[u32]) -> Vec<libc::sock_filter> {
    const SKF_AD_OFF: u32 = 0xffff_f000;
    const SKF_AD_IFINDEX: u32 = 8;
    let stmt = |code: u32, k: u32| libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |op: u32, k: u32, jt: usize, jf: usize| libc::sock_filter {
        code: (libc::BPF_JMP | op | libc::BPF_K) as u16,
        jt: jt as u8,
        jf: jf as u8,
        k,
    };
    let mut sorted = ifindexes.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for i in sorted {
        match runs.last_mut() {
            Some((_, hi)) if *hi + 1 == i => *hi = i,
            _ => runs.push((i, i)),
        }
    }
    // Jump offsets are 8 bits: past 120 runs, the rest is dropped from capture.
    runs.truncate(120);
    let n = runs.len();
    let mut prog = vec![stmt(
        libc::BPF_LD | libc::BPF_W | libc::BPF_ABS,
        SKF_AD_OFF + SKF_AD_IFINDEX,
    )];
    for (r, &(lo, hi)) in runs.iter().enumerate() {
        // Instruction 1 + 2r: below lo, try the next run; 2 + 2r: above hi, likewise,
        // else accept. The drop is at 1 + 2n, the accept at 2 + 2n.
        let at = 1 + 2 * r;
        let next = 1 + 2 * (r + 1);
        prog.push(jump(libc::BPF_JGE, lo, 0, next - at - 1));
        let accept = 2 + 2 * n;
        prog.push(jump(
            libc::BPF_JGT,
            hi,
            next - (at + 1) - 1,
            accept - (at + 1) - 1,
        ));
    }
    prog.push(stmt(libc::BPF_RET | libc::BPF_K, 0));
    prog.push(stmt(libc::BPF_RET | libc::BPF_K, u32::MAX));
    prog
}

/// One captured frame.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// CLOCK_REALTIME nanoseconds, from the kernel's timestamp.
    pub ns: u64,
    pub ifindex: u32,
    pub outgoing: bool,
    pub data: Vec<u8>,
}

/// Every frame queued on `fd` now. A socket whose links went down and up reports
/// ENETDOWN once; the frames queued since are still there.
pub(crate) fn drain(fd: RawFd) -> io::Result<Vec<Frame>> {
    let mut frames = Vec::new();
    let mut down_reported = false;
    let mut buf = vec![0u8; 65536];
    loop {
        match recv_frame(fd, &mut buf) {
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) => return Ok(frames),
            Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) && !down_reported => {
                down_reported = true
            }
            Err(e) => return Err(e),
        }
    }
}

/// One queued frame with its kernel timestamp, or None when the queue is empty.
fn recv_frame(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<Frame>> {
    let mut control = [0u64; 16];
    // SAFETY: recvmsg into buffers we own, with their true lengths.
    unsafe {
        let mut from: libc::sockaddr_ll = std::mem::zeroed();
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_name = (&mut from as *mut libc::sockaddr_ll).cast();
        msg.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control);
        let n = libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT);
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::EAGAIN) => Ok(None),
                _ => Err(e),
            };
        }
        let mut ns = 0;
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_TIMESTAMPNS
            {
                let ts = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg) as *const libc::timespec);
                ns = ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64;
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
        Ok(Some(Frame {
            ns,
            ifindex: from.sll_ifindex as u32,
            outgoing: from.sll_pkttype == libc::PACKET_OUTGOING,
            data: buf[..n as usize].to_vec(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a filter on an interface index, as the kernel would: Some(accept).
    fn verdict(prog: &[libc::sock_filter], ifindex: u32) -> bool {
        let mut pc = 0;
        loop {
            let i = prog[pc];
            let class = i.code as u32 & 0x07;
            if class == libc::BPF_RET {
                return i.k != 0;
            }
            if class == libc::BPF_LD {
                pc += 1;
                continue;
            }
            let taken = match i.code as u32 & 0xf0 {
                libc::BPF_JGE => ifindex >= i.k,
                libc::BPF_JGT => ifindex > i.k,
                other => panic!("unexpected jump {other:#x}"),
            };
            pc += 1 + if taken { i.jt } else { i.jf } as usize;
        }
    }

    #[test]
    fn the_filter_keeps_exactly_the_ends() {
        let ends = [3, 4, 5, 9, 11, 12];
        let prog = ifindex_filter(&ends);
        assert_eq!(prog.len(), 1 + 2 * 3 + 2, "three runs");
        for i in 0..20 {
            assert_eq!(verdict(&prog, i), ends.contains(&i), "ifindex {i}");
        }
        let star: Vec<u32> = (3..259).collect();
        assert_eq!(
            ifindex_filter(&star).len(),
            5,
            "a 256-port bridge is one run"
        );
        assert!(!verdict(&ifindex_filter(&[]), 2), "no ends: nothing");
    }
}
