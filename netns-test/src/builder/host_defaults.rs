//! The sysctls a new namespace may inherit from the machine, set back to the
//! kernel's own defaults, so a sandbox behaves the same on every machine.
//!
//! A new network namespace copies the IPv4 settings of `conf/all` and `conf/default`
//! from the machine's initial namespace (and the IPv6 ones too when
//! `net.core.devconf_inherit_init_net` is 1 or 3). So on a Docker or Kubernetes host
//! (`ip_forward` = 1) every node would route, and an isolation through a node
//! without `forward` would not hold; on a host with strict reverse-path filtering
//! (`rp_filter` = 1, common on RHEL), asymmetric routes would drop; with
//! `disable_ipv6` = 1 inherited, no IPv6 address could be added. (Whether links get
//! link-local addresses, `addr_gen_mode`, every namespace sets for itself:
//! `namespaces::prepare`.) The sandbox's own
//! namespace is a new one made the same way: what it holds is what every node
//! inherits, so it is read there, once, and what differs is written in every
//! namespace before its links exist (nothing is written on a machine with the
//! defaults). A node's `forward` and `sysctl` come after and win.

use crate::kernel::sysctl;

/// The settings that change what reaches what, and the kernel's defaults for them.
const KERNEL_DEFAULTS: [(&str, &str); 9] = [
    ("net.ipv4.conf.all.forwarding", "0"),
    ("net.ipv4.conf.default.forwarding", "0"),
    ("net.ipv4.conf.all.rp_filter", "0"),
    ("net.ipv4.conf.default.rp_filter", "0"),
    ("net.ipv4.conf.all.proxy_arp", "0"),
    ("net.ipv6.conf.all.disable_ipv6", "0"),
    ("net.ipv6.conf.default.disable_ipv6", "0"),
    ("net.ipv6.conf.all.forwarding", "0"),
    ("net.ipv6.conf.default.forwarding", "0"),
];

/// The defaults the calling thread's namespace does not have (IPv6 ones only where
/// the kernel has IPv6).
pub(super) fn differing() -> Vec<(&'static str, &'static str)> {
    KERNEL_DEFAULTS
        .into_iter()
        .filter(|(key, value)| sysctl::read(key).is_ok_and(|got| got != *value))
        .collect()
}

/// Test-only: the calling thread's namespace gets what a namespace inherits on a
/// machine that routes, filters reverse paths strictly, turned IPv6 off and makes no
/// link-local addresses.
pub(super) fn make_hostile() -> std::io::Result<()> {
    for (key, value) in KERNEL_DEFAULTS {
        let hostile = match (key.contains("rp_filter"), value) {
            (true, _) => "1",
            (false, "0") => "1",
            _ => continue,
        };
        if sysctl::read(key).is_ok() {
            sysctl::write(key, hostile)?;
        }
    }
    if sysctl::read(ADDR_GEN_MODE).is_ok() {
        sysctl::write(ADDR_GEN_MODE, "1")?;
    }
    Ok(())
}

/// Whether a namespace's new links get link-local addresses (0: from the MAC
/// address, the kernel's default; 1: none).
pub(super) const ADDR_GEN_MODE: &str = "net.ipv6.conf.default.addr_gen_mode";
