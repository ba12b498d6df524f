//! What the kernel says about one node: links, addresses, routes, neighbours.

use crate::kernel::netns::NetNs;
use crate::kernel::nfnetlink::NfSocket;
use crate::probe::{dump_neighbours, Neighbour};
use futures::TryStreamExt;
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage, State};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteMessage, RouteProtocol, RouteScope, RouteVia,
};
use netlink_packet_route::AddressFamily;
use rtnetlink::{Handle, IpVersion, RouteMessageBuilder};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

/// A node's state, read in four dumps.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeState {
    pub links: Vec<LinkLine>,
    pub addrs: Vec<(String, String)>,
    pub routes: Vec<String>,
    pub neighbours: Vec<Neighbour>,
    /// A NAT router's NAT: its statement, mappings and conntrack's flows, as text.
    pub nat: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct LinkLine {
    pub index: u32,
    pub name: String,
    pub up: bool,
    pub state: String,
    pub mac: Option<[u8; 6]>,
    pub mtu: u32,
    pub master: Option<String>,
}

pub(crate) async fn read(handle: &Handle) -> Result<NodeState, String> {
    let links: Vec<LinkMessage> = handle
        .link()
        .get()
        .execute()
        .try_collect()
        .await
        .map_err(|e| format!("reading links: {e}"))?;
    let names: HashMap<u32, String> = links
        .iter()
        .map(|l| (l.header.index, link_name(l)))
        .collect();
    let name_of = |i: u32| names.get(&i).cloned().unwrap_or_else(|| format!("if{i}"));
    let links = links.iter().map(|l| link_line(l, &name_of)).collect();

    let addr_msgs: Vec<AddressMessage> = handle
        .address()
        .get()
        .execute()
        .try_collect()
        .await
        .map_err(|e| format!("reading addresses: {e}"))?;
    let addrs = addr_msgs
        .iter()
        .filter_map(|a| {
            let ip = a.attributes.iter().find_map(|x| match x {
                AddressAttribute::Address(ip) => Some(*ip),
                _ => None,
            })?;
            Some((
                name_of(a.header.index),
                format!("{ip}/{}", a.header.prefix_len),
            ))
        })
        .collect();

    let mut routes = Vec::new();
    for version in [IpVersion::V4, IpVersion::V6] {
        let query = match version {
            IpVersion::V4 => RouteMessageBuilder::<std::net::Ipv4Addr>::new().build(),
            IpVersion::V6 => RouteMessageBuilder::<std::net::Ipv6Addr>::new().build(),
        };
        let msgs: Vec<RouteMessage> = handle
            .route()
            .get(query)
            .execute()
            .try_collect()
            .await
            .map_err(|e| format!("reading routes: {e}"))?;
        routes.extend(msgs.iter().filter_map(|r| route_line(r, &name_of)));
    }

    let mut neighbours = dump_neighbours(handle, name_of).await?;
    // The kernel dumps its hash table's order: sort, so reports compare line by line.
    neighbours.sort_by_key(|n| (n.ip.is_ipv6(), n.ip));
    Ok(NodeState {
        links,
        addrs,
        routes,
        neighbours,
        nat: None,
    })
}

/// The NAT section of a NAT router in namespace `ns` (see `nat::table::report`),
/// through a netfilter socket opened in it; a line saying why if it cannot be read.
pub(crate) fn read_nat(ns: &NetNs) -> String {
    match ns.run(NfSocket::open).and_then(|s| s) {
        Ok(mut sock) => crate::nat::table::report(&mut sock)
            .unwrap_or_else(|| "  nat: (its table is gone)\n".to_string()),
        Err(e) => format!("  nat: unreadable: {e}\n"),
    }
}

fn link_name(l: &LinkMessage) -> String {
    l.attributes
        .iter()
        .find_map(|a| match a {
            LinkAttribute::IfName(n) => Some(n.clone()),
            _ => None,
        })
        .unwrap_or_else(|| format!("if{}", l.header.index))
}

fn link_line(l: &LinkMessage, name_of: &impl Fn(u32) -> String) -> LinkLine {
    let mut line = LinkLine {
        index: l.header.index,
        name: link_name(l),
        up: l.header.flags.contains(LinkFlags::Up),
        state: "UNKNOWN".into(),
        mac: None,
        mtu: 0,
        master: None,
    };
    for a in &l.attributes {
        match a {
            LinkAttribute::OperState(s) => line.state = oper_state(*s).into(),
            LinkAttribute::Address(m) if m.len() == 6 => {
                let mut mac = [0u8; 6];
                mac.copy_from_slice(m);
                line.mac = Some(mac);
            }
            LinkAttribute::Mtu(m) => line.mtu = *m,
            LinkAttribute::Controller(m) => line.master = Some(name_of(*m)),
            _ => {}
        }
    }
    line
}

fn oper_state(s: State) -> &'static str {
    match s {
        State::Up => "UP",
        State::Down => "DOWN",
        State::LowerLayerDown => "LOWERLAYERDOWN",
        State::Dormant => "DORMANT",
        State::Testing => "TESTING",
        State::NotPresent => "NOTPRESENT",
        _ => "UNKNOWN",
    }
}

/// One route as `ip route` prints it; local and multicast housekeeping is left out.
fn route_line(r: &RouteMessage, name_of: &impl Fn(u32) -> String) -> Option<String> {
    let h = &r.header;
    if h.table != 254 {
        return None; // main table only: the local table is the kernel's bookkeeping
    }
    let ip = |a: &RouteAddress| match a {
        RouteAddress::Inet(v) => Some(IpAddr::V4(*v)),
        RouteAddress::Inet6(v) => Some(IpAddr::V6(*v)),
        _ => None,
    };
    let mut dst = None;
    let mut gw = None;
    let mut dev = None;
    let mut src = None;
    for a in &r.attributes {
        match a {
            RouteAttribute::Destination(d) => dst = ip(d),
            RouteAttribute::Gateway(g) => gw = ip(g),
            RouteAttribute::Via(RouteVia::Inet(v)) => gw = Some(IpAddr::V4(*v)),
            RouteAttribute::Via(RouteVia::Inet6(v)) => gw = Some(IpAddr::V6(*v)),
            RouteAttribute::Oif(i) => dev = Some(name_of(*i)),
            RouteAttribute::PrefSource(s) => src = ip(s),
            _ => {}
        }
    }
    if dst.is_some_and(|d| d.is_multicast()) {
        return None;
    }
    let mut line = match dst {
        None => "default".to_string(),
        Some(d) => format!("{d}/{}", h.destination_prefix_length),
    };
    if let Some(gw) = gw {
        let _ = write!(line, " via {gw}");
    }
    if let Some(dev) = dev {
        let _ = write!(line, " dev {dev}");
    }
    if h.protocol == RouteProtocol::Kernel {
        line.push_str(" proto kernel");
    }
    if h.scope == RouteScope::Link {
        line.push_str(" scope link");
    }
    if let Some(src) = src {
        let _ = write!(line, " src {src}");
    }
    if h.address_family == AddressFamily::Inet6 && line.starts_with("fe80::") {
        return None; // every IPv6 link has one: noise in a report
    }
    Some(line)
}
