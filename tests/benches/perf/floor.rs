//! The kernel's floor for a star of N: what the kernel alone takes, on one thread, to
//! make what a star's build makes (N network namespaces, N veth pairs, their ends up
//! and N addresses), with no harness around it. Where a target is below the floor, no
//! harness reaches it on this machine in this hour; the figure sits beside W2's.
//!
//! Measured in a process of its own (this program again, with `--floor N`), which
//! unshares a user and a network namespace first: nothing is made in the host's. The
//! namespaces are timed in-process (unshare(CLONE_NEWNET), its descriptor kept, back
//! home: what `NetNs::create` does); the links by `ip -batch` (one process for the N
//! pairs, one for the ups and addresses, each in the namespace of the process), so
//! the figure includes two process starts, about a millisecond each. The pairs are
//! made within one namespace, where the harness puts each peer in its node's: a move
//! at creation costs the same registration.

use crate::stats::Stats;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The argument that makes this program measure the floor and exit.
pub const FLAG: &str = "--floor";

/// The floor's phases over some runs.
#[derive(Debug, Default)]
pub struct Floor {
    pub namespaces: Stats,
    pub veths: Stats,
    pub up: Stats,
    pub total: Stats,
    /// Why it was not measured (no `ip`, no user namespaces).
    pub skipped: Option<String>,
}

/// One more measurement of the floor for N into `floor`, in a fresh process (the
/// caller settles the machine first).
pub fn measure(floor: &mut Floor, n: usize) {
    let parsed = std::env::current_exe()
        .map_err(|e| format!("this program's path: {e}"))
        .and_then(|exe| {
            Command::new(&exe)
                .arg(FLAG)
                .arg(n.to_string())
                .output()
                .map_err(|e| e.to_string())
        })
        .and_then(|o| {
            if o.status.success() {
                Ok(String::from_utf8_lossy(&o.stdout).into_owned())
            } else {
                Err(String::from_utf8_lossy(&o.stderr).trim().to_string())
            }
        })
        .and_then(|s| {
            let ms: Vec<f64> = s
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            match ms[..] {
                [a, b, c] => Ok([a, b, c]),
                _ => Err(format!("unexpected output {s:?}")),
            }
        });
    match parsed {
        Ok([ns, veth, up]) => {
            let d = |ms: f64| Duration::from_secs_f64(ms / 1e3);
            floor.namespaces.push(d(ns));
            floor.veths.push(d(veth));
            floor.up.push(d(up));
            floor.total.push(d(ns + veth + up));
        }
        Err(why) => floor.skipped = Some(why),
    }
}

/// The measuring process (`perf --floor N`): prints the three phases in milliseconds.
pub fn main(n: &str) -> Result<(), String> {
    let n: usize = n.parse().map_err(|_| format!("{FLAG} needs a number"))?;
    enter_sandbox()?;
    let home = open_ns()?;
    let mut kept = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        // SAFETY: unshare and setns on this single-threaded process's own thread.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return Err(format!("unshare: {}", std::io::Error::last_os_error()));
        }
        kept.push(open_ns()?);
        // SAFETY: as above; `home` is a namespace descriptor we hold.
        if unsafe { libc::setns(home, libc::CLONE_NEWNET) } != 0 {
            return Err(format!("setns: {}", std::io::Error::last_os_error()));
        }
    }
    let namespaces = start.elapsed();
    let mut pairs = String::new();
    let mut ups = String::new();
    for i in 0..n {
        pairs.push_str(&format!(
            "link add fa{i} numtxqueues 1 numrxqueues 1 type veth peer name fb{i} \
             numtxqueues 1 numrxqueues 1\n"
        ));
        ups.push_str(&format!(
            "link set fa{i} up\nlink set fb{i} up\naddress add {}/16 dev fa{i}\n",
            crate::workloads::star_addr(i + 1)
        ));
    }
    let veths = ip_batch(&pairs)?;
    let up = ip_batch(&ups)?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{:.3} {:.3} {:.3}", ms(namespaces), ms(veths), ms(up));
    Ok(())
}

/// A new user namespace (this uid as root) and a new network namespace.
fn enter_sandbox() -> Result<(), String> {
    // SAFETY: geteuid/getegid take nothing.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    // SAFETY: unshare on this single-threaded process.
    if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) } != 0 {
        return Err(format!(
            "user and network namespaces: {}",
            std::io::Error::last_os_error()
        ));
    }
    let write = |path: &str, text: String| {
        std::fs::write(path, text).map_err(|e| format!("writing {path}: {e}"))
    };
    write("/proc/self/setgroups", "deny".into())?;
    write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    write("/proc/self/gid_map", format!("0 {gid} 1"))
}

fn open_ns() -> Result<i32, String> {
    let path = c"/proc/thread-self/ns/net";
    // SAFETY: open of a NUL-terminated path; the descriptor is ours (kept to the end).
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(format!(
            "opening the namespace: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(fd)
}

/// Runs `ip -batch -` on `commands`; how long the process took.
fn ip_batch(commands: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let mut child = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("`ip`: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(commands.as_bytes())
        .map_err(|e| format!("writing to `ip -batch`: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("`ip -batch`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`ip -batch` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(start.elapsed())
}
