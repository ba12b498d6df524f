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
//! The sockets cannot be closed from threads of our own, so that their grace periods
//! overlap: this process unshared a PID namespace for its worker, and the kernel
//! refuses `CLONE_THREAD` to a process whose children go to another PID namespace
//! (EINVAL), nor can it fork once the worker, that namespace's init, is gone.

use super::vault::Held;

/// Closes every capture socket of `held`, then every namespace.
pub(super) fn release(held: Vec<Held>) {
    let mut namespaces = Vec::with_capacity(held.len());
    for h in held {
        drop(h.capture);
        namespaces.push(h.ns);
    }
    drop(namespaces);
}
