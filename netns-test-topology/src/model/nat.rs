//! What the NAT statements resolve to in the network: a NAT's external address, the
//! subnets its router reaches on the inside, and the address a forward leads to.

use super::{Forward, ForwardTarget, IpNet, Nat, Route, Topology};
use std::net::{IpAddr, Ipv4Addr};

impl Topology {
    /// The NAT on `router`, if it has one (a router has at most one).
    pub fn nat(&self, router: &str) -> Option<&Nat> {
        self.nats.iter().find(|n| n.router == router)
    }

    /// A NAT's external address: the first IPv4 address of its interface.
    pub fn nat_addr(&self, nat: &Nat) -> Option<Ipv4Addr> {
        self.ifaces(&nat.router)
            .into_iter()
            .find(|(name, _)| *name == nat.iface)?
            .1
            .iter()
            .find_map(|c| match c.addr() {
                IpAddr::V4(v4) => Some(v4),
                IpAddr::V6(_) => None,
            })
    }

    /// The static port forwards of a NAT, in the order of the text.
    pub fn forwards_of<'a>(&'a self, nat: &'a Nat) -> impl Iterator<Item = &'a Forward> + 'a {
        self.forwards
            .iter()
            .filter(move |f| f.router == nat.router && f.iface == nat.iface)
    }

    /// The IPv4 subnets `router` reaches without its interface `outside`: those of
    /// its other interfaces, and the destinations of its routes through gateways on
    /// them.
    pub fn inside_nets(&self, router: &str, outside: &str) -> Vec<IpNet> {
        let ifaces = self.ifaces(router);
        let ifaces = ifaces.iter().map(|(name, a)| (name.as_str(), a.as_slice()));
        let routes = self.routes.iter().filter(|r| r.node == router);
        inside_nets(ifaces, routes, outside)
    }

    /// The IPv4 address a forward leads to: the literal address, or the first IPv4
    /// address of the target node that the router reaches on the inside (see
    /// [`Topology::inside_nets`]). `None` if the router reaches none.
    pub fn forward_addr(&self, forward: &Forward) -> Option<Ipv4Addr> {
        let inside = self.inside_nets(&forward.router, &forward.iface);
        forward_addr(&inside, &forward.to, |node| self.node_addrs(node))
    }
}

/// [`Topology::inside_nets`] from the router's interfaces and routes, however they
/// were found (validation indexes them once for every NAT).
pub(crate) fn inside_nets<'a>(
    ifaces: impl Iterator<Item = (&'a str, &'a [IpNet])>,
    routes: impl Iterator<Item = &'a Route>,
    outside: &str,
) -> Vec<IpNet> {
    let mut nets: Vec<IpNet> = Vec::new();
    for (name, addrs) in ifaces {
        if name == outside {
            continue;
        }
        for c in addrs.iter().filter(|c| c.addr().is_ipv4()) {
            if !nets.contains(&c.trunc()) {
                nets.push(c.trunc());
            }
        }
    }
    let connected = nets.clone();
    for route in routes {
        if route.via.is_ipv4() && connected.iter().any(|c| c.contains(&route.via)) {
            nets.push(route.dest.net(route.via));
        }
    }
    nets
}

/// [`Topology::forward_addr`] given the router's inside subnets and a node's
/// addresses.
pub(crate) fn forward_addr<A: AsRef<[IpNet]>>(
    inside: &[IpNet],
    to: &ForwardTarget,
    node_addrs: impl FnOnce(&str) -> A,
) -> Option<Ipv4Addr> {
    let reached = |ip: Ipv4Addr| inside.iter().any(|c| c.contains(&IpAddr::V4(ip)));
    match to {
        ForwardTarget::Ip(ip) => reached(*ip).then_some(*ip),
        ForwardTarget::Node(node) => {
            node_addrs(node)
                .as_ref()
                .iter()
                .find_map(|c| match c.addr() {
                    IpAddr::V4(v4) if reached(v4) => Some(v4),
                    _ => None,
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Topology;
    use crate::parse;
    use std::net::Ipv4Addr;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    const HOME: &str = "node r forward
        bridge lan @r 192.168.1.1/24
        a 192.168.1.2/24 -- lan
        r:wan fd00::1/64 203.0.113.1/24 203.0.113.9/24 -- s 203.0.113.2/24
        r:dmz 10.7.0.1/24 -- d 10.7.0.2/24
        d:eth1 10.8.0.1/24 -- deep 10.8.0.2/24
        route r 10.8.0.0/16 via 10.7.0.2
        route r default via 203.0.113.2
        nat r:wan port-restricted-cone
        forward r:wan udp 4000 -> a:4000
        forward r:wan tcp 22 -> 10.8.0.2:22
        forward r:wan tcp 80 -> deep:8080";

    #[test]
    fn a_nat_and_its_external_address() {
        let t = ok(HOME);
        let nat = t.nat("r").unwrap();
        assert_eq!(nat.iface, "wan");
        assert!(t.nat("a").is_none());
        // The first IPv4 address of the interface.
        assert_eq!(t.nat_addr(nat), Some(ip("203.0.113.1")));
        assert_eq!(t.forwards_of(nat).count(), 3);
    }

    #[test]
    fn the_inside_is_every_other_subnet_and_the_routes_through_it() {
        let t = ok(HOME);
        let nets: Vec<String> = t
            .inside_nets("r", "wan")
            .iter()
            .map(|c| c.to_string())
            .collect();
        // The default route goes out through wan: not inside.
        assert_eq!(nets, ["192.168.1.0/24", "10.7.0.0/24", "10.8.0.0/16"]);
    }

    #[test]
    fn forwards_lead_to_addresses_the_router_reaches() {
        let t = ok(HOME);
        let addrs: Vec<Option<Ipv4Addr>> = t.forwards.iter().map(|f| t.forward_addr(f)).collect();
        assert_eq!(
            addrs,
            [
                Some(ip("192.168.1.2")),
                Some(ip("10.8.0.2")),
                Some(ip("10.8.0.2"))
            ]
        );
    }
}
