//! Raw choices to a model that follows every rule of the language.

use crate::raw::{Raw, RawAddr, RawEnd, RawForward, RawNat};
use netns_test_topology::{
    Bridge, Destination, End, Expect, ExpectKind, Forward, ForwardTarget, IpNet, Link, Nat,
    NatKind, Node, NodeEnd, Proto, Route, SegmentKind, Target, Topology, HOST,
};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

fn ip_of(raw: RawAddr) -> IpAddr {
    if raw.v6 {
        IpAddr::V6(Ipv6Addr::from(raw.bits))
    } else {
        IpAddr::V4(Ipv4Addr::from(raw.bits as u32))
    }
}

fn usable(ip: IpAddr) -> bool {
    !(ip.is_unspecified() || ip.is_multicast() || matches!(ip, IpAddr::V4(v4) if v4.is_broadcast()))
}

/// Turns raw addresses into interface addresses not used before.
struct Addrs {
    used: HashSet<IpAddr>,
    fresh: u32,
}

impl Addrs {
    fn take(&mut self, raw: &[RawAddr]) -> Vec<IpNet> {
        let mut out = Vec::new();
        for &r in raw {
            let ip = ip_of(r);
            let max = if r.v6 { 129 } else { 33 };
            if usable(ip) && self.used.insert(ip) {
                out.push(IpNet::new(ip, r.prefix % max).unwrap());
            }
        }
        out
    }

    /// One more address, for a segment that got none.
    fn fresh(&mut self) -> IpNet {
        loop {
            self.fresh += 1;
            let ip = IpAddr::V4(Ipv4Addr::from(0xc612_0000 + self.fresh));
            if self.used.insert(ip) {
                return IpNet::new(ip, 24).unwrap();
            }
        }
    }
}

pub(crate) fn build(raw: Raw) -> Topology {
    let mut names = HashSet::new();
    let nodes: Vec<Node> = raw
        .nodes
        .into_iter()
        .filter(|n| names.insert(n.name.clone()))
        .map(|n| {
            let mut keys = HashSet::new();
            Node {
                name: n.name,
                forward: n.forward,
                sysctls: n
                    .sysctls
                    .into_iter()
                    .filter(|(k, _)| keys.insert(k.clone()))
                    .collect(),
            }
        })
        .collect();
    let node_names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
    let node_at = |i: usize| -> String {
        match i % (node_names.len() + 1) {
            0 => HOST.to_string(),
            n => node_names[n - 1].clone(),
        }
    };
    let mut addrs = Addrs {
        used: HashSet::new(),
        fresh: 0,
    };
    let mut raw_bridges = raw.bridges;
    raw_bridges.sort_by_key(|b| b.links_before);
    let mut bridges: Vec<Bridge> = Vec::new();
    for b in raw_bridges {
        if names.insert(b.name.clone()) {
            bridges.push(Bridge {
                name: b.name,
                node: node_at(b.node),
                addrs: addrs.take(&b.addrs),
                mtu: b.mtu,
                links_before: b.links_before,
            });
        }
    }

    let mut links: Vec<Link> = Vec::new();
    let mut ports: HashMap<String, usize> = HashMap::new();
    // Interface names are chosen after ports, which take theirs by rule.
    let mut ifname_wishes: Vec<[Option<String>; 2]> = Vec::new();
    for l in raw.links {
        let i = links.len();
        let open: Vec<&Bridge> = bridges.iter().filter(|b| b.links_before <= i).collect();
        let pick = |e: &RawEnd, addrs: &mut Addrs| -> End {
            if e.bridge && !open.is_empty() {
                End::Bridge {
                    bridge: open[e.pick % open.len()].name.clone(),
                    port: String::new(),
                }
            } else {
                End::Node(NodeEnd {
                    node: node_at(e.pick),
                    ifname: String::new(),
                    addrs: addrs.take(&e.addrs),
                })
            }
        };
        let a = pick(&l.a, &mut addrs);
        let b = pick(&l.b, &mut addrs);
        let same = match (&a, &b) {
            (End::Node(x), End::Node(y)) => x.node == y.node,
            (End::Bridge { bridge: x, .. }, End::Bridge { bridge: y, .. }) => x == y,
            _ => false,
        };
        if same {
            continue;
        }
        let mut link = Link {
            a,
            b,
            mtu: l.mtu,
            impair: l.impair,
        };
        let mut a_port = None;
        for end in [&mut link.a, &mut link.b] {
            if let End::Bridge { bridge, port } = end {
                let n = ports.entry(bridge.clone()).or_default();
                *port = format!("{bridge}-p{n}");
                *n += 1;
                if port.len() > 15 {
                    *port = format!("brp{i}");
                }
                if a_port.as_deref() == Some(port.as_str()) {
                    port.push('b');
                }
                a_port = Some(port.clone());
            }
        }
        links.push(link);
        ifname_wishes.push([l.a.ifname, l.b.ifname]);
    }
    for b in &mut bridges {
        b.links_before = b.links_before.min(links.len());
    }

    let mut taken: HashMap<String, HashSet<String>> = HashMap::new();
    for b in &bridges {
        taken
            .entry(b.node.clone())
            .or_default()
            .insert(b.name.clone());
    }
    for link in &links {
        for end in [&link.a, &link.b] {
            if let End::Bridge { bridge, port } = end {
                let node = bridges
                    .iter()
                    .find(|b| b.name == *bridge)
                    .unwrap()
                    .node
                    .clone();
                taken.entry(node).or_default().insert(port.clone());
            }
        }
    }
    for (link, wishes) in links.iter_mut().zip(ifname_wishes) {
        for (end, wish) in [&mut link.a, &mut link.b].into_iter().zip(wishes) {
            if let End::Node(n) = end {
                let taken = taken.entry(n.node.clone()).or_default();
                taken.insert("lo".into());
                n.ifname = match wish.filter(|w| !taken.contains(w)) {
                    Some(w) => w,
                    None => (0..)
                        .map(|k| format!("eth{k}"))
                        .find(|e| !taken.contains(e))
                        .unwrap(),
                };
                taken.insert(n.ifname.clone());
            }
        }
    }

    let mut t = Topology {
        nodes,
        bridges,
        links,
        routes: vec![],
        expects: vec![],
        nats: vec![],
        forwards: vec![],
    };
    // A segment with ends and no address would get automatic ones when parsed.
    for segment in t.segments() {
        if segment.members.is_empty() || segment.members.iter().any(|m| !m.addrs.is_empty()) {
            continue;
        }
        let first = match segment.kind {
            SegmentKind::Veth(l) => &mut t.links[l].a,
            SegmentKind::Bridge(b) => {
                let name = t.bridges[b].name.clone();
                let l = t
                    .links
                    .iter()
                    .position(|l| {
                        [&l.a, &l.b]
                            .iter()
                            .any(|e| matches!(e, End::Bridge { bridge, .. } if *bridge == name))
                            && [&l.a, &l.b].iter().any(|e| matches!(e, End::Node(_)))
                    })
                    .unwrap();
                if matches!(t.links[l].a, End::Node(_)) {
                    &mut t.links[l].a
                } else {
                    &mut t.links[l].b
                }
            }
        };
        if let End::Node(n) = first {
            n.addrs.push(addrs.fresh());
        }
    }

    let mut seen = HashSet::new();
    for r in raw.routes {
        let node = node_at(r.node);
        let own = t.node_addrs(&node);
        let Some(c) = own.get(r.addr % own.len().max(1)) else {
            continue;
        };
        let via = match c.addr() {
            IpAddr::V4(a) if c.prefix_len() < 32 => IpAddr::V4(Ipv4Addr::from(u32::from(a) ^ 1)),
            IpAddr::V6(a) if c.prefix_len() < 128 => IpAddr::V6(Ipv6Addr::from(u128::from(a) ^ 1)),
            _ => continue,
        };
        if !usable(via) || own.iter().any(|o| o.addr() == via) {
            continue;
        }
        let dest = if r.default {
            Destination::Default
        } else {
            let ip = match via {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(r.dest.bits as u32)),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(r.dest.bits)),
            };
            let max = if via.is_ipv4() { 33 } else { 129 };
            Destination::Net(IpNet::new(ip, r.dest.prefix % max).unwrap().trunc())
        };
        if seen.insert((node.clone(), dest.net(via))) {
            t.routes.push(Route { node, dest, via });
        }
    }

    nats(&mut t, raw.nats, raw.forwards);

    for e in raw.expects {
        let from = node_at(e.from);
        let kind = [ExpectKind::Reach, ExpectKind::Both, ExpectKind::Isolated][e.kind % 3];
        let target = match e.ip {
            Some(ip) if kind != ExpectKind::Both => Target::Ip(ip_of(ip)),
            _ => Target::Node(node_at(e.target)),
        };
        let reaches = t.target_addr(&from, &target).is_some();
        let back = match (&target, kind) {
            (Target::Node(n), ExpectKind::Both) => {
                t.target_addr(n, &Target::Node(from.clone())).is_some()
            }
            _ => true,
        };
        if reaches && back {
            t.expects.push(Expect { from, kind, target });
        }
    }
    t
}

/// NATs on forwarding nodes' interfaces with an IPv4 address, one per router; then
/// forwards of them, each port once, to targets the router reaches on the inside.
fn nats(t: &mut Topology, raw_nats: Vec<RawNat>, raw_forwards: Vec<RawForward>) {
    let routers: Vec<String> = t
        .nodes
        .iter()
        .filter(|n| n.forward)
        .map(|n| n.name.clone())
        .collect();
    for r in raw_nats {
        let Some(router) = routers.get(r.router % routers.len().max(1)) else {
            continue;
        };
        if t.nat(router).is_some() {
            continue;
        }
        let outside: Vec<String> = t
            .ifaces(router)
            .into_iter()
            .filter(|(_, addrs)| addrs.iter().any(|c| c.addr().is_ipv4()))
            .map(|(name, _)| name)
            .collect();
        let Some(iface) = outside.get(r.iface % outside.len().max(1)) else {
            continue;
        };
        let mut nat = Nat::new(router, iface, NatKind::all()[r.kind % 9]);
        nat.hairpin = r.hairpin;
        nat.port_preservation = r.port_preservation;
        if let Some(s) = r.udp_timeout {
            nat.udp_timeout = Duration::from_secs(s);
        }
        t.nats.push(nat);
    }
    let names: Vec<String> = t.node_names().iter().map(|n| n.to_string()).collect();
    let v4: Vec<std::net::Ipv4Addr> = names
        .iter()
        .flat_map(|n| t.node_addrs(n))
        .filter_map(|c| match c.addr() {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
        .collect();
    let mut seen = HashSet::new();
    for f in raw_forwards {
        let Some(nat) = t.nats.get(f.nat % t.nats.len().max(1)) else {
            continue;
        };
        let proto = if f.udp { Proto::Udp } else { Proto::Tcp };
        let forward = |to| Forward {
            router: nat.router.clone(),
            iface: nat.iface.clone(),
            proto,
            port: f.port,
            to,
            to_port: f.to_port,
        };
        // Only targets the router reaches are valid: choose among those.
        let candidates: Vec<Forward> = if f.ip {
            v4.iter()
                .map(|ip| forward(ForwardTarget::Ip(*ip)))
                .collect()
        } else {
            names
                .iter()
                .map(|n| forward(ForwardTarget::Node(n.clone())))
                .collect()
        };
        let reached: Vec<Forward> = candidates
            .into_iter()
            .filter(|fw| t.forward_addr(fw).is_some())
            .collect();
        let Some(chosen) = reached.get(f.target % reached.len().max(1)) else {
            continue;
        };
        if seen.insert((nat.router.clone(), proto, f.port)) {
            t.forwards.push(chosen.clone());
        }
    }
}
