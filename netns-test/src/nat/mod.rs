//! NATs: the RFC 4787 behaviours of a `nat` statement, built with nf_tables in the
//! router's own namespace, rootless, and read back for assertions and reports.
//!
//! One table, `ip netns_test_nat`, per NAT router. The outside interface is matched
//! by its index (the plan chooses it); everything else of the router is inside.
//!
//! - **Every mapping is recorded from the packet path**, in the dynamic map
//!   `@inbound` (proto . external port → internal address . port), by a filter chain
//!   right after source NAT (postrouting, srcnat + 1): there the packet carries the
//!   external endpoint and conntrack still the internal one. A `nat` chain cannot
//!   record it: it runs for a flow's first packet only, and its `snat` ends it.
//!   Traffic either way keeps a mapping: outbound packets, and inbound packets of
//!   established flows (a filter chain just before `dnat`), as conntrack keeps the
//!   flows themselves, so a mapping and its flows expire together.
//! - **Mapping.** Linux's SNAT keeps a flow's port when free and reuses an endpoint's
//!   mapping for a new remote only until two inside endpoints share a port ("port
//!   overloading" then breaks endpoint independence). So endpoint-independent and
//!   address-dependent mapping look the mapping up in `@outbound` (internal endpoint,
//!   plus the remote address for address-dependent) and `snat` to exactly it; a new
//!   mapping keeps the port only when no mapping or forward holds it. Address-and-port-
//!   dependent mapping is conntrack's own: a new remote endpoint is a new flow.
//! - **Filtering.** Conntrack alone lets only replies in (address-and-port-dependent).
//!   Endpoint-independent filtering `dnat`s inbound packets through `@inbound`;
//!   address-dependent does so when `@contacted` has (external port, sender address).
//! - **Hairpinning**: inside → external address is `dnat`ed through the forwards and
//!   `@inbound`, marked, and given the sender's mapping as source (REQ-9).
//! - **The edges**: from outside only established and `dnat`ed flows reach the inside;
//!   unsolicited UDP/TCP to the router itself is dropped before conntrack records it.
//!
//! `rules` writes one rule (expressions and `nft` text together), `sets` chooses the
//! sets, `ruleset` the whole table of a setup, `table` installs, flushes and reads it
//! in the kernel.

/// One rule: register loads, matches and actions, with its `nft` text.
mod rules;
/// A setup → sets, chains and rules; the installing transaction; the `nft` text.
pub(crate) mod ruleset;
/// The sets and maps a kind needs.
mod sets;
/// A NAT in the kernel: install, replace, flush, mappings, the report's section.
pub(crate) mod table;
#[cfg(test)]
mod tests;

use crate::topology::{Nat, Proto, Topology};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

/// The table of a NAT in its router's namespace.
pub(crate) const TABLE: &str = "netns_test_nat";
/// How long an idle TCP mapping stays in the maps: RFC 5382's 2 h 4 min (conntrack
/// keeps its own, longer, TCP timeouts for the flows).
pub(crate) const TCP_TIMEOUT: Duration = Duration::from_secs(7440);

/// The router's outside interface, as built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wan {
    pub name: String,
    pub index: u32,
    /// The NAT's external address.
    pub addr: Ipv4Addr,
}

/// A static port forward with its target resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PortForward {
    pub proto: Proto,
    pub port: u16,
    pub to: SocketAddrV4,
}

/// Everything a NAT's table is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Setup {
    pub nat: Nat,
    pub wan: Wan,
    pub forwards: Vec<PortForward>,
}

impl Setup {
    /// The setup of `nat` in a validated topology, its outside interface having
    /// index `index`.
    pub(crate) fn new(topo: &Topology, nat: &Nat, index: u32) -> Setup {
        let addr = topo
            .nat_addr(nat)
            .expect("a validated NAT has an external address");
        let forwards = topo
            .forwards_of(nat)
            .map(|f| PortForward {
                proto: f.proto,
                port: f.port,
                to: SocketAddrV4::new(
                    topo.forward_addr(f)
                        .expect("a validated forward has a target"),
                    f.to_port,
                ),
            })
            .collect();
        Setup {
            nat: nat.clone(),
            wan: Wan {
                name: nat.iface.clone(),
                index,
                addr,
            },
            forwards,
        }
    }
}
