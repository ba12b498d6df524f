//! The relay thread's loop: epoll over the packet sockets, the timer, the commands
//! and the carrier watchers.
//!
//! A direction reads frames from one socket (the relay's end facing the sender) and
//! writes them to another (the end facing the receiver). A direction with nothing to
//! decide forwards each frame from its ring slot as it reads it: no copy, no hash,
//! no queue.

use super::relay::{cvt, drain_counter, now_ns, Cmd, Ctl, DirId, SockId};
use super::schedule::Direction;
use crate::kernel::carrier::CarrierMirror;
use crate::kernel::packet::PacketSocket;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;

/// Frames due within this much of now are sent now (saves a timer round trip).
const SLACK_NS: u64 = 2_000;
/// Frames read from one socket before the others get a turn.
const BATCH: usize = 256;
/// Lateness past which a frame counts as late.
const LATE_NS: u64 = 1_000_000;

struct SockEntry {
    /// Taken out while its frames are handled (they borrow it).
    sock: Option<PacketSocket>,
    /// The direction that reads it.
    reader: Option<DirId>,
    /// Kernel drops read so far (PACKET_STATISTICS resets on each read).
    drops: u64,
}

struct Dir {
    rx: SockId,
    tx: SockId,
    sched: Direction,
}

const TOKEN_TIMER: u64 = 1;
const TOKEN_CTL: u64 = 2;
/// Plus the watcher's number.
const TOKEN_CARRIER: u64 = 1 << 16;
const TOKEN_SOCK: u64 = 1 << 32;

pub(super) struct Engine {
    seed: u64,
    ctl: Arc<Ctl>,
    epfd: OwnedFd,
    tfd: OwnedFd,
    /// When the timer is armed for (0: not armed).
    armed: u64,
    socks: HashMap<SockId, SockEntry>,
    dirs: HashMap<DirId, Dir>,
    /// Spare frame buffers.
    pool: Vec<Vec<u8>>,
    carrier: Option<CarrierMirror>,
    /// The carrier watcher of each node namespace, by inode.
    watchers: HashMap<u64, usize>,
}

impl Engine {
    pub(super) fn new(seed: u64, ctl: Arc<Ctl>) -> io::Result<Engine> {
        // SAFETY: fd-creating calls, owned at once.
        let (epfd, tfd) = unsafe {
            (
                OwnedFd::from_raw_fd(cvt(libc::epoll_create1(libc::EPOLL_CLOEXEC))?),
                OwnedFd::from_raw_fd(cvt(libc::timerfd_create(
                    libc::CLOCK_MONOTONIC,
                    libc::TFD_CLOEXEC | libc::TFD_NONBLOCK,
                ))?),
            )
        };
        let e = Engine {
            seed,
            ctl,
            epfd,
            tfd,
            armed: 0,
            socks: HashMap::new(),
            dirs: HashMap::new(),
            pool: Vec::new(),
            carrier: None,
            watchers: HashMap::new(),
        };
        e.watch(e.tfd.as_raw_fd(), TOKEN_TIMER)?;
        e.watch(e.ctl.efd.as_raw_fd(), TOKEN_CTL)?;
        Ok(e)
    }

    fn watch(&self, fd: RawFd, token: u64) -> io::Result<()> {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token,
        };
        // SAFETY: registering a live fd with our epoll.
        cvt(unsafe { libc::epoll_ctl(self.epfd.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut ev) })?;
        Ok(())
    }

    pub(super) fn run(mut self) {
        // Timers as precise as the kernel can make them (the default slack is 50 µs).
        // SAFETY: prctl on the calling thread.
        unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1, 0, 0, 0) };
        let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 64];
        loop {
            // SAFETY: `events` has room for 64 entries.
            let n = unsafe { libc::epoll_wait(self.epfd.as_raw_fd(), events.as_mut_ptr(), 64, -1) };
            if n < 0 {
                // EINTR; nothing else can happen to a valid epoll fd.
                continue;
            }
            for ev in &events[..n as usize] {
                let (token, flags) = (ev.u64, ev.events);
                if flags & libc::EPOLLERR as u32 != 0 && token >= TOKEN_SOCK {
                    // A relay end that went down left ENETDOWN on its socket: read
                    // it, or epoll reports it forever.
                    self.clear_error((token - TOKEN_SOCK) as SockId);
                }
                match token {
                    TOKEN_TIMER => {
                        drain_counter(self.tfd.as_raw_fd());
                        self.armed = 0;
                    }
                    TOKEN_CTL => {
                        drain_counter(self.ctl.efd.as_raw_fd());
                        let cmds = std::mem::take(
                            &mut *self.ctl.cmds.lock().unwrap_or_else(|p| p.into_inner()),
                        );
                        for c in cmds {
                            self.command(c);
                        }
                    }
                    t if t >= TOKEN_SOCK => self.drain((t - TOKEN_SOCK) as SockId),
                    t => {
                        if let Some(c) = self.carrier.as_mut() {
                            c.on_readable((t - TOKEN_CARRIER) as usize);
                        }
                    }
                }
            }
            let now = now_ns();
            let ids: Vec<DirId> = self.dirs.keys().copied().collect();
            for id in ids {
                self.flush(id, now);
            }
            self.pool.truncate(256);
            self.arm();
        }
    }

    fn command(&mut self, c: Cmd) {
        match c {
            Cmd::AddSocket(id, s) => {
                // A socket epoll refuses is never read: its direction's frames are
                // lost, and its counters say nothing was read.
                let _ = self.watch(s.fd(), TOKEN_SOCK + u64::from(id));
                self.socks.insert(
                    id,
                    SockEntry {
                        sock: Some(s),
                        reader: None,
                        drops: 0,
                    },
                );
            }
            Cmd::AddDirection {
                id,
                rx,
                tx,
                key,
                params,
            } => {
                if let Some(s) = self.socks.get_mut(&rx) {
                    s.reader = Some(id);
                }
                let sched = Direction::new(self.seed, key, params);
                self.dirs.insert(id, Dir { rx, tx, sched });
            }
            Cmd::SetParams(id, params) => {
                if let Some(d) = self.dirs.get_mut(&id) {
                    d.sched.params = params;
                }
            }
            Cmd::Counters(reply) => {
                for s in self.socks.values_mut() {
                    if let Some(sock) = &s.sock {
                        s.drops += u64::from(sock.drops().unwrap_or(0));
                    }
                }
                let out = self
                    .dirs
                    .iter()
                    .map(|(id, d)| {
                        let mut c = d.sched.counters;
                        c.kernel_drops = self.socks.get(&d.rx).map_or(0, |s| s.drops);
                        (*id, c)
                    })
                    .collect();
                let _ = reply.send(out);
            }
            Cmd::Sync(reply) => {
                if let Some(c) = self.carrier.as_mut() {
                    // The events are queued on the sockets already (the kernel queues a
                    // notification before it answers the request that caused it), and
                    // the rule's own requests are handled before `sendto` returns.
                    for w in self.watchers.values() {
                        c.on_readable(*w);
                    }
                }
                let _ = reply.send(());
            }
            Cmd::Carrier(c) => self.carrier = Some(c),
            Cmd::CarrierRule {
                ns,
                events,
                node_index,
                relay,
            } => {
                let watcher = match (self.watchers.get(&ns), events, self.carrier.as_mut()) {
                    (Some(&w), _, _) => w,
                    (None, Some(events), Some(c)) => {
                        let w = c.watch(events);
                        let fd = c.watcher_fd(w);
                        self.watchers.insert(ns, w);
                        let _ = self.watch(fd, TOKEN_CARRIER + w as u64);
                        w
                    }
                    _ => return,
                };
                if let Some(c) = self.carrier.as_mut() {
                    c.rule(watcher, node_index, relay);
                }
            }
        }
    }

    fn clear_error(&self, id: SockId) {
        if let Some(sock) = self.socks.get(&id).and_then(|s| s.sock.as_ref()) {
            sock.take_error();
        }
    }

    /// Reads up to BATCH frames from socket `id` and hands each to its direction.
    fn drain(&mut self, id: SockId) {
        let Some(entry) = self.socks.get_mut(&id) else {
            return;
        };
        // Frames that come before their direction is registered wait in the ring.
        let Some(dir) = entry.reader else {
            return;
        };
        let Some(mut sock) = entry.sock.take() else {
            return;
        };
        for _ in 0..BATCH {
            let Some(frame) = sock.recv() else { break };
            let Some(d) = self.dirs.get_mut(&dir) else {
                continue;
            };
            if d.sched.passthrough() {
                d.sched.counters.read += 1;
                let tx = self.socks.get(&d.tx).and_then(|s| s.sock.as_ref());
                match tx.map(|t| t.send(&frame.vnet, frame.data)) {
                    Some(Ok(())) => d.sched.counters.sent += 1,
                    _ => d.sched.counters.send_errors += 1,
                }
                continue;
            }
            let now = now_ns();
            d.sched.frame(frame.vnet, frame.data, now, &mut self.pool);
            // What is due already (no delay: loss, corrupt, …) leaves now, not at the
            // end of the batch: a split GSO burst is thousands of frames.
            self.flush(dir, now);
        }
        if let Some(entry) = self.socks.get_mut(&id) {
            entry.sock = Some(sock);
        }
    }

    /// Sends the frames of direction `id` that are due at `now`.
    fn flush(&mut self, id: DirId, now: u64) {
        let Some(d) = self.dirs.get_mut(&id) else {
            return;
        };
        let tx = self.socks.get(&d.tx).and_then(|s| s.sock.as_ref());
        while let Some(q) = d.sched.pop_due(now + SLACK_NS) {
            d.sched.counters.late += u64::from(now.saturating_sub(q.at) > LATE_NS);
            match tx.map(|t| t.send(&q.vnet, &q.buf)) {
                Some(Ok(())) => d.sched.counters.sent += 1,
                _ => d.sched.counters.send_errors += 1,
            }
            self.pool.push(q.buf);
        }
    }

    /// Arms the timer for the earliest frame waiting.
    fn arm(&mut self) {
        let Some(at) = self.dirs.values().filter_map(|d| d.sched.next_at()).min() else {
            return;
        };
        if self.armed == at {
            return;
        }
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: (at / 1_000_000_000) as libc::time_t,
                tv_nsec: (at % 1_000_000_000) as libc::c_long,
            },
        };
        // SAFETY: setting our timerfd to an absolute time.
        let rc = unsafe {
            libc::timerfd_settime(
                self.tfd.as_raw_fd(),
                libc::TFD_TIMER_ABSTIME,
                &spec,
                std::ptr::null_mut(),
            )
        };
        if rc == 0 {
            self.armed = at;
        }
    }
}
