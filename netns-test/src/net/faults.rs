//! Faults at run time: links down and up, impairments, partitions and healing. Each
//! call returns once the kernel reports the new state of every link it touched.

use super::Net;
use crate::kernel::backoff::Backoff;
use crate::kernel::netlink::{self, CHANGE, CREATE, GET};
use crate::kernel::{link, qdisc};
use crate::topology::{End, Impairment, HOST};
use futures::future::try_join_all;
use netlink_packet_core::NLM_F_ECHO;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use std::time::{Duration, Instant};

/// One end of a veth pair as built: the node whose namespace holds it, and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EndRef {
    node: String,
    ifname: String,
}

/// A veth pair of the topology, to set down and up from the body.
#[derive(Debug)]
pub struct LinkControl<'a> {
    net: &'a Net,
    ends: [EndRef; 2],
    /// The link's MTU: a token bucket must hold a whole packet.
    mtu: u32,
}

impl Net {
    /// The veth pair between `a` and `b` (node or bridge names; the first such pair in
    /// the topology). Panics, listing the pairs, if there is none.
    pub fn link(&self, a: &str, b: &str) -> LinkControl<'_> {
        let found = self.topology.links.iter().find_map(|l| {
            let (x, y) = (end_ref(self, &l.a), end_ref(self, &l.b));
            let named = |e: &End| match e {
                End::Node(n) => n.node.clone(),
                End::Bridge { bridge, .. } => bridge.clone(),
            };
            let (nx, ny) = (named(&l.a), named(&l.b));
            ((nx == a && ny == b) || (nx == b && ny == a)).then_some(([x, y], l.mtu))
        });
        match found {
            Some((ends, mtu)) => LinkControl {
                net: self,
                ends,
                mtu: mtu.unwrap_or(1500),
            },
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

impl LinkControl<'_> {
    /// Sets both ends down; returns when the kernel reports them down.
    pub fn down(&self) {
        self.net.set_links(&self.ends, false);
    }

    /// Sets both ends up; returns when the kernel reports them up.
    pub fn up(&self) {
        self.net.set_links(&self.ends, true);
    }

    /// Impairs the traffic both ways, replacing what the topology or an earlier call
    /// set: a root qdisc on each end (see the topology language's `delay`, `rate`,
    /// …). Returns when the kernel reports it; panics, naming the module, when the
    /// kernel lacks the qdisc. `Impairment::default()` is [`LinkControl::clear`].
    pub fn impair(&self, imp: Impairment) {
        let imp = (!imp.is_none()).then_some(imp);
        if let Err(e) = self
            .net
            .block(set_qdiscs(self.net, &self.ends, self.mtu, imp))
        {
            panic!("{e}");
        }
    }

    /// Takes every impairment off the link, both ways; returns when the kernel
    /// reports the ends' default qdisc back.
    pub fn clear(&self) {
        if let Err(e) = self
            .net
            .block(set_qdiscs(self.net, &self.ends, self.mtu, None))
        {
            panic!("{e}");
        }
    }
}

/// Deletes the root qdisc of every end, then installs `imp`'s if any, then asks
/// until the kernel reports the expected root qdisc. Deleting first because the
/// kernel cannot replace a root qdisc by one of another kind (tbf by netem) in place.
async fn set_qdiscs(
    net: &Net,
    ends: &[EndRef],
    mtu: u32,
    imp: Option<Impairment>,
) -> Result<(), String> {
    let deletes = ends.iter().map(|e| {
        let node = net.node(&e.node);
        let index = node.iface(&e.ifname).index;
        let del = netlink::request(
            node.rtnl(),
            Msg::DelQueueDiscipline(qdisc::delete_message(index)),
            CHANGE,
        );
        async move {
            match del.await {
                Ok(_) => Ok(()),
                // Nothing to delete: the end had its default qdisc.
                Err(err) if matches!(err.raw_os_error(), Some(libc::ENOENT | libc::EINVAL)) => {
                    Ok(())
                }
                Err(err) => Err(format!(
                    "removing the qdisc of {} in {}: {err}",
                    e.ifname, e.node
                )),
            }
        }
    });
    try_join_all(deletes).await?;
    if let Some(imp) = imp {
        let installs = ends.iter().map(|e| {
            let node = net.node(&e.node);
            let what = format!("node {}: impairing {} ({imp})", e.node, e.ifname);
            let handle = node.rtnl();
            let index = node.iface(&e.ifname).index;
            async move { qdisc::install(handle, index, mtu, &imp, CREATE, what).await }
        });
        try_join_all(installs).await?;
    }
    let want = imp.as_ref().map(qdisc::kind);
    let mut backoff = settling();
    loop {
        let asks = ends.iter().map(|e| {
            let node = net.node(&e.node);
            let msg = qdisc::get_message(node.iface(&e.ifname).index);
            netlink::send(
                node.rtnl(),
                Msg::GetQueueDiscipline(msg),
                // The kernel answers a non-dump RTM_GETQDISC with a notification,
                // sent to the asker only with NLM_F_ECHO; the ack ends the stream.
                CHANGE | NLM_F_ECHO,
                format!("reading the qdisc of {} in {}", e.ifname, e.node),
            )
        });
        let answers = try_join_all(asks).await?;
        let settled = answers.iter().all(|a| {
            let kind = qdisc::root_kind(a);
            match want {
                Some(k) => kind.as_deref() == Some(k),
                None => !matches!(kind.as_deref(), Some("tbf" | "netem")),
            }
        });
        if settled {
            return Ok(());
        }
        if !backoff.pause().await {
            return Err(format!(
                "the kernel did not report the links' qdiscs as {} within 5s",
                want.unwrap_or("the default")
            ));
        }
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
        let msg = link::set_state(index, up);
        netlink::send(
            node.rtnl(),
            Msg::SetLink(msg),
            CHANGE,
            format!("setting {} {word} in {}", e.ifname, e.node),
        )
    });
    try_join_all(sets).await?;
    let mut backoff = settling();
    loop {
        let asks = ends.iter().map(|e| {
            let node = net.node(&e.node);
            let msg = link::get(node.iface(&e.ifname).index);
            netlink::send(
                node.rtnl(),
                Msg::GetLink(msg),
                GET,
                format!("reading {} in {}", e.ifname, e.node),
            )
        });
        let answers = try_join_all(asks).await?;
        // Down: not up is enough. Up: a veth is up once both its ends are.
        let settled = answers.iter().all(|a| link::link_state(a).0 == up);
        if settled {
            return Ok(());
        }
        if !backoff.pause().await {
            return Err(format!("links did not come {word} within 5s"));
        }
    }
}

/// How long a fault waits for the kernel to report the state it asked for.
fn settling() -> Backoff {
    Backoff::new(
        Duration::from_micros(50),
        Instant::now() + Duration::from_secs(5),
    )
}
