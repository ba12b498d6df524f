//! Round 1 of a step: the bridges of a new namespace and the veth pairs it completes.

use super::plan::{Kind, Plan, Planned};
use super::{answered, Existing};
use crate::impair::splice::RELAY_MTU;
use crate::kernel::link::{self, LinkSpec};
use crate::kernel::netlink::{self, CREATE};
use crate::kernel::netns::NetNs;
use futures::future::try_join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use std::time::Instant;

/// Round 1 for namespace `k`: its bridges, then the veth pairs it completes (each in
/// one RTM_NEWLINK that puts the peer directly in its namespace). The half of a
/// spliced link puts its peer, the relay end, in the relay namespace `relay`.
pub(super) async fn links(
    plan: &Plan,
    k: usize,
    links: &[(usize, usize)],
    made: Existing<'_>,
    relay: Option<&NetNs>,
    deadline: Instant,
) -> Result<(), String> {
    let ctx = |s: usize, what: String| format!("building node {}: {what}", plan.spaces[s].name);
    let mut pending = Vec::new();
    for iface in plan.spaces[k].bridges() {
        pending.push(netlink::send(
            made.handle(k),
            Msg::NewLink(link::bridge(spec(iface))),
            CREATE,
            ctx(k, format!("creating {}", iface.name)),
        ));
    }
    for &(c, pos) in links {
        let iface = &plan.spaces[c].ifaces[pos];
        let Kind::Veth { peer, .. } = iface.kind else {
            unreachable!("the plan lists veth ends as links")
        };
        let msg = match (&iface.relay_peer, relay) {
            (Some((name, index)), Some(relay)) => {
                let peer = LinkSpec {
                    name,
                    index: *index,
                    mtu: Some(RELAY_MTU),
                    master: None,
                };
                link::veth(spec(iface), peer, Some(relay.raw_fd()))
            }
            _ => {
                let peer_ns = (peer.0 != c).then(|| made.ns(peer.0).raw_fd());
                link::veth(
                    spec(iface),
                    spec(&plan.spaces[peer.0].ifaces[peer.1]),
                    peer_ns,
                )
            }
        };
        pending.push(netlink::send(
            made.handle(c),
            Msg::NewLink(msg),
            CREATE,
            ctx(c, format!("creating {}", iface.name)),
        ));
    }
    if !pending.is_empty() {
        answered(
            deadline,
            "creating links and bridges",
            try_join_all(pending),
        )
        .await?;
    }
    Ok(())
}

/// The kernel layer's view of a planned link.
fn spec(iface: &Planned) -> LinkSpec<'_> {
    LinkSpec {
        name: &iface.name,
        index: iface.index,
        mtu: iface.mtu,
        master: iface.master,
    }
}
