//! MTUs that IPv6 forbids: below 1280 (RFC 8200) on a link or bridge whose segment
//! carries IPv6, the kernel turns IPv6 off on the interface and the build would fail
//! on its addresses.

use super::Errors;
use crate::model::{End, IpNet, Topology};
use std::collections::HashMap;

/// The least MTU of a link that carries IPv6.
const IPV6_MIN_MTU: u32 = 1280;

/// An MTU below 1280 on a link or bridge whose segment has IPv6 addresses.
pub(super) fn ipv6_mtus(topo: &Topology, spans: &crate::spans::Spans, errors: &mut Errors) {
    let on_bridge = bridges_v6(topo);
    let carried = |end: &End| match end {
        End::Node(_) => v6_of(end),
        End::Bridge { bridge, .. } => on_bridge.get(bridge.as_str()).cloned(),
    };
    for (l, link) in topo.links.iter().enumerate() {
        let (Some(mtu), Some(at)) = (link.mtu, spans.links[l].mtu) else {
            continue;
        };
        if mtu >= IPV6_MIN_MTU {
            continue;
        }
        if let Some((c, on)) = carried(&link.a).or_else(|| carried(&link.b)) {
            errors.push(at, || {
                format!(
                    "mtu {mtu} is below {IPV6_MIN_MTU}, the least IPv6 allows, and this link \
                     carries IPv6 ({c} on {on}): raise the MTU, or give the segment IPv4 \
                     addresses only"
                )
            });
        }
    }
    for (b, bridge) in topo.bridges.iter().enumerate() {
        let (Some(mtu), Some(at)) = (bridge.mtu, spans.bridges[b].mtu) else {
            continue;
        };
        if mtu >= IPV6_MIN_MTU {
            continue;
        }
        if let Some((c, on)) = on_bridge.get(bridge.name.as_str()) {
            errors.push(at, || {
                format!(
                    "mtu {mtu} is below {IPV6_MIN_MTU}, the least IPv6 allows, and bridge {} \
                     carries IPv6 ({c} on {on}): raise the MTU, or give the segment IPv4 \
                     addresses only",
                    bridge.name
                )
            });
        }
    }
}

/// The first IPv6 address on each bridge's segment, and where it is: the bridge's
/// own, else that of the first link in the text whose other end has one. One walk
/// over the links for all bridges (a walk per link once made a mebibyte of links to a
/// bridge quadratic).
fn bridges_v6(topo: &Topology) -> HashMap<&str, (IpNet, String)> {
    let mut found: HashMap<&str, (IpNet, String)> = HashMap::new();
    for b in &topo.bridges {
        if let Some(c) = b.addrs.iter().find(|c| c.addr().is_ipv6()) {
            found.insert(&b.name, (*c, format!("bridge {}", b.name)));
        }
    }
    for link in &topo.links {
        let [x, y] = link.ends();
        for (end, other) in [(x, y), (y, x)] {
            if let End::Bridge { bridge, .. } = end {
                if !found.contains_key(bridge.as_str()) {
                    if let Some(v6) = v6_of(other) {
                        found.insert(bridge, v6);
                    }
                }
            }
        }
    }
    found
}

/// A node end's first IPv6 address, and the end as `node:ifname`.
fn v6_of(end: &End) -> Option<(IpNet, String)> {
    let End::Node(n) = end else { return None };
    let c = n.addrs.iter().find(|c| c.addr().is_ipv6())?;
    Some((*c, format!("{}:{}", n.node, n.ifname)))
}
