//! Entering the sandbox's namespaces, and saying why when the machine refuses.

use std::io;

/// The caller's ids, read in the parent before fork.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ids {
    uid: u32,
    gid: u32,
}

impl Ids {
    pub(crate) fn current() -> Ids {
        // SAFETY: getuid/getgid cannot fail.
        unsafe {
            Ids {
                uid: libc::getuid(),
                gid: libc::getgid(),
            }
        }
    }
}

/// Unshares user and network namespaces and maps the caller to root inside. The PID
/// namespace comes after ([`enter_pid`]), so that a thread started in between may
/// still start threads of its own (`release::Closer`).
///
/// The same path for root and for any unprivileged user: as an unprivileged user only
/// the own ids can be mapped, and `setgroups` must be denied before the gid map.
///
/// No mount namespace here: copying the host's mount tree and tearing it down again
/// costs about 2 ms per test. The one the seeds' commands need (/run/netns) is made
/// on first use (`sandbox::mounts`).
pub(super) fn enter(ids: Ids) -> Result<(), String> {
    let flags = libc::CLONE_NEWUSER | libc::CLONE_NEWNET;
    // SAFETY: unshare is a plain system call; this process has one thread.
    if unsafe { libc::unshare(flags) } != 0 {
        return Err(diagnose(
            "unshare(CLONE_NEWUSER)",
            &io::Error::last_os_error(),
        ));
    }
    let steps = [
        ("/proc/self/setgroups", "deny".to_string()),
        ("/proc/self/uid_map", format!("0 {} 1", ids.uid)),
        ("/proc/self/gid_map", format!("0 {} 1", ids.gid)),
    ];
    for (path, content) in steps {
        std::fs::write(path, content).map_err(|e| diagnose(&format!("writing {path}"), &e))?;
    }
    // The first use of the new namespace's capabilities: a system that lets unshare
    // succeed but strips them (AppArmor) is caught here, with its name, rather than
    // as an EPERM from the builder.
    crate::kernel::link::lo_up()
        .map_err(|e| diagnose("setting lo up in the new network namespace", &e))
}

/// Unshares the PID namespace the worker is forked into (as its PID 1). Allowed with
/// more than one thread: it changes only where the calling thread's children go.
pub(super) fn enter_pid() -> Result<(), String> {
    // SAFETY: unshare is a plain system call.
    if unsafe { libc::unshare(libc::CLONE_NEWPID) } == 0 {
        return Ok(());
    }
    Err(pid_refused(&io::Error::last_os_error()))
}

/// The message for a refused `unshare(CLONE_NEWPID)`: its cause and fix.
fn pid_refused(err: &io::Error) -> String {
    let (cause, fix) = match err.raw_os_error() {
        Some(libc::ENOSPC) => (
            "the limit of PID namespaces was reached: user.max_pid_namespaces of this or an \
             enclosing user namespace, or the nesting depth (32)",
            "raise user.max_pid_namespaces where it is low, or run the tests less deeply nested",
        ),
        Some(libc::EINVAL) => (
            "the kernel lacks PID namespaces (CONFIG_PID_NS)",
            "use a kernel built with PID namespaces",
        ),
        _ => (
            "the kernel refused a new PID namespace inside the new user namespace",
            "check `unshare --user --map-root-user --pid --fork true` works for this user",
        ),
    };
    format!(
        "PID namespaces are unavailable: unshare(CLONE_NEWPID) failed with {err}. \
         Cause: {cause}. Fix: {fix}"
    )
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Names the cause and the fix of a refused namespace operation.
pub(crate) fn diagnose(step: &str, err: &io::Error) -> String {
    let errno = err.raw_os_error().unwrap_or(0);
    let (cause, fix) = cause_and_fix(errno);
    format!("user namespaces are unavailable: {step} failed with {err}. Cause: {cause}. Fix: {fix}")
}

fn cause_and_fix(errno: i32) -> (String, String) {
    if read_trimmed("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        return (
            "the sysctl user.max_user_namespaces is 0 in this (possibly nested) user namespace".into(),
            "`sudo sysctl -w user.max_user_namespaces=15000` (persist it in /etc/sysctl.d/), or in a \
             container raise it on the host"
                .into(),
        );
    }
    if read_trimmed("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        return (
            "the sysctl kernel.unprivileged_userns_clone is 0 (Debian/older Ubuntu kernels)".into(),
            "`sudo sysctl -w kernel.unprivileged_userns_clone=1`".into(),
        );
    }
    if read_trimmed("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref()
        == Some("1")
    {
        return (
            "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, \
             Ubuntu 23.10 and later): the namespace is made but has no capabilities"
                .into(),
            "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor profile with \
             `userns,` for the test binary"
                .into(),
        );
    }
    if errno == libc::EPERM && seccomp_filtered() {
        return (
            "a seccomp filter denies unshare (a container runtime's default profile)".into(),
            "run the container with `--security-opt seccomp=unconfined`, or a profile that allows \
             unshare/clone with CLONE_NEWUSER; or run the tests outside the container"
                .into(),
        );
    }
    if errno == libc::ENOSPC || errno == libc::EUSERS {
        return (
            "the limit of user namespaces was reached: the nesting depth (32) or \
             user.max_user_namespaces of an enclosing user namespace"
                .into(),
            "raise user.max_user_namespaces where it is low, or run the tests less deeply nested"
                .into(),
        );
    }
    if errno == libc::EPERM && inside_user_namespace() {
        return (
            "this process already runs inside a user namespace that may not create more \
             (e.g. a container without CAP_SYS_ADMIN over its own user namespace)"
                .into(),
            "allow nested user namespaces in the container (e.g. podman/docker with \
             `--security-opt seccomp=unconfined --security-opt apparmor=unconfined`)"
                .into(),
        );
    }
    if errno == libc::EINVAL {
        return (
            "the kernel refused the flags: it lacks CONFIG_USER_NS or CONFIG_NET_NS, or the \
             process is multi-threaded"
                .into(),
            "use a kernel built with user and network namespaces".into(),
        );
    }
    (
        "the kernel refused to create the namespaces".into(),
        "check `unshare --user --map-root-user --net true` works for this user".into(),
    )
}

/// `Seccomp: 2` in /proc/self/status: a filter is installed.
fn seccomp_filtered() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Seccomp:") && l.trim_end().ends_with('2'))
        })
        .unwrap_or(false)
}

/// The initial user namespace maps every id: `0 0 4294967295`.
fn inside_user_namespace() -> bool {
    read_trimmed("/proc/self/uid_map")
        .map(|m| m.split_whitespace().collect::<Vec<_>>() != ["0", "0", "4294967295"])
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_pid_namespace_is_named_with_its_cause_and_fix() {
        let full = pid_refused(&io::Error::from_raw_os_error(libc::ENOSPC));
        assert!(
            full.starts_with("PID namespaces are unavailable: unshare(CLONE_NEWPID) failed")
                && full.contains("user.max_pid_namespaces")
                && full.contains("Fix: raise user.max_pid_namespaces"),
            "{full}"
        );
        let missing = pid_refused(&io::Error::from_raw_os_error(libc::EINVAL));
        assert!(missing.contains("CONFIG_PID_NS"), "{missing}");
        let other = pid_refused(&io::Error::from_raw_os_error(libc::EPERM));
        assert!(
            other.contains("unshare --user --map-root-user --pid"),
            "{other}"
        );
    }
}
