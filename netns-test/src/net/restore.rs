//! Putting a link end back as the topology declared it, after the kernel took things
//! away: setting a link down flushes its IPv6 addresses (`keep_addr_on_down` is 0)
//! and deletes every route through it, IPv4 and IPv6; a link made again has none.
//! And waiting until both families can carry traffic over it again.

use super::faults::EndRef;
use super::Net;
use crate::kernel::backoff::Backoff;
use crate::kernel::netlink::{self, CHANGE, CREATE, GET};
use crate::kernel::{address, link, route};
use futures::future::try_join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Sets every end's admin state, then asks each until its operational state agrees.
/// Going up, also every bridge port on the other side of an end: the port gets its
/// carrier back with the end, but the bridge forwards through it only once the
/// kernel's link-watch work has told it, which may come after the end reads up. A
/// `heal` that returned in between lost the first ARP request after it.
pub(super) async fn set_and_wait(net: &Net, ends: &[EndRef], up: bool) -> Result<(), String> {
    let word = if up { "up" } else { "down" };
    let sets = ends.iter().map(|e| {
        let node = net.node(&e.node);
        let msg = link::set_state(node.iface(&e.ifname).index, up);
        netlink::send(
            node.rtnl(),
            Msg::SetLink(msg),
            CHANGE,
            format!("setting {} {word} in {}", e.ifname, e.node),
        )
    });
    try_join_all(sets).await?;
    // Spliced links: the relay ends follow, before anything is read.
    if let Some(impairer) = net
        .impairer
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
    {
        impairer.relay.sync();
    }
    let mut watch = ends.to_vec();
    if up {
        for port in bridge_ports_facing(net, ends) {
            if !watch.contains(&port) {
                watch.push(port);
            }
        }
    }
    wait_state(net, &watch, up).await
}

/// The bridge ports that are the other ends of `ends`' links.
fn bridge_ports_facing(net: &Net, ends: &[EndRef]) -> Vec<EndRef> {
    use crate::topology::End;
    let is_one_of_ends = |end: &End| match end {
        End::Node(n) => ends
            .iter()
            .any(|e| n.node == e.node && n.ifname == e.ifname),
        End::Bridge { .. } => false,
    };
    let links = net.topology.links.iter();
    links
        .flat_map(|l| [(&l.a, &l.b), (&l.b, &l.a)])
        .filter(|(this, other)| is_one_of_ends(this) && matches!(other, End::Bridge { .. }))
        .map(|(_, port)| super::faults::end_ref(net, port))
        .collect()
}

/// Asks each end until its operational state is `up` (or not).
pub(super) async fn wait_state(net: &Net, ends: &[EndRef], up: bool) -> Result<(), String> {
    let mut backoff = settling();
    loop {
        let asks = ends.iter().map(|e| {
            let node = net.node(&e.node);
            netlink::send(
                node.rtnl(),
                Msg::GetLink(link::get(node.iface(&e.ifname).index)),
                GET,
                format!("reading {} in {}", e.ifname, e.node),
            )
        });
        let answers = try_join_all(asks).await?;
        // Down: not up is enough. Up: a veth is up once both its ends are.
        if answers.iter().all(|a| link::link_state(a).0 == up) {
            return Ok(());
        }
        if !backoff.pause().await {
            let word = if up { "up" } else { "down" };
            return Err(format!("links did not come {word} within 5s"));
        }
    }
}

/// Puts back every declared address of `ends` (IPv4 and IPv6, IPv6 without duplicate
/// address detection) and every static route of their nodes whose gateway is on one
/// of their subnets; what the kernel kept is left as it is. Then waits until the IPv6
/// addresses can answer neighbour discovery (their solicited-node groups joined).
pub(super) async fn declared_state(net: &Net, ends: &[EndRef]) -> Result<(), String> {
    let mut adds = Vec::new();
    for e in ends {
        let node = net.node(&e.node);
        let iface = node.iface(&e.ifname);
        for addr in &iface.addrs {
            adds.push(tolerant(
                netlink::request(
                    node.rtnl(),
                    Msg::NewAddress(address::add(iface.index, addr)),
                    CREATE,
                ),
                format!("putting {addr} back on {} in {}", e.ifname, e.node),
            ));
        }
    }
    try_join_all(adds).await?;
    let mut routes = Vec::new();
    for e in ends {
        let node = net.node(&e.node);
        let subnets = &node.iface(&e.ifname).addrs;
        for r in net.topology.routes.iter().filter(|r| r.node == e.node) {
            if !subnets.iter().any(|c| c.contains(&r.via)) {
                continue;
            }
            routes.push(tolerant(
                netlink::request(
                    node.rtnl(),
                    Msg::NewRoute(route::add(r.dest, r.via)),
                    CREATE,
                ),
                format!(
                    "putting the route {} via {} back in {}",
                    r.dest, r.via, e.node
                ),
            ));
        }
    }
    try_join_all(routes).await?;
    ipv6_ready(net, ends).await
}

/// A request whose "already there" (EEXIST) is success.
async fn tolerant(
    request: impl std::future::Future<Output = std::io::Result<Vec<Msg>>>,
    what: String,
) -> Result<(), String> {
    match request.await {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

/// Waits until every IPv6 address of `ends` has its solicited-node group joined: the
/// kernel joins it in a work item after the address comes back, and a neighbour
/// solicitation that comes first is dropped (and retried only after a second).
async fn ipv6_ready(net: &Net, ends: &[EndRef]) -> Result<(), String> {
    let mut backoff = settling();
    for e in ends {
        let node = net.node(&e.node);
        let wanted: Vec<(&str, std::net::Ipv6Addr)> = node
            .iface(&e.ifname)
            .addrs
            .iter()
            .filter_map(|c| match c.addr() {
                IpAddr::V6(a) => Some((e.ifname.as_str(), a)),
                IpAddr::V4(_) => None,
            })
            .collect();
        if wanted.is_empty() {
            continue;
        }
        loop {
            let joined = node
                .enter_while(|| address::solicited_groups_joined(&wanted))
                .and_then(|r| r)
                .map_err(|e| format!("reading /proc/net/igmp6: {e}"))?;
            if joined {
                break;
            }
            if !backoff.pause().await {
                return Err(format!(
                    "the IPv6 addresses of {} in {} were not ready within 5s",
                    e.ifname, e.node
                ));
            }
        }
    }
    Ok(())
}

/// How long a fault waits for the kernel to report the state it asked for.
pub(super) fn settling() -> Backoff {
    Backoff::new(
        Duration::from_micros(50),
        Instant::now() + Duration::from_secs(5),
    )
}
