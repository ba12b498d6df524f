//! What the sandbox keeps of the test process's file descriptors: its own pipes, and
//! nothing else.
//!
//! A forked child holds a copy of every descriptor of the test process: a listener
//! or a connection held by one test stayed open in the sandboxes of others (for
//! minutes when a failed sandbox was kept), so a port could not be bound again
//! (EADDRINUSE) and a peer never saw EOF. Right after fork, `seal` takes them away.
//!
//! They are not closed but *replaced*, each by a duplicate of one `O_PATH`
//! descriptor (close-on-exec): the object behind the number is released, yet the
//! number is never handed out again in the sandbox. A body may hold a descriptor of
//! the test process by value (a `File` moved into the closure): with the number
//! closed, the sandbox's next socket would get it, and the body's writes, or its
//! `drop`, would hit the sandbox's own socket. Through an `O_PATH` descriptor every
//! read, write or accept fails with EBADF instead, loudly.
//!
//! One shared object must stay usable: tokio's signal pipe. tokio keeps it in a
//! process-wide static (a socket pair made on first use, whose numbers every runtime
//! with I/O reads to make its signal driver), so it is copied into the sandbox with
//! the test process's numbers. Closed, the sandbox's runtimes would duplicate
//! whatever got the number; shared, the sandbox's signals (a body's
//! `tokio::signal`, the SIGCHLD of its orphaned `tokio::process` children) would
//! wake the test process's runtimes and the other way round. So the pair is made at
//! a known place (`learn_tokio_signal_pipe`, before `main`, while the process has
//! one thread) and the sandbox gets a private pair at the same numbers.
//!
//! Fork safety (extends `child.rs`): `seal` uses `open`, `socketpair`, `dup3`,
//! `close` and glibc's `opendir`/`readdir` (malloc, and the lock of a directory
//! stream it makes itself), no lock another thread may hold.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicI32, Ordering};

/// The two numbers of tokio's signal pipe, or -1 if they are unknown.
static TOKIO_SIGNAL_PIPE: [AtomicI32; 2] = [AtomicI32::new(-1), AtomicI32::new(-1)];

/// Runs before `main` (an ELF constructor, as the `ctor` crate makes them), while the
/// process has one thread: a runtime with I/O is built and dropped, which makes
/// tokio's signal pipe if nothing has yet. The two descriptors it leaves behind are
/// the pipe. Anything else would make the count differ, and the pipe stays unknown.
#[used]
#[link_section = ".init_array"]
static LEARN_TOKIO_SIGNAL_PIPE: extern "C" fn() = learn_tokio_signal_pipe;

extern "C" fn learn_tokio_signal_pipe() {
    let before = open_fds();
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build();
    drop(built);
    let after = open_fds();
    let new: Vec<RawFd> = after
        .into_iter()
        .filter(|fd| !before.contains(fd))
        .collect();
    if let [a, b] = new[..] {
        TOKIO_SIGNAL_PIPE[0].store(a, Ordering::Relaxed);
        TOKIO_SIGNAL_PIPE[1].store(b, Ordering::Relaxed);
    }
}

/// tokio's signal pipe, as learnt before `main` (None if it could not be).
pub(crate) fn tokio_signal_pipe() -> Option<[RawFd; 2]> {
    let pipe = [0, 1].map(|i| TOKIO_SIGNAL_PIPE[i].load(Ordering::Relaxed));
    (pipe[0] >= 0).then_some(pipe)
}

/// Every open descriptor of this process, but the one that reads the list.
fn open_fds() -> Vec<RawFd> {
    let mut fds = Vec::new();
    // SAFETY: opendir/readdir/closedir on a directory stream this function owns;
    // each entry's name is a NUL-terminated string inside the stream's buffer.
    unsafe {
        let dir = libc::opendir(c"/proc/self/fd".as_ptr());
        if dir.is_null() {
            return fds;
        }
        let own = libc::dirfd(dir);
        loop {
            let entry = libc::readdir(dir);
            if entry.is_null() {
                break;
            }
            let name = std::ffi::CStr::from_ptr((*entry).d_name.as_ptr());
            match name.to_str().ok().and_then(|n| n.parse::<RawFd>().ok()) {
                Some(fd) if fd != own => fds.push(fd),
                _ => {}
            }
        }
        libc::closedir(dir);
    }
    fds
}

/// In a freshly forked sandbox: every descriptor from 3 up but `keep` becomes an
/// `O_PATH` placeholder, and tokio's signal pipe a pair of the sandbox's own.
pub(crate) fn seal(keep: &[RawFd]) {
    let tokio = tokio_signal_pipe();
    // SAFETY: plain system calls on this process's own descriptors.
    unsafe {
        let placeholder = libc::open(
            c"/".as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        );
        for fd in open_fds() {
            let kept = fd < 3 || keep.contains(&fd) || fd == placeholder;
            if kept || tokio.is_some_and(|t| t.contains(&fd)) {
                continue;
            }
            if placeholder < 0 || libc::dup3(placeholder, fd, libc::O_CLOEXEC) < 0 {
                libc::close(fd);
            }
        }
        if placeholder >= 0 {
            libc::close(placeholder);
        }
        if let Some(pipe) = tokio {
            make_private(pipe);
        }
    }
}

/// Puts a new connected socket pair (non-blocking, close-on-exec, as tokio makes it)
/// at the numbers of tokio's: a pair is symmetric, so which end is which is moot.
fn make_private(numbers: [RawFd; 2]) {
    let mut pair = [-1; 2];
    // SAFETY: socketpair writes two new descriptors; dup3 moves them onto numbers
    // that tokio's static holds in this process, releasing the copies of the test
    // process's pair.
    unsafe {
        let kind = libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
        if libc::socketpair(libc::AF_UNIX, kind, 0, pair.as_mut_ptr()) != 0 {
            return;
        }
        for (new, at) in pair.into_iter().zip(numbers) {
            libc::dup3(new, at, libc::O_CLOEXEC);
        }
        for new in pair {
            if !numbers.contains(&new) {
                libc::close(new);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    /// Two sockets connected to each other, whatever the order.
    fn connected(a: RawFd, b: RawFd) -> bool {
        // SAFETY: writes and reads one byte on descriptors the test owns.
        unsafe {
            let sent = libc::write(a, [7u8].as_ptr().cast(), 1) == 1;
            let mut got = [0u8; 1];
            sent && libc::read(b, got.as_mut_ptr().cast(), 1) == 1 && got[0] == 7
        }
    }

    /// The socket type of `fd`, and whether it is non-blocking.
    fn kind(fd: RawFd) -> (libc::c_int, bool) {
        let mut ty: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes an int; fcntl reads the flags.
        unsafe {
            let opt = (&mut ty as *mut libc::c_int).cast();
            libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_TYPE, opt, &mut len);
            (ty, libc::fcntl(fd, libc::F_GETFL) & libc::O_NONBLOCK != 0)
        }
    }

    #[test]
    fn the_tokio_signal_pipe_is_learnt_before_main() {
        // Not written to: a runtime of another test may be reading the pipe.
        let [a, b] = tokio_signal_pipe().expect("learnt before main");
        assert_eq!(kind(a), (libc::SOCK_STREAM, true), "fd {a}");
        assert_eq!(kind(b), (libc::SOCK_STREAM, true), "fd {b}");
    }

    #[test]
    fn a_private_pair_replaces_the_numbers() {
        let (x, y) = std::os::unix::net::UnixStream::pair().unwrap();
        let (x, y) = (x.as_raw_fd(), y.as_raw_fd());
        // A third socket: the pair at (x, y) is no longer connected to it.
        let (outside, inside) = std::os::unix::net::UnixStream::pair().unwrap();
        // SAFETY: dup2 onto x, which the test owns.
        unsafe { libc::dup2(inside.as_raw_fd(), x) };
        make_private([x, y]);
        assert!(connected(x, y) && connected(y, x));
        // SAFETY: a non-blocking read on the test's own socket.
        let n = unsafe {
            libc::recv(
                outside.as_raw_fd(),
                [0u8; 1].as_mut_ptr().cast(),
                1,
                libc::MSG_DONTWAIT,
            )
        };
        assert_eq!(n, -1, "nothing crossed to the old peer");
    }
}
