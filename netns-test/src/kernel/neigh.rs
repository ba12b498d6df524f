//! Neighbour entries: the RTM_NEWNEIGH that makes the kernel confirm a mapping with a
//! unicast probe, and the RTM_DELNEIGH that gives an entry back (tables are read in
//! `probe::neigh`).

use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
};
use netlink_packet_route::AddressFamily;
use std::net::IpAddr;

/// An entry for `ip` on link `index`, believed to be at `mac`, in state PROBE.
///
/// The kernel treats it as it treats an entry it re-confirms: on its next timer tick
/// it sends an ARP request (IPv6: a neighbour solicitation) to `mac` itself rather
/// than to everyone, and the entry becomes REACHABLE only when the owner of `ip`
/// answers, with the MAC it answers from. Up to three probes, a second apart, then
/// FAILED. Sent with NLM_F_EXCL (`netlink::CREATE`): an entry that exists is left as
/// it is.
pub(crate) fn probe(index: u32, ip: IpAddr, mac: [u8; 6]) -> NeighbourMessage {
    let mut m = entry(index, ip);
    m.header.state = NeighbourState::Probe;
    m.attributes
        .push(NeighbourAttribute::LinkLayerAddress(mac.to_vec()));
    m
}

/// The entry for `ip` on link `index`, to delete with RTM_DELNEIGH.
pub(crate) fn entry(index: u32, ip: IpAddr) -> NeighbourMessage {
    let mut m = NeighbourMessage::default();
    m.header.family = match ip {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    };
    m.header.ifindex = index;
    let destination = match ip {
        IpAddr::V4(a) => NeighbourAddress::Inet(a),
        IpAddr::V6(a) => NeighbourAddress::Inet6(a),
    };
    m.attributes
        .push(NeighbourAttribute::Destination(destination));
    m
}
