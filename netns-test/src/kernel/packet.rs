//! AF_PACKET sockets that carry a link's frames through the impairment relay: read a
//! device's frames with their offload metadata, write them back straight to a driver.
//!
//! * `PACKET_VNET_HDR`: every frame read is preceded by a `virtio_net_hdr` that says
//!   how the skb is offloaded (GSO type and size, partial checksum), and every frame
//!   written must be. This is what lets a 64 KB TCP super-frame from a veth pass as one
//!   unit: without it a send longer than the MTU fails (EMSGSIZE), and a frame whose
//!   checksum was left to "hardware" would leave with a wrong one.
//! * `PACKET_QDISC_BYPASS`: a send goes to the driver (`dev_direct_xmit`): no qdisc,
//!   no tc hook, no taps on the device it leaves by (the relay's own, in the relay
//!   namespace: the nodes' captures see every frame on their own ends).
//! * `PACKET_IGNORE_OUTGOING`: the socket does not read what its device sends (the
//!   relay's own writes).
//! * An RX ring ([`super::ring`]): a ring-less socket's queue is capped by
//!   `net.core.rmem_max` (about three GSO frames by default; raising it needs the
//!   initial namespace, and `SO_RCVBUFFORCE` is refused rootless), which dropped a
//!   tenth of a TCP stream's frames. The ring is not.
//!
//! The socket is made with protocol 0 and bound with ETH_P_ALL to its one device: a
//! socket made with ETH_P_ALL would first hook into every device of the namespace.

use super::ring::{Frame, Ring};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

// <linux/if_packet.h>
const PACKET_STATISTICS: libc::c_int = 6;
const PACKET_VNET_HDR: libc::c_int = 15;
const PACKET_QDISC_BYPASS: libc::c_int = 20;
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;

/// `struct virtio_net_hdr`, the 10-byte legacy layout, in host byte order (AF_PACKET
/// uses the host's order on every machine these tests run on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct VnetHdr {
    pub flags: u8,
    pub gso_type: u8,
    /// The skb's linear length (not the header length, whatever the name says).
    pub hdr_len: u16,
    pub gso_size: u16,
    pub csum_start: u16,
    pub csum_offset: u16,
}

pub(crate) const VNET_HDR_LEN: usize = 10;
/// The checksum at `csum_start + csum_offset` holds only the pseudo-header's sum.
pub(crate) const VNET_F_NEEDS_CSUM: u8 = 1;
pub(crate) const GSO_NONE: u8 = 0;
pub(crate) const GSO_TCPV4: u8 = 1;
pub(crate) const GSO_TCPV6: u8 = 4;
pub(crate) const GSO_UDP_L4: u8 = 5;
pub(crate) const GSO_ECN: u8 = 0x80;

impl VnetHdr {
    pub(crate) fn parse(b: &[u8]) -> VnetHdr {
        let u = |i: usize| u16::from_ne_bytes([b[i], b[i + 1]]);
        VnetHdr {
            flags: b[0],
            gso_type: b[1],
            hdr_len: u(2),
            gso_size: u(4),
            csum_start: u(6),
            csum_offset: u(8),
        }
    }

    fn write(&self, b: &mut [u8; VNET_HDR_LEN]) {
        b[0] = self.flags;
        b[1] = self.gso_type;
        b[2..4].copy_from_slice(&self.hdr_len.to_ne_bytes());
        b[4..6].copy_from_slice(&self.gso_size.to_ne_bytes());
        b[6..8].copy_from_slice(&self.csum_start.to_ne_bytes());
        b[8..10].copy_from_slice(&self.csum_offset.to_ne_bytes());
    }

    /// The GSO type without the ECN bit.
    pub(crate) fn gso_kind(&self) -> u8 {
        self.gso_type & !GSO_ECN
    }

    pub(crate) fn is_gso(&self) -> bool {
        self.gso_kind() != GSO_NONE
    }
}

/// A packet socket bound to one device, reading through a ring and writing straight
/// to the driver.
#[derive(Debug)]
pub(crate) struct PacketSocket {
    fd: OwnedFd,
    ring: Ring,
}

fn setopt<T>(fd: RawFd, level: libc::c_int, opt: libc::c_int, val: &T) -> io::Result<()> {
    // SAFETY: `val` points to a T of the size given.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            opt,
            (val as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl PacketSocket {
    /// A socket on link `ifindex` of the calling thread's namespace with a ring of
    /// `slots` frames. Needs CAP_NET_RAW over the namespace, which the sandbox's user
    /// namespace gives without root. Setting up the ring waits for an RCU grace
    /// period (10-15 ms here): open a sandbox's sockets in parallel, and never close
    /// one on the test's path (see `sandbox::vault`).
    pub(crate) fn open(ifindex: u32, slots: u32) -> io::Result<PacketSocket> {
        // SAFETY: a plain socket call; the fd is owned at once.
        let raw = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let one: libc::c_int = 1;
        setopt(raw, libc::SOL_PACKET, PACKET_VNET_HDR, &one)?;
        setopt(raw, libc::SOL_PACKET, PACKET_QDISC_BYPASS, &one)?;
        setopt(raw, libc::SOL_PACKET, PACKET_IGNORE_OUTGOING, &one)?;
        let ring = Ring::map(raw, slots)?;
        // SAFETY: sockaddr_ll is plain data.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
        addr.sll_ifindex = ifindex as i32;
        // SAFETY: binding our socket to a sockaddr_ll of the right size.
        let rc = unsafe {
            libc::bind(
                raw,
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(PacketSocket { fd, ring })
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// A second descriptor of the same socket (for the sandbox process to hold).
    pub(crate) fn dup(&self) -> io::Result<OwnedFd> {
        self.fd.try_clone()
    }

    /// The next frame, or `None` when none is waiting. It borrows its ring slot until
    /// the next call.
    pub(crate) fn recv(&mut self) -> Option<Frame<'_>> {
        self.ring.next()
    }

    /// Sends one frame (Ethernet header first) with its vnet header, straight to the
    /// driver. A refusal (ENOBUFS: the receiving side's backlog is full; ENETDOWN: the
    /// device is down) is returned: the caller counts it as a drop, as a real link
    /// would drop it.
    ///
    /// An ENETDOWN may also be old news: the kernel leaves it pending on the socket
    /// when its device goes down, and when the socket is bound to a device still down
    /// (every relay end's socket is), and the next send returns it, clearing it,
    /// instead of sending. The relay reads pending errors when epoll reports them, but
    /// a frame read in the same wakeup, before that report, was lost: the first frame
    /// across a new splice, in 1 run in 20 (an ARP request, and so a first ping). So an
    /// ENETDOWN is tried once more; a device down now refuses the second time too.
    pub(crate) fn send(&self, vnet: &VnetHdr, frame: &[u8]) -> io::Result<()> {
        match self.send_once(vnet, frame) {
            Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) => self.send_once(vnet, frame),
            done => done,
        }
    }

    fn send_once(&self, vnet: &VnetHdr, frame: &[u8]) -> io::Result<()> {
        let mut hdr = [0u8; VNET_HDR_LEN];
        vnet.write(&mut hdr);
        let iov = [
            libc::iovec {
                iov_base: hdr.as_ptr() as *mut libc::c_void,
                iov_len: VNET_HDR_LEN,
            },
            libc::iovec {
                iov_base: frame.as_ptr() as *mut libc::c_void,
                iov_len: frame.len(),
            },
        ];
        // SAFETY: msghdr is plain data.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = iov.as_ptr() as *mut libc::iovec;
        msg.msg_iovlen = 2;
        // SAFETY: a msghdr over two live iovecs, no address (the bound device).
        if unsafe { libc::sendmsg(self.fd.as_raw_fd(), &msg, 0) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reads (and so clears) the socket's pending error: the kernel leaves ENETDOWN
    /// there when the device goes down.
    pub(crate) fn take_error(&self) {
        let mut err: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes into `err`.
        unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                (&mut err as *mut libc::c_int).cast(),
                &mut len,
            )
        };
    }

    /// Frames the kernel dropped since the last call because the ring was full:
    /// `PACKET_STATISTICS`, which resets on every read.
    pub(crate) fn drops(&self) -> io::Result<u32> {
        let mut st = libc::tpacket_stats {
            tp_packets: 0,
            tp_drops: 0,
        };
        let mut len = std::mem::size_of::<libc::tpacket_stats>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes into `st`.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                PACKET_STATISTICS,
                (&mut st as *mut libc::tpacket_stats).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(st.tp_drops)
    }
}
