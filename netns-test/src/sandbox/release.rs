//! The sandbox process's last act: setting its bridges down, then letting go of every
//! capture socket, then of every namespace in one go, so that the kernel frees the
//! whole sandbox in one batch.
//!
//! Left to the process's exit, the descriptors close in the order they were handed
//! over: a namespace, its capture socket, the next namespace, … Closing a capture
//! socket waits for an RCU grace period (`synchronize_net` in `packet_release`), and
//! each socket holds its namespace: so the namespaces lost their last reference one by
//! one, a grace period apart, and the kernel's `cleanup_net` (a grace period, an
//! `rcu_barrier`, a batch of device unregistrations under the RTNL lock) ran over and
//! over while the next tests built their own sandboxes. Here every capture socket goes
//! first, while the namespace descriptors still hold their namespaces, and then every
//! namespace descriptor: they all die together and `cleanup_net` takes them as one
//! batch.
//!
//! Before that, every bridge is set down. The namespaces live on until the last
//! socket is closed, and the IPv6 link-local chatter of their nodes (router
//! solicitations, MLD reports; only nodes with IPv6 addresses have link-local ones)
//! goes on: a bridge floods every such frame to all its ports, N² frames that every
//! capture socket copies. That work landed in the next tests: after a 256-node star
//! whose sockets closed one after the other (two seconds and more), it was three
//! times the CPU time of freeing the whole sandbox. A bridge that is down drops what
//! reaches its ports (`br_handle_frame` in a disabled port state).
//!
//! The test's thread usually ends right after the verdict (libtest runs every test on
//! a thread of its own), and the sandbox process was told to die with that thread
//! (`PR_SET_PDEATHSIG` in `child.rs`, which follows the thread that forked, not the
//! process): killed halfway, its exit would close the rest in the old order. The
//! worker is gone by now, and with it everything in the sandbox's PID namespace, so
//! the signal has nothing left to guard: it is cleared, and this process ends on its
//! own once everything is closed. Living longer holds nothing of the test process's:
//! its descriptors were replaced right after fork (`inherited.rs`).
//!
//! The sockets are closed on many threads at once, so that their grace periods
//! overlap. One after the other, a 256-node star's 257 sockets took 3.4–3.6 s (now
//! 111–155 ms; 128 nodes: 1.7–2.0 s, now 77–84 ms), and the namespaces they hold were
//! freed that much later, several tests' at once, in one `cleanup_net` batch: the
//! test that built its sandbox beside such a batch took up to a second longer (a
//! 256-node star back to back: median 357 ms, p90 1.38 s; then 531 and 661 ms, every
//! test paying for one teardown; 4 December). This process cannot start those threads itself
//! once it has unshared a PID namespace for its worker (the kernel refuses
//! `CLONE_THREAD` to a thread whose children go to another PID namespace, EINVAL). So
//! it starts one thread, the [`Closer`], before that unshare: its children go where
//! its own do, and it starts the closing threads when the time comes.

use super::fresh_thread::{spawn, Joined};
use super::vault::Held;
use crate::kernel::netns::NetNs;
use crate::kernel::{link, netlink, netlink_blocking};
use netlink_packet_route::RouteNetlinkMessage as Msg;
use std::os::fd::OwnedFd;

/// Before `End`: lets this process outlive the test's thread.
pub(super) fn detach() {
    // SAFETY: prctl with an integer argument; 0 clears the parent-death signal.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, 0) };
}

/// After `End`: sets every bridge down, closes every capture socket of `held` (on the
/// closer's threads, if there is a closer), then every namespace.
pub(super) fn release(held: Vec<Held>, closer: Option<Closer>) {
    for h in held.iter().filter(|h| !h.bridges.is_empty()) {
        quiet(&h.ns, &h.bridges);
    }
    let mut namespaces = Vec::with_capacity(held.len());
    let mut sockets = Vec::with_capacity(held.len());
    for h in held {
        sockets.extend(h.capture);
        namespaces.push(h.ns);
    }
    match closer {
        Some(closer) => closer.close(sockets),
        None => drop(sockets),
    }
    drop(namespaces);
}

/// At most this many threads close sockets at once. Concurrent `synchronize_net`
/// calls share grace periods, so a few rounds of this many take a few grace periods;
/// a thread costs ~20 µs to start, off the test's path.
const CLOSING_THREADS: usize = 32;

/// The fewest capture sockets for which the sandbox process starts a [`Closer`].
/// Below, they close one after the other in a few grace periods, and the closer's
/// thread would only add its start (a `pthread_create`) to the test's path: W1 has
/// three namespaces and two sockets. (Ten alternating pairs of 300 W1 runs, with and
/// without a closer, differed by +0.2 ms between the medians; two copies of one build
/// differed by −0.6 to +0.3 ms: below what this machine resolves.)
pub(super) const CLOSER_FROM: usize = 5;

/// How long the sandbox process waits for the closing threads at most.
const CLOSING_BOUND: std::time::Duration = std::time::Duration::from_secs(10);

/// A thread of the sandbox process started before it unshares its PID namespace,
/// which waits for the capture sockets and closes them on threads of its own.
///
/// Fork safety: it is started after the sandbox process's namespaces (user, network)
/// and id maps are made, and exists when the worker is forked. Until `close` it only
/// waits in `recv` on its own channel: it takes none of the locks the worker uses
/// (std's output, environment or stack-guard locks); a lock of its channel that the
/// fork may copy held is never touched by the worker; `malloc` is safe (glibc's
/// `fork` takes every arena lock). It is a `pthread_create` thread rather than a
/// `std::thread`, as the worker's are (`fresh_thread.rs`): std's thread start takes a
/// lock that a thread of the test process may have held when this process was forked.
pub(super) struct Closer {
    sockets: std::sync::mpsc::Sender<Vec<OwnedFd>>,
    closed: std::sync::mpsc::Receiver<()>,
}

impl Closer {
    /// The closer, or `None` if no thread could be started (the sockets then close
    /// one after the other, as a process's exit closes them).
    pub(super) fn start() -> Option<Closer> {
        let (sockets, wanted) = std::sync::mpsc::channel::<Vec<OwnedFd>>();
        let (done, closed) = std::sync::mpsc::channel();
        let closer = move || {
            if let Ok(fds) = wanted.recv() {
                close_on_threads(fds);
                let _ = done.send(());
            }
        };
        spawn(closer, Joined::No).map(|_| Closer { sockets, closed })
    }

    /// Closes `sockets` on up to [`CLOSING_THREADS`] threads and waits until all are
    /// closed.
    fn close(self, sockets: Vec<OwnedFd>) {
        if sockets.is_empty() {
            return;
        }
        if let Err(back) = self.sockets.send(sockets) {
            drop(back.0);
            return;
        }
        // Bounded: nothing guards this process any more (`detach`), and the test
        // process's reaper waits for its exit. What is still open then closes at the
        // exit, one after the other.
        let _ = self.closed.recv_timeout(CLOSING_BOUND);
    }
}

/// Closes `fds`, spread round-robin over up to [`CLOSING_THREADS`] threads, and joins
/// them. A share whose thread cannot be started is closed here.
fn close_on_threads(fds: Vec<OwnedFd>) {
    let threads = fds.len().min(CLOSING_THREADS);
    let mut shares: Vec<Vec<OwnedFd>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, fd) in fds.into_iter().enumerate() {
        shares[i % threads].push(fd);
    }
    let started: Vec<libc::pthread_t> = shares
        .into_iter()
        .filter_map(|share| spawn(move || drop(share), Joined::Yes))
        .collect();
    for tid in started {
        // SAFETY: a joinable thread we started, joined once.
        unsafe { libc::pthread_join(tid, std::ptr::null_mut()) };
    }
}

/// Sets `bridges` down in namespace `ns`, as far as the kernel lets it: nothing is
/// left to tell of an error, and the namespaces are freed all the same.
fn quiet(ns: &OwnedFd, bridges: &[u32]) {
    // setns moves only this thread, and it never goes back: what it still does
    // (closing descriptors) is the same in any network namespace.
    let entered = ns
        .try_clone()
        .and_then(|fd| NetNs::from_fd(fd).set_current());
    if entered.is_err() {
        return;
    }
    for &index in bridges {
        let down = Msg::SetLink(link::set_state(index, false));
        let _ = netlink_blocking::request(down, netlink::CHANGE);
    }
}

#[cfg(test)]
mod tests {
    use crate::kernel::link::{self, LinkSpec};
    use crate::kernel::{netlink, netlink_blocking};
    use netlink_packet_route::link::LinkFlags;
    use netlink_packet_route::RouteNetlinkMessage as Msg;

    /// A request answered, then acknowledged: the blocking socket reads to the ack.
    const ASK: u16 = netlink::CHANGE;

    /// Whether link `index` of the calling thread's namespace is administratively up.
    fn admin_up(index: u32) -> bool {
        let answer =
            netlink_blocking::request(Msg::GetLink(link::get(index)), ASK).expect("RTM_GETLINK");
        answer
            .iter()
            .any(|m| matches!(m, Msg::NewLink(l) if l.header.flags.contains(LinkFlags::Up)))
    }

    #[test]
    fn quiet_sets_every_bridge_down_in_its_namespace() {
        let topology = crate::topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24").unwrap();
        crate::run(&topology, crate::Options::new(), |net| {
            net.node("a").run(|| {
                for (name, index) in [("q0", 40), ("q1", 41)] {
                    let spec = LinkSpec {
                        name,
                        index,
                        mtu: None,
                        master: None,
                    };
                    let made = Msg::NewLink(link::bridge(spec));
                    netlink_blocking::request(made, netlink::CREATE).expect("a bridge");
                    assert!(admin_up(index), "{name} is made up");
                }
                let ns = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
                super::quiet(&ns.into(), &[40, 41]);
                assert!(!admin_up(40) && !admin_up(41), "both bridges are down");
            })
        })
        .unwrap();
    }
}
