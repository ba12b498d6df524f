//! Round 2 of a step: in every namespace whose links all exist, peers up (with their
//! masters), addresses, bridge MTUs and routes.

use super::plan::{Kind, Plan};
use super::{answered, Existing};
use crate::kernel::netlink::{self, CHANGE, CREATE};
use crate::kernel::{address, link, route};
use futures::future::try_join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use netns_test_topology::Destination;
use std::time::Instant;

/// Round 2 for spaces whose links all exist: peers up (an up flag inside the creating
/// request is refused for the peer) with their masters, addresses (IPv6 with NODAD),
/// bridge MTUs, routes.
pub(super) async fn spaces(
    plan: &Plan,
    spaces: &[usize],
    made: Existing<'_>,
    deadline: Instant,
) -> Result<(), String> {
    let mut pending = Vec::new();
    for &s in spaces {
        let (space, handle) = (&plan.spaces[s], made.handle(s));
        let ctx = |what: String| format!("building node {}: {what}", space.name);
        for iface in &space.ifaces {
            if let Kind::Veth { creator: false, .. } = iface.kind {
                pending.push(netlink::send(
                    handle,
                    Msg::SetLink(link::set_up(iface.index, iface.master)),
                    CHANGE,
                    ctx(format!("setting {} up", iface.name)),
                ));
            }
            for addr in &iface.addrs {
                let what = ctx(format!("adding {addr} to {}", iface.name));
                pending.push(netlink::send(
                    handle,
                    Msg::NewAddress(address::add(iface.index, addr)),
                    CREATE,
                    what,
                ));
            }
        }
        // A bridge takes the smallest MTU of its ports unless its own was set with a
        // request of its own after the ports joined: then the kernel keeps it.
        for iface in space.bridges() {
            if let Some(mtu) = iface.mtu {
                pending.push(netlink::send(
                    handle,
                    Msg::SetLink(link::set_mtu(iface.index, mtu)),
                    CHANGE,
                    ctx(format!("setting the MTU of {}", iface.name)),
                ));
            }
        }
        for route in &space.routes {
            let dest = match route.dest {
                Destination::Default => "default".to_string(),
                Destination::Net(c) => c.to_string(),
            };
            let what = ctx(format!("adding route {dest} via {}", route.via));
            pending.push(netlink::send(
                handle,
                Msg::NewRoute(route::add(route.dest, route.via)),
                CREATE,
                what,
            ));
        }
    }
    if !pending.is_empty() {
        answered(
            deadline,
            "adding addresses and routes",
            try_join_all(pending),
        )
        .await?;
    }
    Ok(())
}
