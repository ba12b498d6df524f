//! A plain link made spliced at run time, the first time the body impairs it: the
//! veth pair is deleted and made again as two halves through the relay namespace,
//! with the same names, indexes, MACs, MTU and bridge, and the declared addresses
//! and routes put back. The nodes see a carrier flap, as when a cable is swapped:
//! their end goes away and comes back, their neighbour entries through it are
//! gone, and the kernel joins its multicast groups again.

use super::faults::EndRef;
use super::{restore, Net};
use crate::builder::splice::name;
use crate::impair::splice::{relay_ends, ToSplice, RELAY_MTU};
use crate::impair::Impairer;
use crate::kernel::link::{self, LinkSpec};
use crate::kernel::netlink::{self, CHANGE, CREATE};
use crate::kernel::netns::NetNs;
use crate::topology::Impairment;
use futures::future::try_join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use std::time::Duration;

/// Splices link number `l` (ends `ends`, a then b) through the relay with `imps`
/// (a→b, b→a), starting the relay if no link had it yet.
pub(super) async fn splice(
    net: &Net,
    l: usize,
    ends: &[EndRef; 2],
    imps: [Impairment; 2],
    impairer: &mut Option<Impairer>,
) -> Result<(), String> {
    if impairer.is_none() {
        // The relay namespace's home is only where the making thread steps back to.
        let here = NetNs::current().map_err(|e| format!("opening this thread's namespace: {e}"))?;
        *impairer = Some(Impairer::start(net.seed, &here, Duration::ZERO)?);
    }
    let impairer = impairer.as_mut().expect("started above");
    let link = &net.topology.links[l];
    let node = net.node(&ends[0].node);
    netlink::send(
        node.rtnl(),
        Msg::DelLink(link::delete(node.iface(&ends[0].ifname).index)),
        CHANGE,
        format!(
            "taking {} in {} off to splice it",
            ends[0].ifname, ends[0].node
        ),
    )
    .await?;
    let relay = relay_ends(l);
    let halves = ends
        .iter()
        .zip(&relay)
        .map(|(e, (relay_name, relay_index))| {
            let node = net.node(&e.node);
            let iface = node.iface(&e.ifname);
            // A bridge port is enslaved again to its bridge, in the same namespace.
            let master = e.bridge.as_deref().map(|b| node.iface(b).index);
            let end = LinkSpec {
                name: &e.ifname,
                index: iface.index,
                mtu: link.mtu,
                master,
            };
            let peer = LinkSpec {
                name: relay_name,
                index: *relay_index,
                mtu: Some(RELAY_MTU),
                master: None,
            };
            let msg = link::veth_with_mac(end, iface.mac, peer, Some(impairer.ns().raw_fd()));
            netlink::send(
                node.rtnl(),
                Msg::NewLink(msg),
                CREATE,
                format!("making {} in {} again, spliced", e.ifname, e.node),
            )
        });
    try_join_all(halves).await?;
    let node_end = |e: &EndRef| {
        let node = net.node(&e.node);
        (node.ns(), node.iface(&e.ifname).index)
    };
    let todo = ToSplice {
        link: l,
        name: name(link),
        imps,
        ends: [node_end(&ends[0]), node_end(&ends[1])],
    };
    impairer.open(&[todo], None).await?;
    restore::wait_state(net, ends, true).await?;
    restore::declared_state(net, ends).await
}
