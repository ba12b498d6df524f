//! Carrier across a splice: a spliced link loses carrier as a plain veth pair does.
//!
//! A veth end has carrier when its peer is up. Spliced, a:eth0's peer is the relay's
//! end x, not b:eth0: without help, a keeps carrier when b:eth0 goes down, and a's
//! routes through eth0 stay usable, unlike on a plain pair. So the relay thread reads
//! the link events of the nodes' namespaces and keeps
//!
//! ```text
//! admin state of x (a's peer) := admin state of b:eth0     (and y := a:eth0)
//! ```
//!
//! Then a:eth0 has carrier exactly when b:eth0 is up, within a netlink round trip.
//! The rule reads the node ends, never the relay ends: a rule on the relay ends'
//! carrier loses what it knows once it has taken an end down (both ends down left
//! both relay ends down for good). Raw messages: the relay thread polls these
//! sockets beside its packet sockets, outside any runtime.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

const RTMGRP_LINK: u32 = 1;
const RTM_NEWLINK: u16 = 16;
const IFF_UP: u32 = 1;
/// `struct nlmsghdr` and `struct ifinfomsg`.
const NLMSG_HDR: usize = 16;
const IFINFO: usize = 16;

/// A NETLINK_ROUTE socket of the calling thread's namespace, subscribed to its link
/// events when `events`.
fn route_socket(events: bool) -> io::Result<OwnedFd> {
    // SAFETY: a plain socket call; the fd is owned at once.
    let raw = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            libc::NETLINK_ROUTE,
        )
    };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: sockaddr_nl is plain data.
    let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    sa.nl_family = libc::AF_NETLINK as u16;
    sa.nl_groups = if events { RTMGRP_LINK } else { 0 };
    // SAFETY: binding our socket to a sockaddr_nl of the right size.
    let rc = unsafe {
        libc::bind(
            raw,
            (&sa as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as u32,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fd)
}

/// The link events of one node namespace (open it inside the namespace).
#[derive(Debug)]
pub(crate) struct LinkEvents(OwnedFd);

impl LinkEvents {
    pub(crate) fn open() -> io::Result<LinkEvents> {
        route_socket(true).map(LinkEvents)
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// Every pending RTM_NEWLINK as (index, flags).
    fn read(&self, mut each: impl FnMut(i32, u32)) {
        let mut buf = [0u8; 16384];
        loop {
            // SAFETY: recv into our buffer.
            let n = unsafe { libc::recv(self.fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n <= 0 {
                return;
            }
            let n = n as usize;
            let mut off = 0;
            while off + NLMSG_HDR + IFINFO <= n {
                let word = |at: usize| u32::from_ne_bytes(buf[at..at + 4].try_into().unwrap());
                let len = word(off) as usize;
                let ty = u16::from_ne_bytes([buf[off + 4], buf[off + 5]]);
                if len < NLMSG_HDR || off + len > n {
                    break;
                }
                if ty == RTM_NEWLINK {
                    // ifinfomsg: family, pad, type (u16), index (i32), flags (u32).
                    let m = off + NLMSG_HDR;
                    each(word(m + 4) as i32, word(m + 8));
                }
                off += (len + 3) & !3;
            }
        }
    }
}

/// The rule for every spliced link: which node end's admin state sets which relay
/// end's.
#[derive(Debug)]
pub(crate) struct CarrierMirror {
    /// In the relay namespace: sets the relay ends' state.
    control: OwnedFd,
    watchers: Vec<LinkEvents>,
    /// (watcher, node end's index) → the relay end facing the other node.
    rules: HashMap<(usize, i32), i32>,
    seq: u32,
}

impl CarrierMirror {
    /// Opens the control socket in the calling thread's namespace (the relay's).
    pub(crate) fn open() -> io::Result<CarrierMirror> {
        Ok(CarrierMirror {
            control: route_socket(false)?,
            watchers: Vec::new(),
            rules: HashMap::new(),
            seq: 0,
        })
    }

    /// Watches a node namespace's link events; returns the watcher's number.
    pub(crate) fn watch(&mut self, events: LinkEvents) -> usize {
        self.watchers.push(events);
        self.watchers.len() - 1
    }

    pub(crate) fn watcher_fd(&self, watcher: usize) -> RawFd {
        self.watchers[watcher].fd()
    }

    /// Relay end `relay` is up exactly when node end `node_index` (of the namespace
    /// `watcher` watches) is.
    pub(crate) fn rule(&mut self, watcher: usize, node_index: u32, relay: u32) {
        self.rules
            .insert((watcher, node_index as i32), relay as i32);
    }

    /// Reads the pending events of `watcher` and applies the rules.
    pub(crate) fn on_readable(&mut self, watcher: usize) {
        let mut sets = Vec::new();
        self.watchers[watcher].read(|index, flags| {
            if let Some(&relay) = self.rules.get(&(watcher, index)) {
                sets.push((relay, flags & IFF_UP != 0));
            }
        });
        for (relay, up) in sets {
            self.set_up(relay, up);
        }
    }

    /// RTM_NEWLINK of `index`: IFF_UP on or off, nothing else. No answer is asked for.
    fn set_up(&mut self, index: i32, up: bool) {
        self.seq += 1;
        let mut m = [0u8; NLMSG_HDR + IFINFO];
        m[0..4].copy_from_slice(&((NLMSG_HDR + IFINFO) as u32).to_ne_bytes());
        m[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
        m[6..8].copy_from_slice(&(libc::NLM_F_REQUEST as u16).to_ne_bytes());
        m[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        m[16] = libc::AF_UNSPEC as u8;
        m[20..24].copy_from_slice(&index.to_ne_bytes());
        m[24..28].copy_from_slice(&(if up { IFF_UP } else { 0 }).to_ne_bytes());
        m[28..32].copy_from_slice(&IFF_UP.to_ne_bytes());
        // SAFETY: sockaddr_nl is plain data; sending our buffer to the kernel (pid 0).
        unsafe {
            let mut sa: libc::sockaddr_nl = std::mem::zeroed();
            sa.nl_family = libc::AF_NETLINK as u16;
            libc::sendto(
                self.control.as_raw_fd(),
                m.as_ptr().cast(),
                m.len(),
                0,
                (&sa as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            );
        }
    }
}
