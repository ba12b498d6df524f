//! A NAT in the kernel: its table installed (or replaced) in one transaction, its
//! mappings dropped or read, and what a failure report shows of it.
//!
//! The table carries its statement and external address as userdata, so whoever
//! reads the namespace later (the sandbox process, after a failure) finds the NAT's
//! current kind, after `set_kind`, without asking the worker.

use super::ruleset::{self, Ruleset};
use super::sets::DYNAMIC_SETS;
use super::{Setup, TABLE};
use crate::kernel::conntrack::{self, Flow};
use crate::kernel::netns::NetNs;
use crate::kernel::nfnetlink::NfSocket;
use crate::kernel::{nftables, sysctl};
use crate::net::NatMapping;
use crate::topology::Proto;
use std::fmt::Write as _;
use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

/// A NAT as installed: a socket in its router's namespace, its setup and table.
#[derive(Debug)]
pub(crate) struct Installed {
    ns: NetNs,
    sock: NfSocket,
    setup: Setup,
    ruleset: Ruleset,
}

/// Installs `setup` in the router's namespace `ns`: the table in one transaction,
/// then conntrack's UDP timeouts.
pub(crate) fn install(ns: &NetNs, setup: Setup) -> io::Result<Installed> {
    let mut installed = Installed {
        ns: ns.try_clone()?,
        sock: ns.run(NfSocket::open)??,
        ruleset: ruleset::build(&setup),
        setup,
    };
    installed.apply(false)?;
    Ok(installed)
}

impl Installed {
    pub(crate) fn setup(&self) -> &Setup {
        &self.setup
    }

    pub(crate) fn ruleset(&self) -> &Ruleset {
        &self.ruleset
    }

    /// Sends the table (after the old one in the same transaction with `replace`),
    /// then sets conntrack's UDP timeouts: for flows seen one way and both ways, so a
    /// mapping's flows live as long as the mapping.
    fn apply(&mut self, replace: bool) -> io::Result<()> {
        let userdata = format!("{}\n{}", self.setup.nat, self.setup.wan.addr);
        self.sock
            .batch(self.ruleset.messages(replace, userdata.as_bytes()))
            .map_err(|e| io::Error::new(e.kind(), format!("installing the NAT: {e}")))?;
        let secs = self.setup.nat.udp_timeout.as_secs().to_string();
        self.ns.run(|| {
            sysctl::write("net.netfilter.nf_conntrack_udp_timeout", &secs)?;
            sysctl::write("net.netfilter.nf_conntrack_udp_timeout_stream", &secs)
        })?
    }

    /// Replaces the NAT by `setup` in one transaction, and drops every mapping: one
    /// made under the old behaviour would not obey the new one.
    pub(crate) fn replace(&mut self, setup: Setup) -> io::Result<()> {
        self.ruleset = ruleset::build(&setup);
        self.setup = setup;
        self.apply(true)?;
        self.flush()
    }

    /// Drops every mapping, as a reboot of the NAT does: the dynamic maps are emptied
    /// in one transaction, then conntrack's table (the kernel's own NAT bindings).
    /// Forwards stay.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        let msgs = DYNAMIC_SETS
            .iter()
            .filter(|s| self.ruleset.has_set(s))
            .map(|s| (nftables::flush_set(TABLE, s), format!("flush set {s}")))
            .collect();
        self.sock
            .batch(msgs)
            .map_err(|e| io::Error::new(e.kind(), format!("emptying the NAT's maps: {e}")))?;
        conntrack::flush(&mut self.sock)
            .map_err(|e| io::Error::new(e.kind(), format!("flushing conntrack: {e}")))
    }

    /// The current mappings, from the map the packet path keeps (a set dump, tens of
    /// microseconds): cheap enough for assertions in a loop.
    pub(crate) fn mappings(&mut self) -> io::Result<Vec<NatMapping>> {
        mappings(&mut self.sock, self.setup.wan.addr)
    }
}

fn mappings(sock: &mut NfSocket, external: Ipv4Addr) -> io::Result<Vec<NatMapping>> {
    let mut out = Vec::new();
    for reply in sock.dump(nftables::get_elements(TABLE, "inbound"))? {
        for e in nftables::parse_elements(reply.attrs()) {
            // Key: proto, pad, port; data: address, port (register layout).
            let (k, Some(d)) = (&e.key, &e.data) else {
                continue;
            };
            let (Some(&p), Some(port), Some(ip), Some(to)) =
                (k.first(), k.get(4..6), d.get(..4), d.get(4..6))
            else {
                continue;
            };
            let proto = match p {
                17 => Proto::Udp,
                6 => Proto::Tcp,
                _ => continue,
            };
            out.push(NatMapping {
                proto,
                external: SocketAddrV4::new(external, u16::from_be_bytes([port[0], port[1]])),
                internal: SocketAddrV4::new(
                    Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]),
                    u16::from_be_bytes([to[0], to[1]]),
                ),
                expires_in: e.expires_ms.map(Duration::from_millis),
            });
        }
    }
    out.sort_by_key(|m| (m.proto, m.external.port()));
    Ok(out)
}

/// The NAT section of a node's state in a failure report, read through `sock` (a
/// socket in the node's namespace): its statement and external address, its
/// mappings with the remote endpoints of their flows, and conntrack's flows. `None`
/// if the node has no NAT.
pub(crate) fn report(sock: &mut NfSocket) -> Option<String> {
    let table = sock.get(nftables::get_table(TABLE)).ok()?;
    let userdata = nftables::table_userdata(table.attrs())?;
    let userdata = String::from_utf8_lossy(&userdata).into_owned();
    let (statement, addr) = userdata.split_once('\n')?;
    let external: Ipv4Addr = addr.parse().ok()?;
    let mut out = format!("  nat: {statement} (external address {external}; IPv4 only)\n");
    let flows = conntrack::dump(sock);
    match mappings(sock, external) {
        Err(e) => {
            let _ = writeln!(out, "    mappings: unreadable: {e}");
        }
        Ok(ms) if ms.is_empty() => out.push_str("    mappings: (none)\n"),
        Ok(ms) => {
            out.push_str("    mappings:\n");
            for m in ms {
                let remotes = flows.as_deref().map(|f| remotes(f, &m)).unwrap_or_default();
                let _ = write!(out, "      {m}");
                if !remotes.is_empty() {
                    let _ = write!(out, "; flows with {}", remotes.join(", "));
                }
                out.push('\n');
            }
        }
    }
    match flows {
        Err(e) => {
            let _ = writeln!(out, "    conntrack: unreadable: {e}");
        }
        Ok(flows) => {
            out.push_str("    conntrack:\n");
            if flows.is_empty() {
                out.push_str("      (none)\n");
            }
            const SHOWN: usize = 100;
            for f in flows.iter().take(SHOWN) {
                let _ = writeln!(out, "      {f}");
            }
            if flows.len() > SHOWN {
                let _ = writeln!(out, "      ... {} more", flows.len() - SHOWN);
            }
        }
    }
    Some(out)
}

/// The remote endpoints of the flows through mapping `m`: outbound flows (the
/// external endpoint is where replies go) and flows let in to it.
fn remotes(flows: &[Flow], m: &NatMapping) -> Vec<String> {
    flows
        .iter()
        .filter(|f| f.orig.proto == m.proto.number())
        .filter_map(|f| {
            if f.snat() && f.reply.dst == m.external && f.orig.src == m.internal {
                Some(f.orig.dst.to_string())
            } else if f.dnat() && f.orig.dst == m.external {
                Some(f.orig.src.to_string())
            } else {
                None
            }
        })
        .collect()
}
