//! `net.nat("r1")`: a NAT from the body. Read its mappings, drop them all (a reboot
//! of the NAT), or give it another kind, while the test runs.

use super::NatMapping;
use super::Net;
use crate::kernel::backoff::Backoff;
use crate::nat::table::Installed;
use crate::nat::Setup;
use crate::topology::{Nat, NatKind};
use std::net::Ipv4Addr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A NAT of the topology, as its router holds it.
#[derive(Debug)]
pub(crate) struct NatEntry {
    pub router: String,
    pub installed: Mutex<Installed>,
}

/// The NAT of one router, to read and change from the body. Every call returns once
/// the kernel has done it; a kernel error panics with what failed.
#[derive(Debug)]
pub struct NatControl<'a> {
    net: &'a Net,
    entry: &'a NatEntry,
}

impl Net {
    /// The NAT on router `router`. Panics, listing the NAT routers, if it has none
    /// ([`Net::try_nat`] returns it instead).
    #[track_caller]
    pub fn nat(&self, router: &str) -> NatControl<'_> {
        match self.try_nat(router) {
            Ok(nat) => nat,
            Err(e) => panic!("{e}"),
        }
    }
}

impl<'a> NatControl<'a> {
    pub(super) fn new(net: &'a Net, entry: &'a NatEntry) -> NatControl<'a> {
        NatControl { net, entry }
    }
}

impl NatControl<'_> {
    fn lock(&self) -> MutexGuard<'_, Installed> {
        // A panic while holding it left the kernel state as it was: go on.
        self.entry
            .installed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The router's name.
    pub fn router(&self) -> &str {
        &self.entry.router
    }

    /// The NAT's external address (the first IPv4 address of its outside interface).
    pub fn external_addr(&self) -> Ipv4Addr {
        self.lock().setup().wan.addr
    }

    /// The NAT as it is now: its statement, with the kind `set_kind` gave it.
    pub fn config(&self) -> Nat {
        self.lock().setup().nat.clone()
    }

    /// The NAT's table in `nft` syntax, as `nft list table ip netns_test_nat` run in
    /// the router shows it: what the NAT does, rule by rule.
    pub fn ruleset(&self) -> String {
        self.lock().ruleset().text()
    }

    /// Every mapping the NAT holds now (not the static forwards), by protocol and
    /// external port: a dump of the map the packet path keeps, tens of microseconds.
    #[track_caller]
    pub fn mappings(&self) -> Vec<NatMapping> {
        self.lock()
            .mappings()
            .unwrap_or_else(|e| panic!("reading the mappings of the NAT on {}: {e}", self.router()))
    }

    /// Waits until the NAT's mappings satisfy `done` (asking the kernel again with a
    /// growing pause, from microseconds to 2 ms), for at most `within`: to see a
    /// mapping expire after `udp-timeout`, say. Returns the mappings that satisfied
    /// it; panics with the last ones if none did in time.
    #[track_caller]
    pub fn wait_until(
        &self,
        within: Duration,
        mut done: impl FnMut(&[NatMapping]) -> bool,
    ) -> Vec<NatMapping> {
        let deadline = Instant::now() + within;
        let mut backoff = Backoff::new(Duration::from_micros(50), deadline);
        loop {
            let now = self.mappings();
            if done(&now) {
                return now;
            }
            if !self.net.block(backoff.pause()) {
                let list: Vec<String> = now.iter().map(|m| m.to_string()).collect();
                panic!(
                    "the mappings of the NAT on {} did not get there within {within:?}; \
                     they are: [{}]",
                    self.router(),
                    list.join("; ")
                );
            }
        }
    }

    /// Drops every mapping, as a reboot of the NAT does: established flows through it
    /// stop, the next outbound packet makes a new mapping. Forwards stay.
    #[track_caller]
    pub fn flush(&self) {
        self.lock()
            .flush()
            .unwrap_or_else(|e| panic!("flushing the NAT on {}: {e}", self.router()))
    }

    /// Gives the NAT another kind (mapping and filtering behaviour), keeping its
    /// options, in one transaction; its mappings are dropped (`flush`), since those
    /// made under the old kind would not obey the new one.
    #[track_caller]
    pub fn set_kind(&self, kind: NatKind) {
        let mut nat = self.config();
        nat.kind = kind;
        self.configure(nat);
    }

    /// Replaces the NAT's kind and options by `nat`'s (its router and interface must
    /// be this NAT's), as [`NatControl::set_kind`] does.
    #[track_caller]
    pub fn configure(&self, nat: Nat) {
        let mut installed = self.lock();
        let old = installed.setup().clone();
        assert!(
            nat.router == old.nat.router && nat.iface == old.nat.iface,
            "configure: the NAT on {}:{} cannot become {nat}",
            old.nat.router,
            old.nat.iface
        );
        let setup = Setup { nat, ..old };
        installed
            .replace(setup)
            .unwrap_or_else(|e| panic!("changing the NAT on {}: {e}", self.entry.router));
    }
}
