//! Neighbour tables (IPv4 ARP and IPv6 ND) read over rtnetlink.

use super::{Neighbour, NeighbourStateName};
use futures::TryStreamExt;
use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
};
use std::net::IpAddr;

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
