//! `/run/netns/<node>` for the seeds' own commands: `ip netns list`,
//! `ip netns exec b ping ...`, `ip -n b addr`.
//!
//! The mount namespace that holds it is made on first use, not for every test:
//! copying the host's mount tree and tearing it down costs about 2 ms. A thread makes
//! it (unsharing a mount namespace is allowed on one thread of a threaded process),
//! keeps it open by fd and ends; commands enter it before they exec. Owned by the
//! sandbox's user namespace, its mounts cannot propagate to the host.

use std::ffi::CString;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;

/// A new mount namespace where every node's network namespace is bound under
/// /run/netns, on a tmpfs that only the sandbox sees.
pub(crate) fn make_mount_ns(nodes: &[(String, i32)]) -> io::Result<OwnedFd> {
    std::thread::scope(|s| s.spawn(|| make_on_this_thread(nodes)).join()).unwrap_or_else(|_| {
        Err(io::Error::other(
            "the thread making the mount namespace panicked",
        ))
    })
}

fn make_on_this_thread(nodes: &[(String, i32)]) -> io::Result<OwnedFd> {
    // SAFETY: unshare moves only this thread (CLONE_NEWNS implies CLONE_FS).
    if unsafe { libc::unshare(libc::CLONE_NEWNS) } != 0 {
        return Err(io::Error::last_os_error());
    }
    mount(None, Path::new("/"), None, libc::MS_REC | libc::MS_PRIVATE)?;
    let dir = Path::new("/run/netns");
    if dir.is_dir() {
        mount_tmpfs(dir)?;
    } else {
        // No /run/netns on the host, and the sandbox may not create one there: cover
        // /run itself with a private tmpfs and make the directory on it.
        mount_tmpfs(Path::new("/run"))?;
        std::fs::create_dir(dir)?;
    }
    for (name, fd) in nodes {
        let target = dir.join(name);
        std::fs::File::create(&target)?;
        let source = format!("/proc/self/fd/{fd}");
        mount(Some(&source), &target, None, libc::MS_BIND)?;
    }
    let ns = std::fs::File::open("/proc/thread-self/ns/mnt")?;
    Ok(ns.into())
}

/// Moves the calling process into the mount namespace `fd`, staying in its current
/// directory; for `pre_exec`, in the forked, single-threaded child of `Command::spawn`.
///
/// `setns` into a mount namespace moves the process to that namespace's root
/// directory; the working directory is held open across it and entered again (the
/// namespace is a copy of the one it came from, so it is the same directory).
pub(crate) fn enter_here(fd: i32) -> io::Result<()> {
    // SAFETY: open, setns, fchdir and close are async-signal-safe; `here` is ours.
    unsafe {
        let here = libc::open(
            c".".as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        );
        let entered = libc::setns(fd, libc::CLONE_NEWNS);
        let error = io::Error::last_os_error();
        if here >= 0 {
            if entered == 0 {
                libc::fchdir(here);
            }
            libc::close(here);
        }
        if entered != 0 {
            return Err(error);
        }
    }
    Ok(())
}

fn mount_tmpfs(at: &Path) -> io::Result<()> {
    mount(Some("tmpfs"), at, Some("tmpfs"), 0)
}

fn mount(
    source: Option<&str>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
) -> io::Result<()> {
    let c = |s: &str| CString::new(s).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e));
    let source = source.map(c).transpose()?;
    let fstype = fstype.map(c).transpose()?;
    let target = c(&target.to_string_lossy())?;
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: valid C strings or null; no data argument.
    let rc = unsafe {
        libc::mount(
            ptr(&source),
            target.as_ptr(),
            ptr(&fstype),
            flags,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(
            e.kind(),
            format!("mounting on {}: {e}", target.to_string_lossy()),
        ));
    }
    Ok(())
}
