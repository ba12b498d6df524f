//! Which kernel objects a topology needs, in which namespace, with which index.
//!
//! Pure bookkeeping, done before any request: the kernel does not return the index of
//! a new link, so we choose every index ourselves and never have to look one up. The
//! plan numbers a namespace's links from 2 (lo is 1); a namespace that starts with
//! more links than lo (the fallback tunnels of a host with tunnel modules) moves its
//! links above them once it is made (`Space::rebase`).

use crate::nat::Setup;
use netns_test_topology::{End, Impairment, IpNet, Route, Topology, HOST};

/// The index of a namespace's first link in the plan (lo is 1).
pub(crate) const FIRST: u32 = 2;

/// Every namespace: `host` first, then the nodes in order.
#[derive(Debug)]
pub(crate) struct Plan {
    pub spaces: Vec<Space>,
    /// The NATs, by the space of their router, their outside interface's index chosen.
    pub nats: Vec<(usize, Setup)>,
    /// The links spliced through the impairment relay (any impairment, either way):
    /// (position in the topology, (space, position) of ends a and b).
    pub spliced: Vec<(usize, [(usize, usize); 2])>,
}

#[derive(Debug)]
pub(crate) struct Space {
    pub name: String,
    pub forward: bool,
    pub sysctls: Vec<(String, String)>,
    /// Bridges first, so a port's master exists when the port is made on the same socket.
    pub ifaces: Vec<Planned>,
    pub routes: Vec<Route>,
}

#[derive(Debug)]
pub(crate) struct Planned {
    pub name: String,
    pub index: u32,
    pub addrs: Vec<IpNet>,
    pub mtu: Option<u32>,
    /// The bridge (by index, in the same namespace) this port is enslaved to.
    pub master: Option<u32>,
    pub kind: Kind,
    /// For a veth end: what happens to the traffic it sends.
    pub impair: Impairment,
    /// For an end of a spliced link: its peer is this relay end (name, index) in the
    /// relay namespace, not the other node end.
    pub relay_peer: Option<(String, u32)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bridge,
    /// One end of a veth pair; `peer` is (space, position in its ifaces): the other
    /// end of the link. The `creator` end sends the RTM_NEWLINK that makes both ends,
    /// the peer directly inside its own namespace. Both ends of a spliced link are
    /// creators: each makes its own half, whose peer is a relay end.
    Veth {
        peer: (usize, usize),
        creator: bool,
    },
}

impl Plan {
    pub(crate) fn new(topo: &Topology) -> Plan {
        let mut spaces: Vec<Space> = std::iter::once(Space::new(HOST, false, Vec::new()))
            .chain(
                topo.nodes
                    .iter()
                    .map(|n| Space::new(&n.name, n.forward, n.sysctls.clone())),
            )
            .collect();
        let space_of = |name: &str| -> usize {
            if name == HOST {
                0
            } else {
                1 + topo
                    .nodes
                    .iter()
                    .position(|n| n.name == name)
                    .expect("validated node")
            }
        };

        let mut bridge_at = Vec::new();
        for bridge in &topo.bridges {
            let s = space_of(&bridge.node);
            let pos = spaces[s].push(
                &bridge.name,
                bridge.addrs.clone(),
                bridge.mtu,
                None,
                Kind::Bridge,
            );
            bridge_at.push((s, pos));
        }
        let bridge_index = |spaces: &[Space], name: &str| -> (usize, u32) {
            let i = topo
                .bridges
                .iter()
                .position(|b| b.name == name)
                .expect("validated bridge");
            let (s, pos) = bridge_at[i];
            (s, spaces[s].ifaces[pos].index)
        };

        let mut spliced = Vec::new();
        for (l, link) in topo.links.iter().enumerate() {
            let place = |end: &End, spaces: &mut Vec<Space>| -> (usize, usize) {
                match end {
                    End::Node(n) => {
                        let s = space_of(&n.node);
                        let pos = spaces[s].push(
                            &n.ifname,
                            n.addrs.clone(),
                            link.mtu,
                            None,
                            Kind::Bridge,
                        );
                        (s, pos)
                    }
                    End::Bridge { bridge, port } => {
                        let (s, master) = bridge_index(spaces, bridge);
                        let pos =
                            spaces[s].push(port, Vec::new(), link.mtu, Some(master), Kind::Bridge);
                        (s, pos)
                    }
                }
            };
            let a = place(&link.a, &mut spaces);
            let b = place(&link.b, &mut spaces);
            spaces[a.0].ifaces[a.1].impair = link.impair[0];
            spaces[b.0].ifaces[b.1].impair = link.impair[1];
            if link.impair.iter().any(|i| !i.is_none()) {
                let [x, y] = crate::impair::splice::relay_ends(l);
                spaces[a.0].ifaces[a.1].relay_peer = Some(x);
                spaces[b.0].ifaces[b.1].relay_peer = Some(y);
                spaces[a.0].ifaces[a.1].kind = Kind::Veth {
                    peer: b,
                    creator: true,
                };
                spaces[b.0].ifaces[b.1].kind = Kind::Veth {
                    peer: a,
                    creator: true,
                };
                spliced.push((l, [a, b]));
                continue;
            }
            // A bridge port is best made by the creating request, which can carry its
            // master; the peer's master would need a second request. So `b` creates
            // the pair only when it is the one bridge port.
            let is_port = |e: &End| matches!(e, End::Bridge { .. });
            let a_creates = is_port(&link.a) || !is_port(&link.b);
            spaces[a.0].ifaces[a.1].kind = Kind::Veth {
                peer: b,
                creator: a_creates,
            };
            spaces[b.0].ifaces[b.1].kind = Kind::Veth {
                peer: a,
                creator: !a_creates,
            };
        }

        for route in &topo.routes {
            spaces[space_of(&route.node)].routes.push(route.clone());
        }
        let nats = topo
            .nats
            .iter()
            .map(|nat| {
                let s = space_of(&nat.router);
                let wan = spaces[s]
                    .ifaces
                    .iter()
                    .find(|i| i.name == nat.iface)
                    .expect("a validated NAT's interface");
                (s, Setup::new(topo, nat, wan.index))
            })
            .collect();
        Plan {
            spaces,
            nats,
            spliced,
        }
    }
}

/// What the builder does once namespace `k` (in plan order) exists, so that every
/// step needs only namespaces that exist.
#[derive(Debug, Default)]
pub(crate) struct Step {
    /// Veth pairs whose later namespace is `k`: (space, position) of the creating end.
    pub links: Vec<(usize, usize)>,
    /// Spaces whose links all exist from this step on: their addresses, peers' up
    /// state, masters and routes can be set.
    pub configure: Vec<usize>,
}

impl Plan {
    /// One step per namespace, in plan order.
    pub(crate) fn steps(&self) -> Vec<Step> {
        let mut steps: Vec<Step> = self.spaces.iter().map(|_| Step::default()).collect();
        for (s, space) in self.spaces.iter().enumerate() {
            let mut ready = s;
            for (pos, iface) in space.ifaces.iter().enumerate() {
                if let Kind::Veth { peer, creator } = iface.kind {
                    // A spliced end's half needs only its own namespace (and the
                    // relay's, made before any step).
                    let at = if iface.relay_peer.is_some() {
                        s
                    } else {
                        s.max(peer.0)
                    };
                    ready = ready.max(at);
                    if creator {
                        steps[at].links.push((s, pos));
                    }
                }
            }
            steps[ready].configure.push(s);
        }
        steps
    }
}

impl Space {
    /// Its bridges (the kinds of the other ifaces are set once the links are placed).
    pub(crate) fn bridges(&self) -> impl Iterator<Item = &Planned> {
        self.ifaces.iter().filter(|i| i.kind == Kind::Bridge)
    }

    /// Whether any of its links has an IPv6 address (a route's gateway is on a
    /// connected subnet, so an IPv6 route implies one).
    pub(crate) fn has_ipv6(&self) -> bool {
        self.ifaces
            .iter()
            .flat_map(|i| &i.addrs)
            .any(|c| c.addr().is_ipv6())
    }

    /// Moves the space's indexes to start at `base` (from 2): its namespace already
    /// holds links up to `base - 1`. Called once, when the namespace is made.
    pub(crate) fn rebase(&mut self, base: u32) {
        let shift = base.saturating_sub(FIRST);
        for iface in &mut self.ifaces {
            iface.index += shift;
            if let Some(m) = &mut iface.master {
                *m += shift;
            }
        }
    }

    fn new(name: &str, forward: bool, sysctls: Vec<(String, String)>) -> Space {
        Space {
            name: name.to_string(),
            forward,
            sysctls,
            ifaces: Vec::new(),
            routes: Vec::new(),
        }
    }

    fn push(
        &mut self,
        name: &str,
        addrs: Vec<IpNet>,
        mtu: Option<u32>,
        master: Option<u32>,
        kind: Kind,
    ) -> usize {
        let index = self.ifaces.len() as u32 + FIRST;
        self.ifaces.push(Planned {
            name: name.to_string(),
            index,
            addrs,
            mtu,
            master,
            kind,
            impair: Impairment::default(),
            relay_peer: None,
        });
        self.ifaces.len() - 1
    }
}
