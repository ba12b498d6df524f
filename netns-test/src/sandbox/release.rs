//! The sandbox process's last act: letting go of every capture socket, then of every
//! namespace in one go, so that the kernel frees the whole sandbox in one batch.
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

/// Before `End`: lets this process outlive the test's thread.
pub(super) fn detach() {
    // SAFETY: prctl with an integer argument; 0 clears the parent-death signal.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, 0) };
}

/// After `End`: closes every capture socket of `held`, then every namespace.
pub(super) fn release(held: Vec<Held>) {
    let mut namespaces = Vec::with_capacity(held.len());
    for h in held {
        drop(h.capture);
        namespaces.push(h.ns);
    }
    drop(namespaces);
}
