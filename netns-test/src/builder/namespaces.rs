//! The nodes' namespaces, made while the builder links the ones already there.
//!
//! Making a namespace is mostly the kernel initialising its subsystems (sysctl tables
//! above all), which runs beside other work; making links runs under the kernel's
//! rtnl lock, one request at a time. So helper threads (one per core but one) make
//! namespaces in topology order while the builder's thread links and configures those
//! that exist. When the builder needs one that no helper has started, it makes it
//! itself: a two-node topology gets both of its namespaces made at once.

use super::host_defaults::{self, ADDR_GEN_MODE};
use super::plan::{Kind, Plan, FIRST};
use super::Hooks;
use crate::forensics::capture;
use crate::kernel::link::{highest_index, lo_up, occupy_low_indexes};
use crate::kernel::netns::NetNs;
use crate::kernel::sysctl;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// What a namespace needs right after it is made, before any link appears in it.
#[derive(Debug)]
struct Setup {
    name: String,
    forward: bool,
    bridge: bool,
    /// Whether any of its links has an IPv6 address (`prepare` says why it matters).
    ipv6: bool,
    sysctls: Vec<(String, String)>,
    /// The indexes of its veth ends as planned (from `plan::FIRST`), when capture
    /// is on and it has some.
    capture: Option<Vec<u32>>,
    /// The machine's defaults that differ from the kernel's, to set back first.
    fixes: Arc<Vec<(&'static str, &'static str)>>,
    hooks: Hooks,
}

/// A namespace made and prepared, and its capture socket, opened inside it before any
/// link exists.
#[derive(Debug)]
pub(crate) struct Made {
    pub ns: NetNs,
    pub capture: Option<OwnedFd>,
    /// The index its first planned link gets: above every link it started with.
    pub base: u32,
}

/// A namespace a helper finished: its plan position and the namespace, or why not.
type Arrival = (usize, Result<Made, String>);

#[derive(Debug)]
/// Makes the plan's namespaces ahead of the builder, on helper threads.
pub(crate) struct Factory {
    setups: Arc<Vec<Setup>>,
    /// The next namespace nobody has started: helpers and the builder take from it.
    next: Arc<AtomicUsize>,
    home: NetNs,
    made: Vec<Option<Result<Made, String>>>,
    arrivals: mpsc::UnboundedReceiver<Arrival>,
}

impl Factory {
    /// Starts making the plan's namespaces; `home` (the calling thread's namespace)
    /// is the first, `host`. With `capture`, each namespace with veth ends gets its
    /// capture socket as it is made.
    pub(crate) fn start(
        plan: &Plan,
        home: &NetNs,
        capture: bool,
        hooks: Hooks,
    ) -> Result<Factory, String> {
        // What a new namespace inherits here, read in the sandbox's own (a new one,
        // the calling thread's), before the helpers make the others.
        if hooks.hostile_defaults {
            host_defaults::make_hostile().map_err(|e| format!("a test hook: {e}"))?;
        }
        let fixes = Arc::new(host_defaults::differing());
        let setups: Arc<Vec<Setup>> = Arc::new(
            plan.spaces
                .iter()
                .map(|s| Setup {
                    name: s.name.clone(),
                    forward: s.forward,
                    bridge: s.bridges().next().is_some(),
                    ipv6: s.has_ipv6(),
                    sysctls: s.sysctls.clone(),
                    capture: capture
                        .then(|| {
                            s.ifaces
                                .iter()
                                .filter(|i| matches!(i.kind, Kind::Veth { .. }))
                                .map(|i| i.index)
                                .collect::<Vec<u32>>()
                        })
                        .filter(|ends| !ends.is_empty()),
                    fixes: fixes.clone(),
                    hooks,
                })
                .collect(),
        );
        let clone = || {
            home.try_clone()
                .map_err(|e| format!("holding the sandbox's namespace: {e}"))
        };
        let next = Arc::new(AtomicUsize::new(1));
        let (tx, arrivals) = mpsc::unbounded_channel();
        let helpers = (cores() - 1).min(setups.len().saturating_sub(2));
        for _ in 0..helpers {
            let (setups, next, tx, home) = (setups.clone(), next.clone(), tx.clone(), clone()?);
            std::thread::Builder::new()
                .name("netns-test-ns".into())
                .spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= setups.len() || tx.send((i, make(&setups[i], &home))).is_err() {
                        return;
                    }
                })
                .map_err(|e| format!("starting a thread to make namespaces: {e}"))?;
        }
        // The helpers are on their way: now the sandbox's own namespace.
        let host = clone()?;
        let (host_capture, base) = host
            .run(|| {
                take_low_indexes(&setups[0])?;
                prepare(&setups[0])?;
                let base = first_free_index()?;
                Ok((open_capture(&setups[0], base)?, base))
            })
            .and_then(|r| r)
            .map_err(|e: std::io::Error| format!("building node {}: {e}", setups[0].name))?;
        let mut made: Vec<Option<Result<Made, String>>> = (0..setups.len()).map(|_| None).collect();
        made[0] = Some(Ok(Made {
            ns: host,
            capture: host_capture,
            base,
        }));
        Ok(Factory {
            setups,
            next,
            home: clone()?,
            made,
            arrivals,
        })
    }

    /// Namespace `k` of the plan, made by a helper, or here if none has started it.
    pub(crate) async fn take(&mut self, k: usize) -> Result<Made, String> {
        loop {
            if let Some(ns) = self.made[k].take() {
                return ns;
            }
            while let Ok((i, ns)) = self.arrivals.try_recv() {
                self.made[i] = Some(ns);
            }
            if self.made[k].is_some() {
                continue;
            }
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i < self.setups.len() {
                self.made[i] = Some(make(&self.setups[i], &self.home));
                continue;
            }
            // A helper is making it.
            match self.arrivals.recv().await {
                Some((i, ns)) => self.made[i] = Some(ns),
                None => return Err("the threads making namespaces stopped early".into()),
            }
        }
    }
}

impl Drop for Factory {
    /// A build that failed stops the helpers after the namespace each is making.
    fn drop(&mut self) {
        self.next.store(usize::MAX / 2, Ordering::Relaxed);
    }
}

/// The cores this process may use (cgroup quotas included). Read once per process:
/// the test process reads it before it forks (`run_timed`), so sandboxes find it.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A new namespace, prepared; the calling thread is back in `home` afterwards.
fn make(setup: &Setup, home: &NetNs) -> Result<Made, String> {
    let mut capture = None;
    let mut base = FIRST;
    NetNs::create(home, || {
        if setup.hooks.hostile_defaults {
            host_defaults::make_hostile()?;
        }
        take_low_indexes(setup)?;
        prepare(setup)?;
        // `lo` comes up here, with one system call (the sandbox's own is up already).
        lo_up().map_err(|e| std::io::Error::new(e.kind(), format!("setting lo up: {e}")))?;
        base = first_free_index()?;
        capture = open_capture(setup, base)?;
        Ok(())
    })
    .map(|ns| Made { ns, capture, base })
    .map_err(|e| {
        format!(
            "building node {}: setting up its network namespace: {e}",
            setup.name
        )
    })
}

/// The index above every link the calling thread's namespace holds (from `FIRST`).
fn first_free_index() -> std::io::Result<u32> {
    let highest = highest_index()
        .map_err(|e| std::io::Error::new(e.kind(), format!("listing its links: {e}")))?;
    Ok((highest + 1).max(FIRST))
}

/// Test-only: the low indexes taken first, as on a host with tunnel modules.
fn take_low_indexes(setup: &Setup) -> std::io::Result<()> {
    if setup.hooks.occupy == 0 {
        return Ok(());
    }
    occupy_low_indexes(setup.hooks.occupy).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("occupying low indexes (a test hook): {e}"),
        )
    })
}

/// The capture socket of the namespace the calling thread is in, if it captures; its
/// links' indexes start at `base`.
fn open_capture(setup: &Setup, base: u32) -> std::io::Result<Option<OwnedFd>> {
    match &setup.capture {
        Some(planned) => {
            let ends: Vec<u32> = planned.iter().map(|i| i - FIRST + base).collect();
            capture::open(&ends, setup.bridge).map(Some).map_err(|e| {
                std::io::Error::new(e.kind(), format!("opening its capture socket: {e}"))
            })
        }
        None => Ok(None),
    }
}

/// The sysctls of the namespace the calling thread is in. They go first: they must
/// hold before any link appears.
fn prepare(setup: &Setup) -> std::io::Result<()> {
    for (key, value) in setup.fixes.iter() {
        sysctl::write(key, value)?;
    }
    let has_ipv6 = || std::path::Path::new("/proc/sys/net/ipv6").exists();
    if setup.ipv6 && has_ipv6() {
        // Its addresses are usable at once: nobody else on a sandbox's links can
        // hold them (the topology's addresses are checked for duplicates).
        sysctl::write("net.ipv6.conf.all.accept_dad", "0")?;
        sysctl::write("net.ipv6.conf.default.accept_dad", "0")?;
    }
    // Link-local addresses where it has IPv6 addresses, none where it has none (IPv6
    // stays on). Each link-local address joins a multicast group, and the MLD report
    // saying so is flooded out of every port of a bridge: N reports on an N-port
    // bridge, each delivered to (and captured by) N-1 nodes, the part of a star's
    // cost that grew as N². Set here whatever the namespace started with: the
    // machine's default (`devconf_inherit_init_net`), or the sandbox's own when new
    // namespaces copy the one that makes them. A node's own sysctl, written after
    // this, can ask for them back. Kernels before 4.11 have no such sysctl.
    let wanted = if setup.ipv6 { "0" } else { "1" };
    if sysctl::read(ADDR_GEN_MODE).is_ok_and(|mode| mode != wanted) {
        sysctl::write(ADDR_GEN_MODE, wanted)?;
    }
    // With br_netfilter loaded on the host (Docker loads it), every bridged frame
    // goes through the netfilter hooks of a new namespace by default; without it, none
    // does. A sandbox's bridges behave the same on both machines: plain bridges (a
    // node's `sysctl` can turn the hooks back on). On a 128-port bridge the hooks
    // were a tenth of the CPU time of a build and its checks.
    if setup.bridge && std::path::Path::new("/proc/sys/net/bridge").exists() {
        for table in ["iptables", "ip6tables", "arptables"] {
            sysctl::write(&format!("net.bridge.bridge-nf-call-{table}"), "0")?;
        }
    }
    if setup.forward {
        sysctl::write("net.ipv4.ip_forward", "1")?;
        if has_ipv6() {
            sysctl::write("net.ipv6.conf.all.forwarding", "1")?;
        }
    }
    for (key, value) in &setup.sysctls {
        sysctl::write(key, value)?;
    }
    Ok(())
}
