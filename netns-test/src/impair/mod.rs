//! Link impairments without netem: a relay in user space that every impaired link is
//! spliced through, on any kernel, rootless, with decisions reproducible by seed.
//!
//! An impaired link `a — b` is built as two veth pairs through one relay namespace
//! per sandbox: `a:eth0 — relay:x … relay:y — b:eth0`. The nodes get the interfaces,
//! names, indexes, addresses they get without impairments; ARP and neighbour
//! discovery are real (a's neighbour entry for b has b's MAC); the relay namespace has
//! no address and IPv6 off, so it emits nothing. The relay thread reads each relay
//! end's frames (AF_PACKET, [`crate::kernel::packet`]), decides their fate
//! ([`schedule`], [`model`], keyed by [`key`]) and writes them out of the other end.
//! Links without impairments keep the plain veth pair: no namespace, thread or socket
//! exists unless some link is impaired.
//!
//! The modules, in the order a frame meets them: [`relay`] reads it, [`gso`] splits
//! a super-frame when a decision is per wire frame, [`key`] says what it is,
//! [`model`] draws, [`schedule`] queues it until it is due.

/// What the relay counted, per direction.
mod counters;
/// The relay thread's loop.
mod engine;
/// User-space segmentation and checksum completion.
mod gso;
/// Run-invariant content keys and occurrence counts.
mod key;
/// Parameters of one direction, the random draws.
pub(crate) mod model;
/// The relay thread.
pub(crate) mod relay;
/// One direction's decisions and queue over a clock.
pub mod schedule;
/// The relay namespace, its sockets and the splice of one link.
pub(crate) mod splice;

pub use schedule::Counters;
pub(crate) use splice::Impairer;

use siphasher::sip::SipHasher13;
use std::hash::Hasher;

/// A stable 64-bit hash of `text`: the same in every run, on every machine.
pub(crate) fn stable_hash(text: &str) -> u64 {
    let mut h = SipHasher13::new_with_keys(0x6e65_746e_735f_7465, 0x7374_5f73_6565_6421);
    h.write(text.as_bytes());
    h.finish()
}

/// One direction's counters as a line of a report.
pub(crate) fn describe(c: &Counters) -> String {
    let mut s = format!(
        "{} frames decided ({} background apart), {} lost, {} duplicated, {} reordered, \
         {} corrupted, {} sent",
        c.decided, c.background, c.lost, c.duplicated, c.reordered, c.corrupted, c.sent
    );
    for (n, what) in [
        (
            c.kernel_drops,
            "dropped by the kernel before the relay read them",
        ),
        (c.overlimit, "over the limit"),
        (c.send_errors, "refused by the receiving end"),
        (c.late, "sent more than 1 ms late"),
    ] {
        if n > 0 {
            s.push_str(&format!("; {n} {what}"));
        }
    }
    s
}
