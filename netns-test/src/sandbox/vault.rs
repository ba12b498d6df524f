//! The worker hands each namespace, and its capture socket, to the sandbox process the
//! moment it exists, over a unix socket (SCM_RIGHTS), without waiting for an answer.
//!
//! The sandbox process reads nothing while the test runs: the descriptors wait in its
//! socket's queue, which holds a reference to each. So they outlive the worker: when
//! the worker dies from a signal, or is stuck at the deadline, the sandbox process
//! still holds every namespace (the state of each node can be read) and every capture
//! socket (the frames are still queued). And the worker never closes the last
//! reference of a capture socket, whose close waits for an RCU grace period: the
//! sandbox process does, after it has told the test its verdict.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// The worker's end: `deposit` sends, and keeps what the queue has no room for yet.
#[derive(Debug)]
pub(crate) struct Vault {
    fd: RawFd,
    pending: std::cell::RefCell<Vec<Held>>,
    /// Messages queued so far.
    sent: std::cell::Cell<usize>,
}

/// A namespace as the sandbox process holds it.
#[derive(Debug)]
pub(crate) struct Held {
    pub name: String,
    pub ns: OwnedFd,
    pub capture: Option<OwnedFd>,
    /// The link ends the capture socket sees: (interface name, index).
    pub ends: Vec<(String, u32)>,
    /// The indexes of its bridges, set down before the capture socket closes
    /// (`release.rs`).
    pub bridges: Vec<u32>,
}

/// At most this many namespaces per message: two descriptors each, under the
/// kernel's 253 per message.
const PER_MESSAGE: usize = 100;
/// Nobody reads the queue while the test runs, and it holds what the worker's send
/// buffer allows (net.core.wmem_max, 208 KiB by default: about 200 messages). The
/// first namespaces go one message each, so a build that hangs leaves every one made
/// so far; past this many messages, namespaces go in batches (`BATCH`, and the rest
/// when the build is done: `flush`).
const ONE_BY_ONE: usize = 96;
const BATCH: usize = 16;

/// The name of a deposit that is only held ([`Vault::hold`]): no node has it (names
/// start with a lowercase letter).
const HELD_ONLY: &str = "!held";

/// A connected pair: (the worker's sending end, the sandbox process's receiving end).
pub(crate) fn pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: socketpair writes two new descriptors into `fds`.
    let rc = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            0,
            fds.as_mut_ptr(),
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both are ours now.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl Vault {
    pub(crate) fn new(fd: RawFd) -> Vault {
        Vault {
            fd,
            pending: Default::default(),
            sent: Default::default(),
        }
    }

    /// Hands over namespace `name` (a duplicate of `ns`), its capture socket, the veth
    /// ends that socket sees and the indexes of its bridges. A
    /// full queue keeps them for the next call: they go as one message then. Never
    /// fails the run: a namespace the kernel refuses to pass (ETOOMANYREFS past the
    /// open-files limit) is only missing from a failure's report.
    pub(crate) fn deposit(
        &self,
        name: &str,
        ns: BorrowedFd<'_>,
        capture: Option<OwnedFd>,
        ends: Vec<(String, u32)>,
        bridges: Vec<u32>,
    ) {
        let Ok(ns) = ns.try_clone_to_owned() else {
            return;
        };
        let batch = {
            let mut pending = self.pending.borrow_mut();
            pending.push(Held {
                name: name.to_string(),
                ns,
                capture,
                ends,
                bridges,
            });
            pending.len()
        };
        if self.sent.get() < ONE_BY_ONE || batch >= BATCH {
            self.flush();
        }
    }

    /// Hands over a descriptor the sandbox process only has to hold until the run is
    /// over: an impairment relay's packet socket, whose close waits for an RCU grace
    /// period (two, with its ring), so that the worker's exit never pays for it.
    pub(crate) fn hold(&self, fd: BorrowedFd<'_>) {
        self.deposit(HELD_ONLY, fd, None, Vec::new(), Vec::new());
    }

    /// Sends what is pending, as long as the queue takes it.
    pub(crate) fn flush(&self) {
        let mut pending = self.pending.borrow_mut();
        while !pending.is_empty() {
            let n = pending.len().min(PER_MESSAGE);
            match send(self.fd, &pending[..n]) {
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => break,
                // Sent (our copies close here; the queued references stay), or refused.
                _ => {
                    drop(pending.drain(..n));
                    self.sent.set(self.sent.get() + 1);
                }
            }
        }
    }
}

/// One message: the names and ends as text, the descriptors as SCM_RIGHTS.
fn send(fd: RawFd, batch: &[Held]) -> io::Result<()> {
    let mut text = String::new();
    let mut fds: Vec<RawFd> = Vec::new();
    for h in batch {
        // name \t has-capture \t end=index ... \t #bridge-index ... \n (an interface
        // name holds no whitespace, and a bridge's field no '=')
        text.push_str(&h.name);
        text.push('\t');
        text.push(if h.capture.is_some() { '1' } else { '0' });
        for (end, index) in &h.ends {
            text.push_str(&format!("\t{end}={index}"));
        }
        for index in &h.bridges {
            text.push_str(&format!("\t#{index}"));
        }
        text.push('\n');
        fds.push(h.ns.as_raw_fd());
        fds.extend(h.capture.as_ref().map(|c| c.as_raw_fd()));
    }
    let bytes = text.into_bytes();
    let space = unsafe { libc::CMSG_SPACE(std::mem::size_of_val(&fds[..]) as u32) } as usize;
    let mut control = vec![0u64; space.div_ceil(8)];
    // SAFETY: sendmsg with buffers we own and a control message built to CMSG rules.
    unsafe {
        let mut iov = libc::iovec {
            iov_base: bytes.as_ptr() as *mut libc::c_void,
            iov_len: bytes.len(),
        };
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of_val(&fds[..]) as u32) as usize;
        std::ptr::copy_nonoverlapping(fds.as_ptr(), libc::CMSG_DATA(cmsg) as *mut RawFd, fds.len());
        if libc::sendmsg(fd, &msg, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Everything deposited so far (the sandbox process's side; never blocks).
pub(crate) fn withdraw(fd: RawFd) -> Vec<Held> {
    let mut held = Vec::new();
    // Not zeroed: zeroing 64 KiB touches sixteen pages, each a page fault in this
    // process, forked for the run; a message fills a fraction of one.
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut control = vec![0u64; 2 * PER_MESSAGE + 8];
    loop {
        // SAFETY: recvmsg into buffers we own (the kernel writes at most `capacity`
        // bytes, and the `n` it reports are initialised); the descriptors it returns
        // are ours.
        let (text, fds) = unsafe {
            let mut iov = libc::iovec {
                iov_base: buf.as_mut_ptr().cast(),
                iov_len: buf.capacity(),
            };
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = control.len() * 8;
            let n = libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT | libc::MSG_CMSG_CLOEXEC);
            if n <= 0 {
                return held;
            }
            buf.set_len(n as usize);
            let mut fds = Vec::new();
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                    let len = (*cmsg).cmsg_len - libc::CMSG_LEN(0) as usize;
                    let data = libc::CMSG_DATA(cmsg) as *const RawFd;
                    for i in 0..len / std::mem::size_of::<RawFd>() {
                        fds.push(OwnedFd::from_raw_fd(std::ptr::read_unaligned(data.add(i))));
                    }
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
            (String::from_utf8_lossy(&buf).into_owned(), fds)
        };
        let mut fds = fds.into_iter();
        for line in text.lines() {
            let mut fields = line.split('\t');
            let name = fields.next().unwrap_or_default().to_string();
            let captured = fields.next() == Some("1");
            let (mut ends, mut bridges) = (Vec::new(), Vec::new());
            for field in fields {
                if let Some(index) = field.strip_prefix('#') {
                    bridges.extend(index.parse::<u32>().ok());
                } else if let Some((end, index)) = field.rsplit_once('=') {
                    ends.extend(index.parse().ok().map(|i| (end.to_string(), i)));
                }
            }
            let Some(ns) = fds.next() else { return held };
            let capture = if captured { fds.next() } else { None };
            if name == HELD_ONLY {
                // Held until this process exits, after the run's `End`: closing it
                // here would put its grace period on the failure's path.
                std::mem::forget(ns);
                continue;
            }
            held.push(Held {
                name,
                ns,
                capture,
                ends,
                bridges,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn deposits_come_out_in_order_with_their_descriptors() {
        let (tx, rx) = pair().unwrap();
        let vault = Vault::new(tx.as_raw_fd());
        let ns = std::fs::File::open("/proc/self/ns/net").unwrap();
        let extra = std::fs::File::open("/dev/null").unwrap();
        vault.deposit("host", ns.as_fd(), None, vec![], vec![2, 5]);
        vault.deposit(
            "a",
            ns.as_fd(),
            Some(extra.into()),
            vec![("eth0".into(), 2), ("eth1".into(), 3)],
            vec![],
        );
        let held = withdraw(rx.as_raw_fd());
        assert_eq!(held.len(), 2);
        assert_eq!(held[0].name, "host");
        assert!(held[0].capture.is_none());
        assert_eq!(held[0].bridges, vec![2, 5]);
        assert!(held[1].bridges.is_empty());
        assert_eq!(
            held[1].ends,
            vec![("eth0".to_string(), 2), ("eth1".to_string(), 3)]
        );
        assert!(held[1].capture.is_some());
        assert!(withdraw(rx.as_raw_fd()).is_empty());
    }

    #[test]
    fn a_large_topology_fits_the_queue_nobody_reads() {
        let (tx, rx) = pair().unwrap();
        let vault = Vault::new(tx.as_raw_fd());
        let ns = std::fs::File::open("/proc/self/ns/net").unwrap();
        for i in 0..300 {
            vault.deposit(
                &format!("n{i}"),
                ns.as_fd(),
                None,
                vec![("eth0".into(), 2)],
                vec![],
            );
        }
        vault.flush();
        let held = withdraw(rx.as_raw_fd());
        assert_eq!(held.len(), 300, "every namespace was handed over");
        assert_eq!(held[299].name, "n299");
    }
}
