//! Members introduce themselves to their hub without a broadcast.
//!
//! A first contact on a bridge starts with an ARP request (IPv6: a neighbour
//! solicitation to a multicast group every port may have joined) that the bridge
//! floods to all N ports: one per member is N² frames, which made the checks of a
//! 256-node star cost 3.7 times those of a 128-node one. Instead, each member is given
//! an entry for the hub's address in state PROBE, with the MAC the hub's link has: its
//! kernel then sends its ARP request (or solicitation) to that MAC alone, as it does
//! when it re-confirms an entry. The hub's kernel answers it, which makes the member's
//! entry REACHABLE with the MAC the hub answered from, and learns the member's MAC
//! from the request. Nothing is assumed: a hub that does not answer leaves the entry
//! in PROBE and then FAILED, and the judge requires REACHABLE (`probes::judge`).
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

use super::segments::ToHub;
use crate::kernel::backoff::Backoff;
use crate::kernel::neigh;
use crate::kernel::netlink::{self, CHANGE, CREATE};
use crate::net::Net;
use futures::future::join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How long members may take to be heard by their hub: the kernel sends its probe
/// at its next timer tick (4 ms at HZ=250); after this the pings go on regardless
/// and show what is wrong.
const HEARD_WITHIN: Duration = Duration::from_secs(1);

/// Seeds each member's entry for its hub and waits until every hub has heard the
/// members it was seeded for (its table maps their addresses to a MAC). Returns the
/// seeded entries as (node, address): the ones that must end REACHABLE.
///
/// A member that already has an entry for its hub (the body's, or one learned from
/// the hub's broadcast) keeps it untouched: the request is NLM_F_EXCL, and the ping
/// then goes out the way that entry sends it. So does a member whose seeding the
/// kernel refused for another reason (a full table, say): the ping and the judge
/// tell whether it reaches its hub.
pub(super) async fn introduce(net: &Net, members: &[ToHub]) -> Vec<(usize, IpAddr)> {
    let seeded = join_all(members.iter().map(|m| {
        let msg = Msg::NewNeighbour(neigh::probe(m.index, m.hub_ip, m.hub_mac));
        netlink::request(net.nodes()[m.member].rtnl(), msg, CREATE)
    }))
    .await;
    let seeded: Vec<&ToHub> = members
        .iter()
        .zip(seeded)
        .filter_map(|(m, r)| r.is_ok().then_some(m))
        .collect();
    wait_until_heard(net, &seeded).await;
    seeded.iter().map(|m| (m.member, m.hub_ip)).collect()
}

/// Deletes what the introductions left in the neighbour tables: each `seeded`
/// member's entry for its hub and the hub's entry for the member. Only those: a
/// member that had an entry already (the body's, or the hub's broadcast's) had been
/// in touch with its hub before, and both its entries are left as they are. Best
/// effort: an entry already gone (the kernel's garbage collection) is fine, and one
/// left behind is freed with its namespace.
pub(super) async fn release(net: &Net, members: &[ToHub], seeded: &[(usize, IpAddr)]) {
    let seeded: HashSet<&(usize, IpAddr)> = seeded.iter().collect();
    let members = members
        .iter()
        .filter(|m| seeded.contains(&(m.member, m.hub_ip)));
    let deletes = members.flat_map(|m| {
        [
            (m.member, neigh::entry(m.index, m.hub_ip)),
            (m.hub, neigh::entry(m.hub_index, m.member_ip)),
        ]
    });
    join_all(deletes.map(|(node, entry)| {
        netlink::request(net.nodes()[node].rtnl(), Msg::DelNeighbour(entry), CHANGE)
    }))
    .await;
}

/// Waits until each hub's table has an entry with a MAC for each of `members`, or
/// [`HEARD_WITHIN`] has passed. Without the wait a member's echo request could reach
/// the hub before its probe does, and the hub would resolve the member by broadcast.
async fn wait_until_heard(net: &Net, members: &[&ToHub]) {
    let mut waiting: HashMap<usize, Vec<IpAddr>> = HashMap::new();
    for m in members {
        waiting.entry(m.hub).or_default().push(m.member_ip);
    }
    let mut backoff = Backoff::new(Duration::from_micros(500), Instant::now() + HEARD_WITHIN);
    while !waiting.is_empty() && backoff.pause().await {
        let hubs: Vec<usize> = waiting.keys().copied().collect();
        let tables = join_all(hubs.iter().map(|&h| net.nodes()[h].neighbours_async())).await;
        for (hub, table) in hubs.into_iter().zip(tables) {
            let Ok(table) = table else { continue };
            let ips = waiting.get_mut(&hub).expect("a hub we wait for");
            ips.retain(|ip| !table.iter().any(|n| n.ip == *ip && n.mac.is_some()));
            if ips.is_empty() {
                waiting.remove(&hub);
            }
        }
    }
}
