//! Faults at run time: links down and up, partitions and healing. Each call returns
//! once the kernel reports the new state of every link it touched.

use super::Net;
use crate::build::netlink::{self, CHANGE, GET};
use crate::topology::{End, HOST};
use futures::future::try_join_all;
use netlink_packet_route::link::{LinkAttribute, State};
use netlink_packet_route::RouteNetlinkMessage as Msg;
use rtnetlink::LinkUnspec;
use std::time::{Duration, Instant};

/// One end of a veth pair as built: the node whose namespace holds it, and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EndRef {
    node: String,
    ifname: String,
}

/// A veth pair of the topology, to set down and up from the body.
#[derive(Debug)]
pub struct LinkFault<'a> {
    net: &'a Net,
    ends: [EndRef; 2],
}

impl Net {
    /// The veth pair between `a` and `b` (node or bridge names; the first such pair in
    /// the topology). Panics, listing the pairs, if there is none.
    pub fn link(&self, a: &str, b: &str) -> LinkFault<'_> {
        let found = self.topology.links.iter().find_map(|l| {
            let (x, y) = (end_ref(self, &l.a), end_ref(self, &l.b));
            let named = |e: &End| match e {
                End::Node(n) => n.node.clone(),
                End::Bridge { bridge, .. } => bridge.clone(),
            };
            let (nx, ny) = (named(&l.a), named(&l.b));
            ((nx == a && ny == b) || (nx == b && ny == a)).then_some([x, y])
        });
        match found {
            Some(ends) => LinkFault { net: self, ends },
            None => {
                let pairs: Vec<String> =
                    self.topology.links.iter().map(|l| l.to_string()).collect();
                panic!(
                    "no link between {a} and {b}; links:\n  {}",
                    pairs.join("\n  ")
                )
            }
        }
    }

    /// Cuts the network between two groups of nodes: every veth pair with one end in
    /// each group goes down, and on a bridge that members of both groups share, the
    /// ports of the second group's members go down. [`Net::heal`] undoes it.
    pub fn partition(&self, left: &[&str], right: &[&str]) {
        for n in left.iter().chain(right) {
            self.node(n);
        }
        let in_group = |g: &[&str], e: &End| match e {
            End::Node(n) => g.contains(&n.node.as_str()),
            End::Bridge { .. } => false,
        };
        let mut cut = Vec::new();
        for l in &self.topology.links {
            let across = (in_group(left, &l.a) && in_group(right, &l.b))
                || (in_group(right, &l.a) && in_group(left, &l.b));
            if across {
                cut.push(end_ref(self, &l.a));
                continue;
            }
            // A port of the right group on a bridge where the left group also is.
            let (port, member) = match (&l.a, &l.b) {
                (End::Bridge { bridge, .. }, m) | (m, End::Bridge { bridge, .. }) => (bridge, m),
                _ => continue,
            };
            let left_on_bridge = self.topology.links.iter().any(|o| {
                [(&o.a, &o.b), (&o.b, &o.a)].iter().any(|(p, m)| {
                    matches!(p, End::Bridge { bridge, .. } if bridge == port) && in_group(left, m)
                })
            });
            if in_group(right, member) && left_on_bridge {
                cut.push(end_ref(self, member));
            }
        }
        self.set_links(&cut, false);
        self.partitioned.lock().unwrap().extend(cut);
    }

    /// Brings back every link a [`Net::partition`] took down.
    pub fn heal(&self) {
        let cut: Vec<EndRef> = std::mem::take(&mut *self.partitioned.lock().unwrap());
        self.set_links(&cut, true);
    }

    fn set_links(&self, ends: &[EndRef], up: bool) {
        if let Err(e) = self.block(set_and_wait(self, ends, up)) {
            panic!("{e}");
        }
    }
}

impl LinkFault<'_> {
    /// Sets both ends down; returns when the kernel reports them down.
    pub fn down(&self) {
        self.net.set_links(&self.ends, false);
    }

    /// Sets both ends up; returns when the kernel reports them up.
    pub fn up(&self) {
        self.net.set_links(&self.ends, true);
    }
}

fn end_ref(net: &Net, end: &End) -> EndRef {
    match end {
        End::Node(n) => EndRef {
            node: n.node.clone(),
            ifname: n.ifname.clone(),
        },
        End::Bridge { bridge, port } => EndRef {
            node: net
                .topology
                .bridge(bridge)
                .map_or_else(|| HOST.to_string(), |b| b.node.clone()),
            ifname: port.clone(),
        },
    }
}

/// Sets every end's admin state, then asks each until its operational state agrees.
pub(super) async fn set_and_wait(net: &Net, ends: &[EndRef], up: bool) -> Result<(), String> {
    let word = if up { "up" } else { "down" };
    let sets = ends.iter().map(|e| {
        let node = net.node(&e.node);
        let index = node.iface(&e.ifname).index;
        let msg = if up {
            LinkUnspec::new_with_index(index).up().build()
        } else {
            LinkUnspec::new_with_index(index).down().build()
        };
        netlink::send(
            &node.netlink(),
            Msg::SetLink(msg),
            CHANGE,
            format!("setting {} {word} in {}", e.ifname, e.node),
        )
    });
    try_join_all(sets).await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut pause = Duration::from_micros(50);
    loop {
        let asks = ends.iter().map(|e| {
            let node = net.node(&e.node);
            let msg = LinkUnspec::new_with_index(node.iface(&e.ifname).index).build();
            netlink::send(
                &node.netlink(),
                Msg::GetLink(msg),
                GET,
                format!("reading {} in {}", e.ifname, e.node),
            )
        });
        let answers = try_join_all(asks).await?;
        let settled = answers.iter().all(|a| {
            let oper_up = a.iter().any(|m| {
                matches!(m, Msg::NewLink(l) if l.attributes.iter().any(|x| matches!(x, LinkAttribute::OperState(State::Up))))
            });
            // Down: not up is enough. Up: a veth is up once both its ends are.
            oper_up == up
        });
        if settled {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("links did not come {word} within 5s"));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(2));
    }
}
