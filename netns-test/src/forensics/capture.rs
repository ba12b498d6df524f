//! Packet capture for forensics: every veth end is captured from the moment it
//! exists, and a failed test's packets are written as pcap files.
//!
//! Each end gets an AF_PACKET socket bound to it inside its namespace, with a
//! receive buffer as large as the kernel allows (4 MiB asked; SO_RCVBUFFORCE needs
//! CAP_NET_ADMIN in the initial namespace, so unprivileged it is net.core.rmem_max).
//! The kernel queues a copy of every frame there with its timestamp; nothing is read
//! while the test runs. When the test fails, the queues are drained into
//! `<dir>/<node>-<iface>.pcap`.
//!
//! Off unless asked for (`NETNS_TEST_CAPTURE=on-failure|always`): closing an
//! AF_PACKET socket waits for an RCU grace period (synchronize_net in
//! packet_release), 1 to 16 ms each, and the sockets close one after the other when
//! the sandbox exits. Default capture would cost every passing test more than the
//! whole rest of its run.

use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

/// When to capture: `NETNS_TEST_CAPTURE=always|never|on-failure` (default never: see
/// the module's comment for the cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMode {
    Always,
    Never,
    OnFailure,
}

impl CaptureMode {
    pub(crate) fn from_env() -> CaptureMode {
        match std::env::var("NETNS_TEST_CAPTURE").ok().as_deref() {
            Some("always") => CaptureMode::Always,
            Some("on-failure") => CaptureMode::OnFailure,
            _ => CaptureMode::Never,
        }
    }
}

/// The capture sockets of one sandbox.
#[derive(Debug, Default)]
pub(crate) struct Capture {
    ends: Vec<(String, String, OwnedFd)>,
}

const RING_BYTES: libc::c_int = 4 << 20;

impl Capture {
    /// Opens a capture socket on link `index` of the calling thread's namespace.
    pub(crate) fn open(&mut self, node: &str, ifname: &str, index: u32) -> io::Result<()> {
        // SAFETY: plain socket calls on a socket we own; the structs are plain data.
        unsafe {
            // Protocol 0 here and ETH_P_ALL in bind: a socket made with ETH_P_ALL
            // hooks into every device at once and then unhooks again in bind, which
            // costs an RCU grace period.
            let fd = libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
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
            let mut addr: libc::sockaddr_ll = std::mem::zeroed();
            addr.sll_family = libc::AF_PACKET as u16;
            addr.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
            addr.sll_ifindex = index as i32;
            let rc = libc::bind(
                fd.as_raw_fd(),
                &addr as *const libc::sockaddr_ll as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            );
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
            self.ends.push((node.to_string(), ifname.to_string(), fd));
        }
        Ok(())
    }

    /// Drains every queue into `dir/<node>-<iface>.pcap`; returns the files written.
    pub(crate) fn write(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut files = Vec::new();
        for (node, ifname, fd) in &self.ends {
            let path = dir.join(format!("{node}-{ifname}.pcap"));
            let mut out = io::BufWriter::new(std::fs::File::create(&path)?);
            write_pcap_header(&mut out)?;
            let mut down_reported = false;
            loop {
                match recv_frame(fd.as_raw_fd()) {
                    Ok(Some((sec, nsec, frame))) => write_pcap_record(&mut out, sec, nsec, &frame)?,
                    Ok(None) => break,
                    // A socket bound while its link was still down (the peer end is
                    // set up in the next round) reports ENETDOWN once; the frames
                    // queued since are still there.
                    Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) && !down_reported => {
                        down_reported = true
                    }
                    Err(e) => return Err(e),
                }
            }
            out.flush()?;
            files.push(path);
        }
        Ok(files)
    }
}

/// One queued frame and its kernel timestamp, or None when the queue is empty.
fn recv_frame(fd: i32) -> io::Result<Option<(u32, u32, Vec<u8>)>> {
    let mut buf = vec![0u8; 65536];
    let mut control = [0u64; 16];
    // SAFETY: recvmsg into buffers we own, with their true lengths.
    unsafe {
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg: libc::msghdr = std::mem::zeroed();
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
        let (mut sec, mut nsec) = (0u32, 0u32);
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_TIMESTAMPNS
            {
                let ts = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg) as *const libc::timespec);
                sec = ts.tv_sec as u32;
                nsec = ts.tv_nsec as u32;
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
        buf.truncate(n as usize);
        Ok(Some((sec, nsec, buf)))
    }
}

/// pcap with nanosecond timestamps (magic a1b23c4d), Ethernet link type.
fn write_pcap_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&0xa1b2_3c4d_u32.to_le_bytes())?;
    out.write_all(&2u16.to_le_bytes())?;
    out.write_all(&4u16.to_le_bytes())?;
    out.write_all(&0i32.to_le_bytes())?;
    out.write_all(&0u32.to_le_bytes())?;
    out.write_all(&65535u32.to_le_bytes())?;
    out.write_all(&1u32.to_le_bytes())
}

fn write_pcap_record(out: &mut impl Write, sec: u32, nsec: u32, frame: &[u8]) -> io::Result<()> {
    out.write_all(&sec.to_le_bytes())?;
    out.write_all(&nsec.to_le_bytes())?;
    out.write_all(&(frame.len() as u32).to_le_bytes())?;
    out.write_all(&(frame.len() as u32).to_le_bytes())?;
    out.write_all(frame)
}
