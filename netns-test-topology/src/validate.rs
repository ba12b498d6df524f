//! The checks that need the whole network, automatic addresses included: unique
//! addresses, MTUs that IPv6 allows, routes through connected gateways, expects
//! between known nodes.
//!
//! Every failing check is collected and the first in the text is reported, so the
//! answer does not depend on the order of the checks. The MTUs' checks are in `mtu`, the
//! NATs' in `nat`.

mod mtu;
mod nat;

use crate::error::ParseError;
use crate::lex::Pos;
use crate::model::{Destination, End, ExpectKind, IpNet, Lookup, Target, Topology};
use crate::spans::Spans;
use std::collections::HashMap;
use std::net::IpAddr;

pub(crate) fn check(topo: &Topology, spans: &Spans) -> Result<(), ParseError> {
    let mut errors = Errors::default();
    let lookup = Lookup::new(topo);
    unique_addrs(topo, spans, &mut errors);
    mtu::ipv6_mtus(topo, spans, &mut errors);
    routes(topo, &lookup, spans, &mut errors);
    expects(topo, &lookup, spans, &mut errors);
    nat::check(topo, &lookup, spans, &mut errors);
    match errors.first {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The first failing check in the text. A message is written only when it comes
/// before the first so far: a text with thousands of mistakes costs no more than
/// one with a single one (some messages list every node).
#[derive(Default)]
struct Errors {
    first: Option<ParseError>,
}

impl Errors {
    fn push(&mut self, pos: Pos, message: impl FnOnce() -> String) {
        if self
            .first
            .as_ref()
            .is_none_or(|e| (pos.line, pos.col) < (e.line, e.col))
        {
            self.first = Some(pos.error(message()));
        }
    }
}

/// One address of the model, where it was written (or, if automatic, the end
/// that got it).
struct Placed {
    addr: IpAddr,
    pos: Pos,
    on: String,
    automatic: bool,
}

fn unique_addrs(topo: &Topology, spans: &Spans, errors: &mut Errors) {
    let mut all = Vec::new();
    for (b, bridge) in topo.bridges.iter().enumerate() {
        for (c, &pos) in bridge.addrs.iter().zip(&spans.bridges[b].addrs) {
            all.push(Placed {
                addr: c.addr(),
                pos,
                on: format!("bridge {}", bridge.name),
                automatic: false,
            });
        }
    }
    for (l, link) in topo.links.iter().enumerate() {
        for side in crate::model::Side::BOTH {
            let End::Node(end) = link.end(side) else {
                continue;
            };
            let span = spans.links[l].end(side);
            let automatic = span.addrs.is_empty();
            for (i, c) in end.addrs.iter().enumerate() {
                all.push(Placed {
                    addr: c.addr(),
                    pos: span.addrs.get(i).copied().unwrap_or(span.name),
                    on: format!("{}:{}", end.node, end.ifname),
                    automatic,
                });
            }
        }
    }
    all.sort_by_key(|p| p.pos);
    let mut seen: HashMap<IpAddr, &Placed> = HashMap::new();
    for p in &all {
        let Some(first) = seen.get(&p.addr) else {
            seen.insert(p.addr, p);
            continue;
        };
        let at = format!(
            "at {}:{}, {}on {}",
            first.pos.line,
            first.pos.col,
            if first.automatic { "automatic " } else { "" },
            first.on
        );
        errors.push(p.pos, || {
            if p.automatic {
                format!(
                    "automatic address {} of {} is already used ({at}): give this segment \
                     addresses",
                    p.addr, p.on
                )
            } else {
                format!("address {} used twice (first {at})", p.addr)
            }
        });
    }
}

fn unknown_node(topo: &Topology, name: &str, statement: &str) -> String {
    let bridge = if topo.bridge(name).is_some() {
        format!(" ({name} is a bridge)")
    } else {
        String::new()
    };
    format!(
        "unknown node {name:?} in {statement}{bridge}; known nodes: {}",
        topo.node_names().join(", ")
    )
}

fn routes(topo: &Topology, lookup: &Lookup<'_>, spans: &Spans, errors: &mut Errors) {
    let mut seen: HashMap<(&str, IpNet), Pos> = HashMap::new();
    for (r, route) in topo.routes.iter().enumerate() {
        let span = &spans.routes[r];
        if !lookup.has_node(&route.node) {
            errors.push(span.node, || unknown_node(topo, &route.node, "route"));
            continue;
        }
        let dest = route.dest.net(route.via);
        if let Some(first) = seen.insert((&route.node, dest), span.dest) {
            errors.push(span.dest, || {
                let what = match route.dest {
                    Destination::Default => format!("default route ({dest})"),
                    Destination::Net(_) => format!("route to {dest}"),
                };
                format!(
                    "{what} in node {} given twice (first at {}:{})",
                    route.node, first.line, first.col
                )
            });
        }
        if lookup.is_own(&route.node, route.via) {
            errors.push(span.via, || {
                format!(
                    "gateway {} is an address of {} itself",
                    route.via, route.node
                )
            });
        } else if !lookup.is_connected(&route.node, route.via) {
            errors.push(span.via, || {
                let mut subnets: Vec<String> = Vec::new();
                for c in lookup.node_addrs(&route.node) {
                    let net = c.trunc().to_string();
                    if !subnets.contains(&net) {
                        subnets.push(net);
                    }
                }
                let subnets = if subnets.is_empty() {
                    format!("{} has no address", route.node)
                } else {
                    format!("its subnets: {}", subnets.join(", "))
                };
                format!(
                    "gateway {} is on no connected subnet of {}; {subnets}",
                    route.via, route.node
                )
            });
        }
    }
}

fn expects(topo: &Topology, lookup: &Lookup<'_>, spans: &Spans, errors: &mut Errors) {
    for (e, expect) in topo.expects.iter().enumerate() {
        let span = &spans.expects[e];
        let mut known = true;
        if !lookup.has_node(&expect.from) {
            errors.push(span.from, || unknown_node(topo, &expect.from, "expect"));
            known = false;
        }
        if let Target::Node(name) = &expect.target {
            if !lookup.has_node(name) {
                errors.push(span.target, || unknown_node(topo, name, "expect"));
                known = false;
            }
        }
        if !known {
            continue;
        }
        if lookup.target_addr(&expect.from, &expect.target).is_none() {
            errors.push(span.target, || {
                format!("{expect}: {} has no address to ping", expect.target)
            });
        }
        if let (ExpectKind::Both, Target::Node(back)) = (expect.kind, &expect.target) {
            let from = Target::Node(expect.from.clone());
            if lookup.target_addr(back, &from).is_none() {
                errors.push(span.from, || {
                    format!(
                        "{expect}: {} has no address for {back} to ping back",
                        expect.from
                    )
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Topology;
    use crate::parse;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn err(src: &str) -> String {
        parse(src).unwrap_err().to_string()
    }

    #[test]
    fn an_address_used_twice() {
        assert_eq!(
            err("a 10.0.0.1/24 -- b 10.0.0.1/24"),
            "topology:1:20: address 10.0.0.1 used twice (first at 1:3, on a:eth0)"
        );
        // The same address with another prefix is the same address.
        assert_eq!(
            err("a 10.0.0.1/24 -- b\nc -- d 10.0.0.1/16"),
            "topology:2:8: address 10.0.0.1 used twice (first at 1:3, on a:eth0)"
        );
        assert_eq!(
            err("bridge br0 fd00::1/64\na fd00::1/64 -- br0"),
            "topology:2:3: address fd00::1 used twice (first at 1:12, on bridge br0)"
        );
        assert_eq!(
            err("a 10.0.0.1/24 fd00::1/64 10.0.0.1/24 -- b"),
            "topology:1:26: address 10.0.0.1 used twice (first at 1:3, on a:eth0)"
        );
    }

    #[test]
    fn an_automatic_address_used_twice() {
        assert_eq!(
            err("a -- b\nc:x 10.0.1.1/24 -- d 10.0.1.9/24"),
            "topology:2:5: address 10.0.1.1 used twice (first at 1:1, automatic on a:eth0)"
        );
        assert_eq!(
            err("c 10.0.2.2/24 -- d\na -- b"),
            "topology:2:6: automatic address 10.0.2.2 of b:eth0 is already used (at 1:3, on \
             c:eth0): give this segment addresses"
        );
    }

    #[test]
    fn routes_through_connected_gateways() {
        ok("a -- b\nroute a default via 10.0.1.2\nroute a default via fd00:1::2");
        ok("bridge br0 @r 10.0.0.1/24\nrouter -- r\nroute r 10.8.0.0/16 via 10.0.0.9");
        // A route may come before the node's links.
        ok("route a 10.8.0.0/16 via 192.168.0.254\na 192.168.0.1/24 -- b");
        ok("route host default via 10.0.1.2\nhost -- a");
    }

    #[test]
    fn gateways_on_no_connected_subnet() {
        assert_eq!(
            err("a 10.0.0.1/24 10.0.0.2/24 10.1.0.1/16 -- b\nroute a default via 10.2.0.1"),
            "topology:2:21: gateway 10.2.0.1 is on no connected subnet of a; its subnets: \
             10.0.0.0/24, 10.1.0.0/16"
        );
        assert_eq!(
            err("a 10.0.0.1/24 -- b\nroute b default via 10.0.0.1"),
            "topology:2:21: gateway 10.0.0.1 is on no connected subnet of b; b has no address"
        );
        assert_eq!(
            err("node a\nroute a default via 10.0.0.1"),
            "topology:2:21: gateway 10.0.0.1 is on no connected subnet of a; a has no address"
        );
        assert_eq!(
            err("a -- b\nroute a default via fd00:2::1"),
            "topology:2:21: gateway fd00:2::1 is on no connected subnet of a; its subnets: \
             10.0.1.0/24, fd00:1::/64"
        );
        assert_eq!(
            err("a -- b\nroute a default via 10.0.1.1"),
            "topology:2:21: gateway 10.0.1.1 is an address of a itself"
        );
    }

    #[test]
    fn routes_in_unknown_nodes_and_twice() {
        assert_eq!(
            err("a -- b\nroute c default via 10.0.1.2"),
            "topology:2:7: unknown node \"c\" in route; known nodes: host, a, b"
        );
        assert_eq!(
            err("a -- b\nroute a default via 10.0.1.2\nroute a 0.0.0.0/0 via 10.0.1.2"),
            "topology:3:9: route to 0.0.0.0/0 in node a given twice (first at 2:9)"
        );
        assert_eq!(
            err("a -- b\nroute a default via fd00:1::2\nroute a default via fd00:1::2"),
            "topology:3:9: default route (::/0) in node a given twice (first at 2:9)"
        );
    }

    #[test]
    fn expects_between_known_nodes() {
        assert_eq!(
            err("expect a -> c\na -- b"),
            "topology:1:13: unknown node \"c\" in expect; known nodes: host, a, b"
        );
        assert_eq!(
            err("a -- b\nexpect x -> b"),
            "topology:2:8: unknown node \"x\" in expect; known nodes: host, a, b"
        );
        assert_eq!(
            err("bridge br0\na -- br0\nexpect a -> br0"),
            "topology:3:13: unknown node \"br0\" in expect (br0 is a bridge); known nodes: \
             host, a"
        );
        ok("a -- host\nexpect host <-> a\nexpect a -x- 192.0.2.1");
    }

    #[test]
    fn expects_need_addresses() {
        assert_eq!(
            err("a -- b\nnode c\nexpect a -> c"),
            "topology:3:13: expect a -> c: c has no address to ping"
        );
        assert_eq!(
            err("a -- b\nexpect a -x- host"),
            "topology:2:14: expect a -x- host: host has no address to ping"
        );
        assert_eq!(
            err("a -- b 10.0.0.2/24\nexpect a <-> b"),
            "topology:2:8: expect a <-> b: a has no address for b to ping back"
        );
        ok("a -- b 10.0.0.2/24\nexpect a -> b\nexpect a -> 10.0.0.2");
    }

    #[test]
    fn an_mtu_below_1280_where_ipv6_flows() {
        assert_eq!(
            err("a -- b mtu 1000"),
            "topology:1:12: mtu 1000 is below 1280, the least IPv6 allows, and this link \
             carries IPv6 (fd00:1::1/64 on a:eth0): raise the MTU, or give the segment IPv4 \
             addresses only"
        );
        assert_eq!(
            err("bridge br0 mtu 576\na -- br0\nb fd00::2/64 -- br0"),
            "topology:1:16: mtu 576 is below 1280, the least IPv6 allows, and bridge br0 \
             carries IPv6 (fd00::2/64 on b:eth0): raise the MTU, or give the segment IPv4 \
             addresses only"
        );
        assert_eq!(
            err("bridge br0\nbr0 -- a mtu 1279\nb -- br0"),
            "topology:2:14: mtu 1279 is below 1280, the least IPv6 allows, and this link \
             carries IPv6 (fd00:1::1/64 on a:eth0): raise the MTU, or give the segment IPv4 \
             addresses only"
        );
        // IPv4 only, or 1280 and up: fine.
        ok("a 10.0.0.1/24 -- b 10.0.0.2/24 mtu 576");
        ok("a -- b mtu 1280");
        ok("bridge br0 mtu 600\na 10.0.0.1/24 -- br0");
    }

    #[test]
    fn the_first_error_in_the_text_is_reported() {
        assert_eq!(
            err("expect a -> z\nroute y default via 10.0.0.1\na 10.0.0.1/24 -- b 10.0.0.1/24"),
            "topology:1:13: unknown node \"z\" in expect; known nodes: host, a, b"
        );
    }
}
