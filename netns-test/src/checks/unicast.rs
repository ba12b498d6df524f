//! Members introduce themselves to their hub without a broadcast.
//!
//! A first contact on a bridge starts with an ARP request (IPv6: a neighbour
//! solicitation to a multicast group every port may have joined) that the bridge
//! floods to all N ports: one per member is N² frames, which made the checks of a
//! 256-node star cost 3.7 times those of a 128-node one. Instead, each member is given
//! an entry for the hub's address in state PROBE, with the MAC the hub's link has: its
//! kernel then sends its ARP request (or solicitation) to that MAC alone, as it does
//! when it re-confirms an entry. The hub's kernel answers it, which makes the member's
//! entry REACHABLE with the MAC the hub answered from. Nothing is assumed: a hub that
//! does not answer leaves the entry in PROBE and then FAILED, and the judge requires
//! REACHABLE (`probes::judge`).
//!
//! The hub must learn the member too, or its echo reply would start with a multicast
//! solicitation. IPv4's ARP request carries the member's address, and the hub learns
//! it from the request. IPv6's re-confirming solicitation does not: the kernel sends
//! it from the member's link-local address, so the hub learned `fe80::…` and every
//! IPv6 star waited a second for an entry that never came. So for IPv6 the hub is
//! given a PROBE entry for each member as well, and only the member's answer (from its
//! MAC) makes it REACHABLE: the same proof, in the other direction.
//!
//! Once judged, the entries on both sides are deleted again (`release`). The kernel's
//! neighbour table is one for the whole machine (1024 entries per family by default,
//! `gc_thresh3`, settable only by the host's root), and the checks of an N-member
//! segment fill 2(N−1) of it: the hub's N−1 and one per member. A namespace's entries
//! are counted until the kernel has finished freeing it, after the sandbox is gone;
//! so two 256-member stars back to back (a suite, or a test after another) overflowed
//! the table, and the second one's hub could not answer a third of its members.
//! Deleted by the checks, they are freed at once, and a run leaves almost none for
//! the next.

use super::segments::{LinkEnd, ToHub};
use crate::kernel::backoff::Backoff;
use crate::kernel::neigh;
use crate::kernel::netlink::{self, CHANGE, CREATE};
use crate::net::Net;
use crate::probe::NeighbourStateName;
use futures::future::join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How long the introductions may take: the kernel sends its probe at its next timer
/// tick (4 ms at HZ=250); after this the pings go on regardless and show what is
/// wrong.
const HEARD_WITHIN: Duration = Duration::from_secs(1);

/// The entries the introductions made, as (node, address): the ones that must end
/// REACHABLE (`probes::judge`) and that passing checks delete (`release`).
pub(super) type Seeded = HashSet<(usize, IpAddr)>;

/// An entry the introductions make: `at` believes `of`'s address is at `of`'s MAC,
/// and its kernel asks that MAC alone; then the wait reads `until` in `watch`'s table.
#[derive(Debug, Clone, Copy)]
struct Seed {
    at: LinkEnd,
    of: LinkEnd,
    /// The table that shows the introduction answered, and for which address.
    watch: (usize, IpAddr),
    until: Until,
}

/// What the wait waits for in a node's table.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Until {
    /// An entry for the address with a MAC (the hub learned an IPv4 member from its
    /// ARP request).
    Mapped,
    /// The seeded entry has left PROBE: answered (REACHABLE) or given up (FAILED).
    Answered,
}

/// Seeds each member's entry for its hub (and for IPv6 the hub's entry for the
/// member) and waits until every introduction is answered.
///
/// A node that already has an entry (the body's, or one learned from the hub's
/// broadcast) keeps it untouched: the request is NLM_F_EXCL, and the ping then goes
/// out the way that entry sends it. So does one whose seeding the kernel refused for
/// another reason (a full table, say): the ping and the judge tell whether it reaches
/// its hub.
pub(super) async fn introduce(net: &Net, members: &[ToHub]) -> Seeded {
    let mut seeds = Vec::new();
    for ToHub { member, hub, .. } in members {
        let (member, hub) = (*member, *hub);
        if member.ip.is_ipv4() {
            let watch = (hub.node, member.ip);
            seeds.push(Seed {
                at: member,
                of: hub,
                watch,
                until: Until::Mapped,
            });
        } else {
            for (at, of) in [(member, hub), (hub, member)] {
                let watch = (at.node, of.ip);
                seeds.push(Seed {
                    at,
                    of,
                    watch,
                    until: Until::Answered,
                });
            }
        }
    }
    let made = join_all(seeds.iter().map(|s| {
        let msg = Msg::NewNeighbour(neigh::probe(s.at.index, s.of.ip, s.of.mac));
        netlink::request(net.nodes()[s.at.node].rtnl(), msg, CREATE)
    }))
    .await;
    let made: Vec<&Seed> = seeds
        .iter()
        .zip(made)
        .filter_map(|(s, r)| r.is_ok().then_some(s))
        .collect();
    wait_until_answered(net, made.iter().map(|s| (s.watch, s.until))).await;
    made.iter().map(|s| (s.at.node, s.of.ip)).collect()
}

/// Deletes what the introductions left in the neighbour tables: each `seeded`
/// member's entry for its hub and the hub's entry for the member. Only those: a
/// member that had an entry already (the body's, or the hub's broadcast's) had been
/// in touch with its hub before, and both its entries are left as they are. Best
/// effort: an entry already gone (the kernel's garbage collection) is fine, and one
/// left behind is freed with its namespace.
pub(super) async fn release(net: &Net, members: &[ToHub], seeded: &Seeded) {
    let introduced = members
        .iter()
        .filter(|m| seeded.contains(&(m.member.node, m.hub.ip)));
    let deletes = introduced.flat_map(|ToHub { member, hub, .. }| {
        let mut d = vec![(member, hub.ip), (hub, member.ip)];
        // IPv6's solicitations came from link-local addresses, and each side learned
        // the other's: with the kernel's default (EUI-64) link-locals, they go too.
        if member.ip.is_ipv6() {
            d.extend([(member, link_local(hub.mac)), (hub, link_local(member.mac))]);
        }
        d
    });
    join_all(deletes.map(|(at, ip)| {
        let msg = Msg::DelNeighbour(neigh::entry(at.index, ip));
        netlink::request(net.nodes()[at.node].rtnl(), msg, CHANGE)
    }))
    .await;
}

/// The link-local address the kernel gives a link with `mac` by default (EUI-64).
fn link_local(mac: [u8; 6]) -> IpAddr {
    let m = mac;
    let segments = [
        0xfe80,
        0,
        0,
        0,
        u16::from_be_bytes([m[0] ^ 0x02, m[1]]),
        u16::from_be_bytes([m[2], 0xff]),
        u16::from_be_bytes([0xfe, m[3]]),
        u16::from_be_bytes([m[4], m[5]]),
    ];
    IpAddr::V6(std::net::Ipv6Addr::from(segments))
}

/// Waits until each watched entry is as it should be, or [`HEARD_WITHIN`] has
/// passed, reading only the tables that still have one to wait for. Without the wait
/// a member's echo request could reach the hub before its probe does, and the hub
/// would resolve the member by broadcast.
async fn wait_until_answered(net: &Net, watch: impl Iterator<Item = ((usize, IpAddr), Until)>) {
    let mut waiting: HashMap<usize, Vec<(IpAddr, Until)>> = HashMap::new();
    for ((node, ip), until) in watch {
        waiting.entry(node).or_default().push((ip, until));
    }
    let mut backoff = Backoff::new(Duration::from_micros(500), Instant::now() + HEARD_WITHIN);
    while !waiting.is_empty() && backoff.pause().await {
        let nodes: Vec<usize> = waiting.keys().copied().collect();
        let tables = join_all(nodes.iter().map(|&n| net.nodes()[n].neighbours_async())).await;
        for (node, table) in nodes.into_iter().zip(tables) {
            let Ok(table) = table else { continue };
            let entries = waiting.get_mut(&node).expect("a node we wait for");
            entries.retain(|(ip, until)| {
                let done = table.iter().any(|n| {
                    n.ip == *ip
                        && match until {
                            Until::Mapped => n.mac.is_some(),
                            Until::Answered => n.state != NeighbourStateName::Probe,
                        }
                });
                !done
            });
            if entries.is_empty() {
                waiting.remove(&node);
            }
        }
    }
}
