//! Test hooks: what some machines give every new namespace, made by the builder on
//! purpose, and a relay that starts as late as on a loaded machine. Hidden from the
//! docs: the suite's own tests set them to meet those machines on this one.

use super::Options;
use std::time::Duration;

/// The hooks a run was given. Plain data, here so that `Options` is the same on every
/// OS.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hooks {
    /// Veth pairs made first, taking the low indexes (as fallback tunnels do).
    pub occupy: u32,
    /// Forwarding, strict reverse-path filtering, proxy ARP and IPv6 off, as a new
    /// namespace inherits them on some machines (`builder::host_defaults`).
    pub hostile_defaults: bool,
    /// The relay thread waits this long before its loop, as on a loaded machine.
    pub relay_late: Duration,
}

impl Options {
    /// Test hook: every namespace of the sandbox gets `pairs` veth pairs before the
    /// topology's links, at indexes the kernel picks, as hosts with the ipip, sit, gre
    /// or ip6_tunnel modules give every new namespace its fallback tunnels at indexes
    /// 2 and up. `NETNS_TEST_OCCUPY_LOW_INDEXES=N` sets it for every test.
    #[doc(hidden)]
    pub fn occupy_low_indexes(mut self, pairs: u32) -> Self {
        self.hooks.occupy = pairs;
        self
    }

    /// Test hook: every namespace of the sandbox starts with IPv4 and IPv6
    /// forwarding on, strict reverse-path filtering, proxy ARP, IPv6 disabled and no
    /// link-local addresses (`addr_gen_mode` 1), as new namespaces inherit them on
    /// some machines (`net.core.devconf_inherit_init_net` and the initial namespace's
    /// settings).
    #[doc(hidden)]
    pub fn inherit_hostile_defaults(mut self) -> Self {
        self.hooks.hostile_defaults = true;
        self
    }

    /// Test hook: the impairment relay's thread waits `by` before it reads anything,
    /// as it waits for a CPU on a loaded machine: the first frames across the splice
    /// are in its sockets' rings, behind errors the kernel left there, when it starts.
    #[doc(hidden)]
    pub fn relay_starts_late(mut self, by: Duration) -> Self {
        self.hooks.relay_late = by;
        self
    }
}
