//! The barrier after the build: every link end up, and every IPv6 address ready for
//! neighbour discovery, as the kernel reports them. Without it, the first packet after
//! the build was lost in a fifth of the runs.

use super::plan::{Kind, Space};
use crate::error::human;
use crate::kernel::backoff::Backoff;
use crate::kernel::netlink::{self, GET};
use crate::kernel::netns::NetNs;
use crate::kernel::{address, link};
use futures::future::try_join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use rtnetlink::Handle;
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

/// Asks for each link until the kernel says it is up; returns each link's MAC.
///
/// A bridge without ports never comes up (no carrier), so only veth ends and bridges
/// with ports are waited for. Between asks: a back-off from 50 µs to 2 ms.
pub(super) async fn links_up(
    space: &Space,
    handle: &Handle,
    deadline: Instant,
) -> Result<Vec<[u8; 6]>, String> {
    let bridge_has_ports = |index: u32| space.ifaces.iter().any(|i| i.master == Some(index));
    let mut macs = vec![[0u8; 6]; space.ifaces.len()];
    let mut waiting: Vec<usize> = (0..space.ifaces.len()).collect();
    let mut backoff = Backoff::new(Duration::from_micros(50), deadline);
    loop {
        let asks = waiting.iter().map(|&i| {
            let iface = &space.ifaces[i];
            let what = format!("building node {}: reading link {}", space.name, iface.name);
            netlink::send(handle, Msg::GetLink(link::get(iface.index)), GET, what)
        });
        let answers = try_join_all(asks).await?;
        let mut still = Vec::new();
        for (&i, answer) in waiting.iter().zip(answers) {
            let iface = &space.ifaces[i];
            let (up, mac) = link::link_state(&answer);
            macs[i] = mac;
            let must_wait = match iface.kind {
                Kind::Bridge => bridge_has_ports(iface.index),
                Kind::Veth { .. } => true,
            };
            if must_wait && !up {
                still.push(i);
            }
        }
        if still.is_empty() {
            return Ok(macs);
        }
        if !backoff.pause().await {
            let names: Vec<&str> = still
                .iter()
                .map(|&i| space.ifaces[i].name.as_str())
                .collect();
            return Err(format!(
                "building node {}: links {} not up before the deadline ({} left)",
                space.name,
                names.join(", "),
                human(deadline.saturating_duration_since(Instant::now()))
            ));
        }
        waiting = still;
    }
}

/// Waits until every IPv6 address of the namespace has its solicited-node group
/// (`ff02::1:ffXX:XXXX`) in /proc/net/igmp6, as seen from inside the namespace.
pub(super) async fn ipv6_ready(space: &Space, ns: &NetNs, deadline: Instant) -> Result<(), String> {
    let wanted: Vec<(&str, Ipv6Addr)> = space
        .ifaces
        .iter()
        .flat_map(|i| {
            i.addrs.iter().filter_map(move |c| match c.addr() {
                IpAddr::V6(v6) => Some((i.name.as_str(), v6)),
                IpAddr::V4(_) => None,
            })
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut backoff = Backoff::new(Duration::from_micros(20), deadline);
    loop {
        let joined = ns
            .run(|| address::solicited_groups_joined(&wanted))
            .and_then(|r| r)
            .map_err(|e| format!("building node {}: reading /proc/net/igmp6: {e}", space.name))?;
        if joined {
            return Ok(());
        }
        if !backoff.pause().await {
            return Err(format!(
                "building node {}: IPv6 addresses not ready (solicited-node groups not joined) before the deadline",
                space.name
            ));
        }
    }
}
