//! Neighbour tables (IPv4 ARP and IPv6 ND) read over rtnetlink.

use futures::TryStreamExt;
use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
};
use std::fmt;
use std::net::IpAddr;

/// One entry of a node's neighbour table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// The neighbour's address.
    pub ip: IpAddr,
    /// None while the entry is unresolved (INCOMPLETE, FAILED).
    pub mac: Option<[u8; 6]>,
    /// The entry's state (`REACHABLE`, `STALE`, ...).
    pub state: NeighbourStateName,
    /// The interface index the entry belongs to.
    pub ifindex: u32,
    /// The interface name, when the node knows it.
    pub iface: String,
}

/// A neighbour state as `ip neigh` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighbourStateName {
    /// Being resolved: a request went out, no answer yet.
    Incomplete,
    /// Resolved and recently confirmed.
    Reachable,
    /// Resolved, not confirmed lately; still used.
    Stale,
    /// Used, waiting for a confirmation before probing.
    Delay,
    /// Being confirmed by unicast probes.
    Probe,
    /// Resolution failed.
    Failed,
    /// No resolution needed (point-to-point or loopback).
    Noarp,
    /// Set by hand; never expires.
    Permanent,
    /// No state (an entry the kernel reports without one).
    None,
}

impl NeighbourStateName {
    /// REACHABLE, STALE, DELAY, PROBE or PERMANENT: the kernel will use the mapping.
    pub fn is_usable(self) -> bool {
        use NeighbourStateName::*;
        matches!(self, Reachable | Stale | Delay | Probe | Permanent)
    }
}

impl fmt::Display for NeighbourStateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use NeighbourStateName::*;
        f.write_str(match self {
            Incomplete => "INCOMPLETE",
            Reachable => "REACHABLE",
            Stale => "STALE",
            Delay => "DELAY",
            Probe => "PROBE",
            Failed => "FAILED",
            Noarp => "NOARP",
            Permanent => "PERMANENT",
            None => "NONE",
        })
    }
}

impl From<NeighbourState> for NeighbourStateName {
    fn from(s: NeighbourState) -> Self {
        use NeighbourStateName as N;
        match s {
            NeighbourState::Incomplete => N::Incomplete,
            NeighbourState::Reachable => N::Reachable,
            NeighbourState::Stale => N::Stale,
            NeighbourState::Delay => N::Delay,
            NeighbourState::Probe => N::Probe,
            NeighbourState::Failed => N::Failed,
            NeighbourState::Noarp => N::Noarp,
            NeighbourState::Permanent => N::Permanent,
            _ => N::None,
        }
    }
}

impl fmt::Display for Neighbour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} dev {}", self.ip, self.iface)?;
        if let Some(mac) = &self.mac {
            write!(f, " lladdr {}", crate::report::mac(mac))?;
        }
        write!(f, " {}", self.state)
    }
}

/// Reads the whole neighbour table (both families) through `handle`.
pub(crate) async fn dump(
    handle: &rtnetlink::Handle,
    name_of: impl Fn(u32) -> String,
) -> Result<Vec<Neighbour>, String> {
    let msgs: Vec<NeighbourMessage> = handle
        .neighbours()
        .get()
        .execute()
        .try_collect()
        .await
        .map_err(|e| format!("reading the neighbour table: {e}"))?;
    Ok(msgs.iter().filter_map(|m| parse(m, &name_of)).collect())
}

fn parse(m: &NeighbourMessage, name_of: &impl Fn(u32) -> String) -> Option<Neighbour> {
    let mut ip = None;
    let mut mac = None;
    for attr in &m.attributes {
        match attr {
            NeighbourAttribute::Destination(NeighbourAddress::Inet(a)) => ip = Some(IpAddr::V4(*a)),
            NeighbourAttribute::Destination(NeighbourAddress::Inet6(a)) => {
                ip = Some(IpAddr::V6(*a))
            }
            NeighbourAttribute::LinkLayerAddress(l) if l.len() == 6 => {
                let mut m6 = [0u8; 6];
                m6.copy_from_slice(l);
                mac = Some(m6);
            }
            _ => {}
        }
    }
    let ip = ip?;
    // Multicast and link-local ND entries are the kernel's own business.
    if ip.is_multicast() {
        return None;
    }
    Some(Neighbour {
        ip,
        mac,
        state: m.header.state.into(),
        ifindex: m.header.ifindex,
        iface: name_of(m.header.ifindex),
    })
}
