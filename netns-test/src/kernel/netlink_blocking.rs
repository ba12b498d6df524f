//! One rtnetlink request answered on the calling thread, without a runtime: for the
//! helper threads that make namespaces, before any runtime exists.

use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_route::RouteNetlinkMessage;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Sends `msg` with `flags` on a new socket in the calling thread's namespace and
/// reads the answers until the kernel's ack or the end of a dump.
pub(crate) fn request(
    msg: RouteNetlinkMessage,
    flags: u16,
) -> io::Result<Vec<RouteNetlinkMessage>> {
    // SAFETY: a new socket, owned at once.
    let sock = unsafe {
        let fd = libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE,
        );
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        OwnedFd::from_raw_fd(fd)
    };
    let mut req = NetlinkMessage::from(msg);
    req.header.flags = flags;
    req.header.sequence_number = 1;
    req.finalize();
    let mut bytes = vec![0u8; req.buffer_len()];
    req.serialize(&mut bytes);
    // SAFETY: sending a buffer we own to the kernel (the default destination).
    if unsafe { libc::send(sock.as_raw_fd(), bytes.as_ptr().cast(), bytes.len(), 0) } < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut out = Vec::new();
    // Not zeroed: zeroing 64 KiB touches sixteen pages, each a page fault in a process
    // just forked (the sandbox's first requests are made here), where an answer fills
    // one or two.
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    loop {
        // SAFETY: the kernel writes at most `capacity` bytes into the buffer, and the
        // `n` it reports are initialised when it returns.
        let n = unsafe {
            let n = libc::recv(sock.as_raw_fd(), buf.as_mut_ptr().cast(), buf.capacity(), 0);
            if n >= 0 {
                buf.set_len(n as usize);
            }
            n
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut at = 0;
        while at + 16 <= n as usize {
            let len = u32::from_ne_bytes(buf[at..at + 4].try_into().expect("4 bytes")) as usize;
            if len < 16 || at + len > n as usize {
                return Err(io::Error::other("a truncated netlink answer"));
            }
            let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&buf[at..at + len])
                .map_err(|e| io::Error::other(e.to_string()))?;
            at += (len + 3) & !3;
            match msg.payload {
                NetlinkPayload::InnerMessage(m) => out.push(m),
                NetlinkPayload::Error(e) if e.code.is_some() => return Err(e.to_io()),
                // The ack of a request, or the end of a dump.
                NetlinkPayload::Error(_) | NetlinkPayload::Done(_) => return Ok(out),
                _ => {}
            }
        }
    }
}
