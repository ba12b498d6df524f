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
//! Before that, every bridge is set down. Closing the sockets one grace period apart
//! takes a while (two seconds for a 256-node star), and the namespaces live on until
//! the last: their IPv6 link-local chatter goes on (router solicitations, MLD
//! reports), and a bridge floods every such frame to all its ports, N² frames that
//! every capture socket copies. That work landed in the next tests: after a 256-node
//! star it was three times the CPU time of freeing the whole sandbox. A bridge that is
//! down drops what reaches its ports (`br_handle_frame` in a disabled port state).
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
//! The sockets cannot be closed from threads of our own, so that their grace periods
//! overlap: this process unshared a PID namespace for its worker, and the kernel
//! refuses `CLONE_THREAD` to a process whose children go to another PID namespace
//! (EINVAL), nor can it fork once the worker, that namespace's init, is gone.

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

/// After `End`: sets every bridge down, closes every capture socket of `held`, then
/// every namespace.
pub(super) fn release(held: Vec<Held>) {
    for h in held.iter().filter(|h| !h.bridges.is_empty()) {
        quiet(&h.ns, &h.bridges);
    }
    let mut namespaces = Vec::with_capacity(held.len());
    for h in held {
        drop(h.capture);
        namespaces.push(h.ns);
    }
    drop(namespaces);
}

/// Sets `bridges` down in namespace `ns`, as far as the kernel lets it: nothing is
/// left to tell of an error, and the namespaces are freed all the same.
fn quiet(ns: &OwnedFd, bridges: &[u32]) {
    // This process has one thread and never goes back: what it still does (closing
    // descriptors) is the same in any network namespace.
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
