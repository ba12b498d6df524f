//! The sandbox process as the witness of its worker: it holds every namespace and
//! capture socket (`vault`), and when the worker ends without passing, or the test's
//! deadline comes while it still runs, it reads the state of every node and writes
//! the capture, then says `End`, and lets go of everything at once (`release`).
//!
//! It is a process of its own, so a worker that crashed with a lock held, or hangs in
//! the body, cannot stop it; what it does is bounded by the parent's grace (it kills
//! the sandbox if `End` does not come in time). Fork safety: it runs the same kinds of
//! code as the worker (system calls, allocation, a tokio runtime of its own, netlink
//! sockets it opens itself), under the argument at the top of `child.rs`.

use super::progress::Verdict;
use super::protocol::{Frame, WorkerExit};
use super::release;
use super::vault::{self, Held};
use super::ChildEnds;
use crate::forensics::capture::{self, CaptureMode};
use crate::forensics::pcapng;
use crate::forensics::pcapng::CAPTURE_FILE;
use crate::kernel::netns::NetNs;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// What the witness does with a failure, decided in the test process.
#[derive(Debug, Clone)]
pub(crate) struct Orders {
    pub capture: CaptureMode,
    /// Where `capture.pcapng` goes.
    pub dir: Option<PathBuf>,
    /// RUST_BACKTRACE, for the worker's panic hook.
    pub backtrace: crate::options::Backtrace,
    /// The NAT routers, whose state includes their NAT.
    pub nats: Vec<String>,
    /// At most this many capture sockets: one per namespace with links.
    pub sockets: usize,
}

/// Waits for the worker `pid` or for the parent's deadline, reports, and says `End`.
pub(super) fn watch(
    pid: libc::pid_t,
    ends: &ChildEnds,
    orders: &Orders,
    closer: Option<release::Closer>,
) {
    let woken = wait_for(pid, ends);
    if woken == Woken::Stuck {
        // A lock of the test process was held at fork (`held_locks`): nothing of the
        // work ran; the test forks a new sandbox.
        // SAFETY: our own child.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        reap(pid);
        let why = "a lock of the test process (std's environment lock or the signal \
                   registry's) was held by another of its threads when the sandbox was forked";
        Frame::Retry(why.into()).send(ends.res);
        Frame::End.send(ends.res);
        return;
    }
    let at_deadline = woken == Woken::Deadline;
    // At the deadline the worker still runs: the state is read while it is stuck,
    // before it is killed.
    let mut held = Vec::new();
    let mut states = None;
    if at_deadline {
        held = vault::withdraw(ends.vault);
        states = Some(node_states(&held, &orders.nats));
        // SAFETY: our own child; it cannot write frames once it is gone.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let status = reap(pid);
    let verdict = ends.progress.verdict();

    if verdict == Verdict::None && !at_deadline {
        let end = if libc::WIFSIGNALED(status) {
            WorkerExit::Signal(libc::WTERMSIG(status))
        } else {
            WorkerExit::Code(libc::WEXITSTATUS(status))
        };
        Frame::WorkerExit(end).send(ends.res);
    }
    let failed = verdict != Verdict::Passed;
    if failed && !at_deadline {
        held = vault::withdraw(ends.vault);
        states = Some(node_states(&held, &orders.nats));
    }
    if let Some(nodes) = states {
        let when = if at_deadline {
            "at the deadline, before the sandbox was killed"
        } else {
            "after the worker ended"
        };
        Frame::States {
            when: when.into(),
            nodes,
        }
        .send(ends.res);
    }
    let wanted = match orders.capture {
        CaptureMode::Never => false,
        CaptureMode::OnFailure => failed,
        CaptureMode::Always => true,
    };
    if let (true, Some(dir)) = (wanted, &orders.dir) {
        if held.is_empty() {
            held = vault::withdraw(ends.vault);
        }
        Frame::Capture(write_capture(&held, dir)).send(ends.res);
    }
    // Everything held goes after the verdict, together (`release.rs`).
    release::detach();
    Frame::End.send(ends.res);
    if held.is_empty() {
        held = vault::withdraw(ends.vault);
    }
    release::release(held, closer);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Woken {
    /// The worker ended.
    Ended,
    /// The parent's deadline byte came.
    Deadline,
    /// The worker did not find the test process's locks free in time.
    Stuck,
}

/// Waits until the worker ends or the parent's deadline byte comes; or, if the worker
/// has not said within `held_locks::WAIT` that the locks it checks are free, says so.
fn wait_for(pid: libc::pid_t, ends: &ChildEnds) -> Woken {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
    if pidfd < 0 {
        return Woken::Ended; // waitpid below blocks instead: no state at a deadline
    }
    let probed_by = std::time::Instant::now() + super::held_locks::WAIT;
    let woken = loop {
        let mut fds = [
            libc::pollfd {
                fd: pidfd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: ends.ctl,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let clear = ends.progress.is_clear();
        let timeout = if clear {
            -1
        } else {
            let left = probed_by.saturating_duration_since(std::time::Instant::now());
            left.as_millis().min(i32::MAX as u128) as i32
        };
        // SAFETY: fds is a valid array of pollfd.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
        if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        if n == 0 {
            if ends.progress.is_clear() {
                continue;
            }
            break Woken::Stuck;
        }
        break if fds[1].revents & libc::POLLIN != 0 {
            Woken::Deadline
        } else {
            Woken::Ended
        };
    };
    // SAFETY: our own descriptor.
    unsafe { libc::close(pidfd) };
    woken
}

fn reap(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid
            || (r == -1 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR))
        {
            return status;
        }
    }
}

/// Every held node's links, addresses, routes and neighbours, read through a netlink
/// socket opened inside its namespace, and the NAT of the routers in `nats`.
fn node_states(held: &[Held], nats: &[String]) -> Result<Vec<(String, String)>, String> {
    if held.is_empty() {
        return Err("no namespace had been made yet".into());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting a runtime to read them: {e}"))?;
    rt.block_on(async {
        let mut out = Vec::new();
        for h in held {
            let state = async {
                let ns = NetNs::from_fd(h.ns.try_clone().map_err(|e| e.to_string())?);
                let handle = crate::kernel::netlink::connect(Some(&ns))
                    .map_err(|e| format!("opening a netlink socket in it: {e}"))?;
                let mut state = crate::report::state::read(&handle).await?;
                if nats.contains(&h.name) {
                    state.nat = Some(crate::report::state::read_nat(&ns));
                }
                Ok::<_, String>(state)
            };
            let text = match state.await {
                Ok(s) => crate::report::format_state(&s),
                Err(e) => format!("  (state unavailable: {e})\n"),
            };
            out.push((h.name.clone(), text));
        }
        Ok(out)
    })
}

/// Drains every capture socket into `dir/capture.pcapng`: one interface per link end,
/// `node:iface`, frames in time order.
fn write_capture(held: &[Held], dir: &Path) -> Result<String, String> {
    let mut interfaces = Vec::new();
    let mut frames = Vec::new();
    for h in held {
        let first = interfaces.len() as u32;
        interfaces.extend(h.ends.iter().map(|(end, _)| pcapng::Interface {
            name: format!("{}:{end}", h.name),
        }));
        let Some(fd) = &h.capture else { continue };
        let got = capture::drain(fd.as_raw_fd())
            .map_err(|e| format!("reading the capture of node {}: {e}", h.name))?;
        for f in got {
            if let Some(pos) = h.ends.iter().position(|(_, i)| *i == f.ifindex) {
                frames.push((first + pos as u32, f));
            }
        }
    }
    frames.sort_by_key(|(_, f)| f.ns);
    let packets: Vec<pcapng::Packet<'_>> = frames
        .iter()
        .map(|(iface, f)| pcapng::Packet {
            iface: *iface,
            ns: f.ns,
            outgoing: f.outgoing,
            data: &f.data,
        })
        .collect();
    let path = dir.join(CAPTURE_FILE);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        pcapng::write(&mut out, &interfaces, &packets)?;
        std::io::Write::flush(&mut out)
    };
    write().map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(format!(
        "{CAPTURE_FILE} ({} interfaces, {} frames)",
        interfaces.len(),
        packets.len()
    ))
}
