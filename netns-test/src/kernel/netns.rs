//! Network namespaces held by file descriptor.
//!
//! Namespaces belong to threads: `setns` moves only the calling thread, and a socket
//! stays in the namespace its thread was in when it was made. So a node's sockets
//! (netlink, ICMP, the test's own) are made by entering the node on the current
//! thread, making the socket, and stepping back.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;

/// A network namespace, held open by a file descriptor.
#[derive(Debug)]
pub(crate) struct NetNs {
    fd: OwnedFd,
}

impl NetNs {
    /// A namespace someone handed over as a descriptor (see `sandbox::vault`).
    pub(crate) fn from_fd(fd: OwnedFd) -> NetNs {
        NetNs { fd }
    }

    /// The namespace of the calling thread.
    pub(crate) fn current() -> io::Result<NetNs> {
        let file = File::open("/proc/thread-self/ns/net")?;
        Ok(NetNs { fd: file.into() })
    }

    /// A new namespace (only `lo`, down), where `inside` runs first, on the calling
    /// thread, which is back in `home` afterwards.
    pub(crate) fn create(
        home: &NetNs,
        inside: impl FnOnce() -> io::Result<()>,
    ) -> io::Result<NetNs> {
        // SAFETY: unshare(CLONE_NEWNET) moves only the calling thread.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let made = NetNs::current().and_then(|ns| inside().map(|()| ns));
        home.set_current()?;
        made
    }

    /// Moves the calling thread into this namespace (for good: see [`NetNs::run`]).
    pub(crate) fn set_current(&self) -> io::Result<()> {
        // SAFETY: setns with a namespace fd we own.
        if unsafe { libc::setns(self.fd.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Runs `f` with the calling thread inside this namespace, then steps back.
    pub(crate) fn run<T>(&self, f: impl FnOnce() -> T) -> io::Result<T> {
        let home = NetNs::current()?;
        self.set_current()?;
        let out = f();
        home.set_current()?;
        Ok(out)
    }

    /// The namespace's identity (the inode of its nsfs file).
    pub(crate) fn inode(&self) -> io::Result<u64> {
        let file = File::from(self.fd.try_clone()?);
        Ok(file.metadata()?.ino())
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    pub(crate) fn try_clone(&self) -> io::Result<NetNs> {
        Ok(NetNs {
            fd: self.fd.try_clone()?,
        })
    }
}

impl AsFd for NetNs {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
