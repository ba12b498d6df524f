//! The checks of `nat` and `forward` statements that need the whole network: the
//! router is a node that forwards, the interface is one of its own with an IPv4
//! address, one NAT per router, and every forward belongs to a NAT, is given once
//! and leads to an address the router reaches on the inside.

use super::{unknown_node, Errors};
use crate::lex::Pos;
use crate::model::{
    forward_addr, inside_nets, Forward, ForwardTarget, IpNet, Lookup, Node, Proto, Route, Topology,
    HOST,
};
use crate::spans::Spans;
use std::collections::HashMap;

pub(super) fn check(topo: &Topology, lookup: &Lookup<'_>, spans: &Spans, errors: &mut Errors) {
    let routers = Routers::new(topo);
    nats(topo, lookup, &routers, spans, errors);
    forwards(topo, lookup, &routers, spans, errors);
}

/// What the checks ask of the NATs' routers, indexed in one walk over the
/// topology: a text with thousands of NATs and forwards stays linear.
struct Routers<'t> {
    nodes: HashMap<&'t str, &'t Node>,
    /// The interfaces of every router with a NAT or a forward.
    ifaces: HashMap<&'t str, Vec<(&'t str, &'t [IpNet])>>,
    routes: HashMap<&'t str, Vec<&'t Route>>,
    /// The first NAT of each router (a second one is an error).
    nat_of: HashMap<&'t str, usize>,
}

impl<'t> Routers<'t> {
    fn new(topo: &'t Topology) -> Routers<'t> {
        let mut ifaces: HashMap<&str, Vec<(&str, &[IpNet])>> = HashMap::new();
        let mut nat_of = HashMap::new();
        for (n, nat) in topo.nats.iter().enumerate().rev() {
            nat_of.insert(nat.router.as_str(), n);
        }
        for r in topo.nats.iter().map(|n| &n.router) {
            ifaces.entry(r.as_str()).or_default();
        }
        for r in topo.forwards.iter().map(|f| &f.router) {
            ifaces.entry(r.as_str()).or_default();
        }
        topo.each_iface(|node, name, addrs| {
            if let Some(list) = ifaces.get_mut(node) {
                list.push((name, addrs));
            }
        });
        let mut routes: HashMap<&str, Vec<&Route>> = HashMap::new();
        for route in topo
            .routes
            .iter()
            .filter(|r| ifaces.contains_key(r.node.as_str()))
        {
            routes.entry(route.node.as_str()).or_default().push(route);
        }
        Routers {
            nodes: topo.nodes.iter().map(|n| (n.name.as_str(), n)).collect(),
            ifaces,
            routes,
            nat_of,
        }
    }

    fn ifaces(&self, router: &str) -> &[(&'t str, &'t [IpNet])] {
        self.ifaces.get(router).map_or(&[], Vec::as_slice)
    }

    fn inside_nets(&self, router: &str, outside: &str) -> Vec<IpNet> {
        let routes = self.routes.get(router).map_or(&[][..], Vec::as_slice);
        inside_nets(
            self.ifaces(router).iter().copied(),
            routes.iter().copied(),
            outside,
        )
    }
}

fn nats(
    topo: &Topology,
    lookup: &Lookup<'_>,
    routers: &Routers<'_>,
    spans: &Spans,
    errors: &mut Errors,
) {
    let mut first: HashMap<&str, Pos> = HashMap::new();
    for (n, nat) in topo.nats.iter().enumerate() {
        let span = &spans.nats[n];
        if let Some(at) = first.insert(&nat.router, span.router) {
            errors.push(span.router, || {
                format!(
                    "a second nat on {} (first at {}:{}): one NAT per router",
                    nat.router, at.line, at.col
                )
            });
            continue;
        }
        if !lookup.has_node(&nat.router) {
            errors.push(span.router, || unknown_node(topo, &nat.router, "nat"));
            continue;
        }
        if nat.router == HOST
            || !routers
                .nodes
                .get(nat.router.as_str())
                .is_some_and(|n| n.forward)
        {
            errors.push(span.router, || {
                let fix = if nat.router == HOST {
                    "host is the sandbox's own namespace and never forwards; put the NAT on \
                     a node declared with `node NAME forward`"
                        .to_string()
                } else {
                    format!("declare it with `node {} forward`", nat.router)
                };
                format!(
                    "nat on {}: {} does not forward, and a NAT needs a router ({fix})",
                    nat.router, nat.router
                )
            });
            continue;
        }
        let ifaces = routers.ifaces(&nat.router);
        let Some((_, addrs)) = ifaces.iter().find(|(name, _)| *name == nat.iface) else {
            errors.push(span.iface, || {
                let names: Vec<&str> = ifaces.iter().map(|(name, _)| *name).collect();
                let known = if names.is_empty() {
                    format!("{} has no interfaces", nat.router)
                } else {
                    format!("its interfaces: {}", names.join(", "))
                };
                format!("{} has no interface {:?}; {known}", nat.router, nat.iface)
            });
            continue;
        };
        if !addrs.iter().any(|c| c.addr().is_ipv4()) {
            errors.push(span.iface, || {
                format!(
                    "{}:{} has no IPv4 address, and the NAT needs one as its external address \
                     (a NAT translates IPv4 only)",
                    nat.router, nat.iface
                )
            });
        }
    }
}

fn forwards(
    topo: &Topology,
    lookup: &Lookup<'_>,
    routers: &Routers<'_>,
    spans: &Spans,
    errors: &mut Errors,
) {
    let mut first: HashMap<(&str, Proto, u16), Pos> = HashMap::new();
    // The inside of each NAT, as a forward through it first needs it.
    let mut inside: HashMap<usize, Vec<IpNet>> = HashMap::new();
    for (f, forward) in topo.forwards.iter().enumerate() {
        let span = &spans.forwards[f];
        let Some(&n) = routers.nat_of.get(forward.router.as_str()) else {
            errors.push(span.router, || {
                format!(
                    "forward on {}:{} without a NAT there (write `nat {}:{} KIND` too)",
                    forward.router, forward.iface, forward.router, forward.iface
                )
            });
            continue;
        };
        let nat = &topo.nats[n];
        if nat.iface != forward.iface {
            errors.push(span.iface, || {
                format!(
                    "forward on {}:{}, but the NAT of {} is on {}:{}",
                    forward.router, forward.iface, forward.router, nat.router, nat.iface
                )
            });
            continue;
        }
        let key = (forward.router.as_str(), forward.proto, forward.port);
        if let Some(at) = first.insert(key, span.port) {
            errors.push(span.port, || {
                format!(
                    "{} port {} of {}:{} forwarded twice (first at {}:{})",
                    forward.proto, forward.port, forward.router, forward.iface, at.line, at.col
                )
            });
            continue;
        }
        if let ForwardTarget::Node(name) = &forward.to {
            if !lookup.has_node(name) {
                errors.push(span.target, || unknown_node(topo, name, "forward"));
                continue;
            }
        }
        let inside = inside
            .entry(n)
            .or_insert_with(|| routers.inside_nets(&forward.router, &forward.iface));
        if forward_addr(inside, &forward.to, |node| lookup.node_addrs(node)).is_none() {
            errors.push(span.target, || unreachable(topo, forward));
        }
    }
}

/// Why `forward`'s target is not an address the router reaches on the inside.
fn unreachable(topo: &Topology, forward: &Forward) -> String {
    let inside: Vec<String> = topo
        .inside_nets(&forward.router, &forward.iface)
        .iter()
        .map(|c| c.to_string())
        .collect();
    let inside = if inside.is_empty() {
        format!(
            "{} has no IPv4 subnet besides {}",
            forward.router, forward.iface
        )
    } else {
        format!("its inside subnets and routes: {}", inside.join(", "))
    };
    let what = match &forward.to {
        ForwardTarget::Ip(ip) => format!("{ip}"),
        ForwardTarget::Node(name) => {
            let v4: Vec<String> = topo
                .node_addrs(name)
                .iter()
                .filter(|c| c.addr().is_ipv4())
                .map(|c| c.addr().to_string())
                .collect();
            if v4.is_empty() {
                return format!(
                    "forward to {name}: {name} has no IPv4 address (a NAT forwards IPv4 only)"
                );
            }
            format!("{name} (at {})", v4.join(", "))
        }
    };
    format!(
        "forward to {what}: {} cannot reach it on the inside; {inside}",
        forward.router
    )
}

#[cfg(test)]
mod tests {
    use crate::parse;

    const HOME: &str = "node r1 forward
        c1 192.168.1.2/24 -- r1:lan 192.168.1.1/24
        r1:wan 203.0.113.1/24 -- s 203.0.113.2/24";

    fn err(src: &str) -> String {
        match parse(&format!("{HOME}\n{src}")) {
            Ok(t) => panic!("{src:?} parsed:\n{t}"),
            Err(e) => e.to_string(),
        }
    }

    fn ok(src: &str) {
        if let Err(e) = parse(&format!("{HOME}\n{src}")) {
            panic!("{src:?}: {e}");
        }
    }

    #[test]
    fn the_router_must_exist_and_forward() {
        assert_eq!(
            err("nat x:wan full-cone"),
            "topology:4:5: unknown node \"x\" in nat; known nodes: host, r1, c1, s"
        );
        assert_eq!(
            err("nat s:eth0 full-cone"),
            "topology:4:5: nat on s: s does not forward, and a NAT needs a router (declare \
             it with `node s forward`)"
        );
        assert_eq!(
            err("nat host:x full-cone"),
            "topology:4:5: nat on host: host does not forward, and a NAT needs a router (host \
             is the sandbox's own namespace and never forwards; put the NAT on a node \
             declared with `node NAME forward`)"
        );
    }

    #[test]
    fn the_interface_must_be_the_routers_with_ipv4() {
        assert_eq!(
            err("nat r1:wan0 full-cone"),
            "topology:4:8: r1 has no interface \"wan0\"; its interfaces: lan, wan"
        );
        assert_eq!(
            err("node r2 forward\nnat r2:wan full-cone"),
            "topology:5:8: r2 has no interface \"wan\"; r2 has no interfaces"
        );
        assert_eq!(
            err("r1:v6 fd00::1/64 -- t fd00::2/64\nnat r1:v6 full-cone"),
            "topology:5:8: r1:v6 has no IPv4 address, and the NAT needs one as its external \
             address (a NAT translates IPv4 only)"
        );
        // A bridge of the router with an address is an interface too.
        ok("bridge up @r1 198.51.100.1/24\nu -- up\nnat r1:up symmetric");
    }

    #[test]
    fn one_nat_per_router() {
        assert_eq!(
            err("nat r1:wan full-cone\nnat r1:lan symmetric"),
            "topology:5:5: a second nat on r1 (first at 4:5): one NAT per router"
        );
    }

    #[test]
    fn forwards_belong_to_a_nat_once() {
        assert_eq!(
            err("forward r1:wan udp 4000 -> c1:4000"),
            "topology:4:9: forward on r1:wan without a NAT there (write `nat r1:wan KIND` too)"
        );
        assert_eq!(
            err("nat r1:wan full-cone\nforward r1:lan udp 4000 -> c1:4000"),
            "topology:5:12: forward on r1:lan, but the NAT of r1 is on r1:wan"
        );
        assert_eq!(
            err("nat r1:wan full-cone\nforward r1:wan udp 4000 -> c1:4000\n\
                 forward r1:wan udp 4000 -> c1:4001"),
            "topology:6:20: udp port 4000 of r1:wan forwarded twice (first at 5:20)"
        );
        // The same port of the other protocol is another forward.
        ok("nat r1:wan full-cone\nforward r1:wan udp 53 -> c1:53\nforward r1:wan tcp 53 -> c1:53");
    }

    #[test]
    fn forwards_lead_inside() {
        let nat = "nat r1:wan full-cone\n";
        assert_eq!(
            err(&format!("{nat}forward r1:wan udp 1 -> ghost:1")),
            "topology:5:25: unknown node \"ghost\" in forward; known nodes: host, r1, c1, s"
        );
        // s is outside: on the NAT's own interface.
        assert_eq!(
            err(&format!("{nat}forward r1:wan udp 1 -> s:1")),
            "topology:5:25: forward to s (at 203.0.113.2): r1 cannot reach it on the inside; \
             its inside subnets and routes: 192.168.1.0/24"
        );
        assert_eq!(
            err(&format!("{nat}forward r1:wan udp 1 -> 10.9.9.9:1")),
            "topology:5:25: forward to 10.9.9.9: r1 cannot reach it on the inside; its inside \
             subnets and routes: 192.168.1.0/24"
        );
        assert_eq!(
            err(&format!(
                "c1:v6 fd00::2/64 -- v fd00::3/64\n{nat}forward r1:wan udp 1 -> v:1"
            )),
            "topology:6:25: forward to v: v has no IPv4 address (a NAT forwards IPv4 only)"
        );
        // Behind an inside router, through a route of r1.
        ok(&format!(
            "c1:deep 10.8.0.1/24 -- d 10.8.0.2/24\nroute r1 10.8.0.0/16 via 192.168.1.2\n\
             {nat}forward r1:wan tcp 22 -> d:22\nforward r1:wan tcp 23 -> 10.8.0.2:23"
        ));
    }
}
