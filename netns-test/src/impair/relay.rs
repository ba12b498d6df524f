//! The relay: one thread per sandbox that carries every impaired direction of every
//! spliced link. It waits in epoll on the relay's packet sockets, a timerfd (absolute
//! CLOCK_MONOTONIC, timer slack 1 ns) for the next frame due, an eventfd for commands
//! from other threads, and the carrier mirror's netlink socket.
//!
//! This file is the handle other threads hold and the commands they send;
//! [`super::engine`] is the thread's loop.
//!
//! Fork safety (the thread runs in the sandbox's worker, see `sandbox/child.rs`): it
//! is started there, after the fork, and uses only system calls, allocation and a
//! mutex and channels it made itself; it reads no environment variable and takes no
//! lock of std's output or of the parent.

use super::model::Params;
use super::schedule::Counters;
use crate::kernel::carrier::{CarrierMirror, LinkEvents};
use crate::kernel::packet::PacketSocket;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

pub(crate) type SockId = u32;
pub(crate) type DirId = u32;

/// What other threads ask of the relay.
#[derive(Debug)]
pub(crate) enum Cmd {
    AddSocket(SockId, PacketSocket),
    /// A direction reading socket `rx` and writing `tx`; `key` names it in decision
    /// keys (stable across runs).
    AddDirection {
        id: DirId,
        rx: SockId,
        tx: SockId,
        key: u64,
        params: Params,
    },
    /// New parameters, from the next frame on (frames already queued keep their time).
    SetParams(DirId, Params),
    /// Every direction's counters, by id.
    Counters(mpsc::Sender<Vec<(DirId, Counters)>>),
    /// Answers once every link event queued so far has been applied.
    Sync(mpsc::Sender<()>),
    /// The carrier rules' socket in the relay namespace.
    Carrier(CarrierMirror),
    /// Relay end `relay` follows the admin state of node end `node_index` of the
    /// namespace `ns` (by inode); `events` is that namespace's link events, opened
    /// inside it, the first time a rule names it.
    CarrierRule {
        ns: u64,
        events: Option<LinkEvents>,
        node_index: u32,
        relay: u32,
    },
}

/// Commands waiting for the relay thread, and the eventfd that wakes it.
#[derive(Debug)]
pub(super) struct Ctl {
    pub(super) cmds: Mutex<Vec<Cmd>>,
    pub(super) efd: OwnedFd,
}

/// The handle other threads use. The thread lives as long as the sandbox's worker
/// (the worker never drops its `Net`).
#[derive(Debug, Clone)]
pub(crate) struct Relay {
    ctl: Arc<Ctl>,
}

pub(super) fn cvt(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// Clears an eventfd's or timerfd's counter.
pub(super) fn drain_counter(fd: RawFd) {
    let mut buf = [0u8; 8];
    // SAFETY: reading 8 bytes into our buffer.
    unsafe { libc::read(fd, buf.as_mut_ptr().cast(), 8) };
}

/// CLOCK_MONOTONIC in nanoseconds: the clock the timerfd counts in.
pub(crate) use crate::sandbox::now_ns;

impl Relay {
    /// Starts the relay thread; `seed` makes every decision reproducible. The thread
    /// waits `late` before its loop (a test hook; zero otherwise).
    pub(crate) fn start(seed: u64, late: Duration) -> io::Result<Relay> {
        // SAFETY: an fd-creating call, owned at once.
        let efd = unsafe {
            OwnedFd::from_raw_fd(cvt(libc::eventfd(
                0,
                libc::EFD_CLOEXEC | libc::EFD_NONBLOCK,
            ))?)
        };
        let ctl = Arc::new(Ctl {
            cmds: Mutex::new(Vec::new()),
            efd,
        });
        let engine = super::engine::Engine::new(seed, ctl.clone())?;
        std::thread::Builder::new()
            .name("netns-test-relay".into())
            .spawn(move || {
                std::thread::sleep(late);
                engine.run()
            })?;
        Ok(Relay { ctl })
    }

    pub(crate) fn send(&self, cmd: Cmd) {
        self.ctl
            .cmds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(cmd);
        let one: u64 = 1;
        // SAFETY: writing 8 bytes to our eventfd.
        unsafe { libc::write(self.ctl.efd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }

    /// Returns once the relay has applied every link event the kernel queued for it
    /// so far. A fault that sets node ends down or up calls it: the relay ends follow
    /// the node ends asynchronously, and a late event from a `down` must not take a
    /// relay end down after the `up` that followed has returned.
    pub(crate) fn sync(&self) {
        let (tx, rx) = mpsc::channel();
        self.send(Cmd::Sync(tx));
        let _ = rx.recv();
    }

    /// Every direction's counters (kernel drops read just now).
    pub(crate) fn counters(&self) -> Vec<(DirId, Counters)> {
        let (tx, rx) = mpsc::channel();
        self.send(Cmd::Counters(tx));
        rx.recv().unwrap_or_default()
    }
}
