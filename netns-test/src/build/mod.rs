//! Topology → kernel objects, over rtnetlink, with no `ip` binary and no sleeps.
//!
//! The namespaces are made in plan order, each with its sysctls and `lo` up, by
//! helper threads ([`spaces`]) while this thread works through the ones that exist.
//! Once namespace `k` is there ([`plan::Step`]):
//! 1. create: its bridges, and the veth pairs whose later namespace it is (each pair
//!    in one RTM_NEWLINK that puts the peer directly in its namespace: moving a link
//!    later costs an RCU grace period);
//! 2. configure the spaces whose links now all exist: peers up (an up flag inside the
//!    creating request is refused for the peer), masters of bridge-to-bridge peers,
//!    addresses (IPv6 with NODAD), routes.
//!
//! Each step's requests are queued at once on the sockets concerned and awaited
//! together. Then, for the whole topology:
//! 3. impairments: a root qdisc (tbf or netem, see [`qdisc`]) on the ends whose link
//!    has them;
//! 4. barrier: one RTM_GETLINK per link end until the kernel reports it up. Without
//!    it, the first packet after the build was lost in a fifth of the runs. Then, where
//!    there are IPv6 addresses, until the kernel has joined their solicited-node
//!    multicast groups: it does so in a work item after the address is added, and a
//!    neighbour solicitation that comes first is dropped (and retried only after 1 s).

pub(crate) mod netlink;
pub mod netns;
pub(crate) mod plan;
pub(crate) mod qdisc;
mod spaces;
pub(crate) use spaces::cores;

use crate::backoff::Backoff;
use crate::capture::Capture;
use crate::error::human;
use futures::future::try_join_all;
use netlink::{CHANGE, CREATE, GET};
use netlink_packet_route::address::{AddressAttribute, AddressFlags, AddressMessage};
use netlink_packet_route::link::{InfoData, InfoVeth, LinkAttribute, LinkMessage, State};
use netlink_packet_route::RouteNetlinkMessage as Msg;
use netns::NetNs;
use netns_test_topology::{Cidr, Destination, Topology};
use plan::{Kind, Plan, Space};
use rtnetlink::{
    AddressMessageBuilder, Handle, LinkBridge, LinkMessageBuilder, LinkUnspec, RouteMessageBuilder,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

/// A namespace of the built topology and what the kernel said about its links.
#[derive(Debug)]
pub(crate) struct BuiltSpace {
    pub name: String,
    pub ns: NetNs,
    pub handle: Handle,
    pub ifaces: Vec<BuiltIface>,
}

#[derive(Debug, Clone)]
pub(crate) struct BuiltIface {
    pub name: String,
    pub index: u32,
    pub mac: [u8; 6],
    pub addrs: Vec<Cidr>,
}

/// A build under way: checked, planned, and its namespaces being made.
pub(crate) struct Started {
    plan: Plan,
    maker: spaces::Maker,
}

/// Starts building `topo` in namespaces below the calling thread's, which must not be
/// the namespace the test process started in (inode `outside`): the builder refuses
/// to create anything outside the sandbox. Needs no runtime: the helpers start making
/// the nodes' namespaces at once, while the caller goes on to build its runtime.
pub(crate) fn start(topo: &Topology, outside: u64) -> Result<Started, String> {
    let host =
        NetNs::current().map_err(|e| format!("opening the sandbox's network namespace: {e}"))?;
    let here = host
        .inode()
        .map_err(|e| format!("reading the sandbox's namespace: {e}"))?;
    if here == outside {
        return Err(
            "refusing to build: this thread's network namespace is the test process's own, \
                    not a sandbox"
                .into(),
        );
    }

    let plan = Plan::new(topo);
    let ipv6 = plan
        .spaces
        .iter()
        .flat_map(|s| &s.ifaces)
        .flat_map(|i| &i.addrs)
        .any(|c| c.addr.is_ipv6());
    let maker = spaces::Maker::start(&plan, &host, ipv6)?;
    Ok(Started { plan, maker })
}

/// Finishes a build (on a tokio runtime): the namespaces, links, addresses and routes,
/// impairments, then the barrier on kernel state.
pub(crate) async fn finish(
    started: Started,
    deadline: Instant,
    step: &dyn Fn(&str),
    mut capture: Option<&mut Capture>,
) -> Result<Vec<BuiltSpace>, String> {
    let Started { plan, mut maker } = started;
    // Rounds 1 and 2, one namespace at a time, while helpers make the next ones.
    let mut made: Vec<Option<(NetNs, Handle)>> = plan.spaces.iter().map(|_| None).collect();
    for (k, todo) in plan.steps().into_iter().enumerate() {
        // Posting a step costs no system call: a hang names the node it stopped at.
        step(&format!("building node {}", plan.spaces[k].name));
        let ns = maker.take(k).await?;
        let handle = netlink::connect(Some(&ns)).map_err(|e| {
            format!(
                "building node {}: opening its netlink socket: {e}",
                plan.spaces[k].name
            )
        })?;
        made[k] = Some((ns, handle));
        let made = Made(&made);
        create(&plan, k, &todo.links, made, deadline).await?;
        if let Some(capture) = capture.as_deref_mut() {
            capture_links(&plan, &todo.links, made, capture)?;
        }
        configure(&plan, &todo.configure, made, deadline).await?;
    }
    drop(maker);
    let spaces: Vec<(NetNs, Handle)> = made
        .into_iter()
        .map(|s| s.expect("every step made its namespace"))
        .collect();

    // Impairments, once every link is configured.
    impair(&plan, &spaces, step).await?;

    step("waiting for the links to come up");
    // Round 3: wait until every veth end is up, and learn the MACs.
    let mut built = Vec::with_capacity(spaces.len());
    let waits = plan
        .spaces
        .iter()
        .zip(&spaces)
        .map(|(space, (_, handle))| wait_up(space, handle, deadline));
    let states = try_join_all(waits).await?;
    for (space, (ns, _)) in plan.spaces.iter().zip(&spaces) {
        if space
            .ifaces
            .iter()
            .flat_map(|i| &i.addrs)
            .any(|c| c.addr.is_ipv6())
        {
            step(&format!("waiting for node {}'s IPv6 addresses", space.name));
            wait_solicited_groups(space, ns, deadline).await?;
        }
    }
    for ((space, (ns, handle)), macs) in plan.spaces.iter().zip(spaces).zip(states) {
        let ifaces = space
            .ifaces
            .iter()
            .zip(macs)
            .map(|(i, mac)| BuiltIface {
                name: i.name.clone(),
                index: i.index,
                mac,
                addrs: i.addrs.clone(),
            })
            .collect();
        built.push(BuiltSpace {
            name: space.name.clone(),
            ns,
            handle,
            ifaces,
        });
    }
    Ok(built)
}

/// The kernel's answers to a round of requests, or an error naming the round if they
/// have not all come by the deadline (a lost answer would otherwise hang the build
/// until the parent's deadline, with less to say).
async fn answered<T>(
    deadline: Instant,
    round: &str,
    answers: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    match tokio::time::timeout_at(deadline.into(), answers).await {
        Ok(result) => result,
        Err(_) => Err(format!("building: the kernel did not answer every request of the round \"{round}\" before the deadline")),
    }
}

/// A root qdisc on every end whose link has impairments, all requests at once.
async fn impair(
    plan: &Plan,
    spaces: &[(NetNs, Handle)],
    step: &dyn Fn(&str),
) -> Result<(), String> {
    let mut qdiscs = Vec::new();
    for (space, (_, handle)) in plan.spaces.iter().zip(spaces) {
        for iface in space.ifaces.iter().filter(|i| !i.impair.is_none()) {
            let what = format!(
                "building node {}: impairing {} ({})",
                space.name, iface.name, iface.impair
            );
            qdiscs.push(qdisc::install(
                handle,
                iface.index,
                iface.mtu.unwrap_or(1500),
                &iface.impair,
                CREATE,
                what,
            ));
        }
    }
    if !qdiscs.is_empty() {
        step("impairing links");
        try_join_all(qdiscs).await?;
    }
    Ok(())
}

/// The namespaces made so far, by plan position; a step only asks for made ones.
#[derive(Clone, Copy)]
struct Made<'a>(&'a [Option<(NetNs, Handle)>]);

impl Made<'_> {
    fn ns(&self, s: usize) -> &NetNs {
        &self.0[s].as_ref().expect("a step uses made namespaces").0
    }

    fn handle(&self, s: usize) -> &Handle {
        &self.0[s].as_ref().expect("a step uses made namespaces").1
    }
}

/// Round 1 for namespace `k`: its bridges, then the veth pairs it completes (each in
/// one RTM_NEWLINK that puts the peer directly in its namespace).
async fn create(
    plan: &Plan,
    k: usize,
    links: &[(usize, usize)],
    made: Made<'_>,
    deadline: Instant,
) -> Result<(), String> {
    let ctx = |s: usize, what: String| format!("building node {}: {what}", plan.spaces[s].name);
    let mut pending = Vec::new();
    for iface in plan.spaces[k]
        .ifaces
        .iter()
        .filter(|i| i.kind == Kind::Bridge)
    {
        pending.push(netlink::send(
            made.handle(k),
            Msg::NewLink(bridge_message(iface)),
            CREATE,
            ctx(k, format!("creating {}", iface.name)),
        ));
    }
    for &(c, pos) in links {
        let iface = &plan.spaces[c].ifaces[pos];
        let Kind::Veth { peer, .. } = iface.kind else {
            unreachable!("the plan lists veth ends as links")
        };
        let peer_ns = (peer.0 != c).then(|| made.ns(peer.0).raw_fd());
        let msg = veth_message(iface, &plan.spaces[peer.0].ifaces[peer.1], peer_ns);
        pending.push(netlink::send(
            made.handle(c),
            Msg::NewLink(msg),
            CREATE,
            ctx(c, format!("creating {}", iface.name)),
        ));
    }
    if !pending.is_empty() {
        answered(
            deadline,
            "creating links and bridges",
            try_join_all(pending),
        )
        .await?;
    }
    Ok(())
}

/// Captures both ends of the links just made, before any packet can move on them.
fn capture_links(
    plan: &Plan,
    links: &[(usize, usize)],
    made: Made<'_>,
    capture: &mut Capture,
) -> Result<(), String> {
    for &(c, pos) in links {
        let Kind::Veth { peer, .. } = plan.spaces[c].ifaces[pos].kind else {
            unreachable!("the plan lists veth ends as links")
        };
        for (s, p) in [(c, pos), peer] {
            let (space, iface) = (&plan.spaces[s], &plan.spaces[s].ifaces[p]);
            made.ns(s)
                .run(|| capture.open(&space.name, &iface.name, iface.index))
                .and_then(|r| r)
                .map_err(|e| {
                    format!(
                        "building node {}: capturing {}: {e}",
                        space.name, iface.name
                    )
                })?;
        }
    }
    Ok(())
}

/// Round 2 for spaces whose links all exist: peers up (an up flag inside the creating
/// request is refused for the peer) with their masters, addresses (IPv6 with NODAD),
/// bridge MTUs, routes.
async fn configure(
    plan: &Plan,
    spaces: &[usize],
    made: Made<'_>,
    deadline: Instant,
) -> Result<(), String> {
    let mut pending = Vec::new();
    for &s in spaces {
        let (space, handle) = (&plan.spaces[s], made.handle(s));
        let ctx = |what: String| format!("building node {}: {what}", space.name);
        for iface in &space.ifaces {
            if let Kind::Veth { creator: false, .. } = iface.kind {
                let mut set = LinkUnspec::new_with_index(iface.index).up();
                if let Some(master) = iface.master {
                    set = set.controller(master);
                }
                pending.push(netlink::send(
                    handle,
                    Msg::SetLink(set.build()),
                    CHANGE,
                    ctx(format!("setting {} up", iface.name)),
                ));
            }
            for addr in &iface.addrs {
                let what = ctx(format!("adding {addr} to {}", iface.name));
                pending.push(netlink::send(
                    handle,
                    Msg::NewAddress(address_message(iface.index, addr)),
                    CREATE,
                    what,
                ));
            }
        }
        // A bridge takes the smallest MTU of its ports unless its own was set with a
        // request of its own after the ports joined: then the kernel keeps it.
        for iface in space.ifaces.iter().filter(|i| i.kind == Kind::Bridge) {
            if let Some(mtu) = iface.mtu {
                let set = LinkUnspec::new_with_index(iface.index).mtu(mtu).build();
                pending.push(netlink::send(
                    handle,
                    Msg::SetLink(set),
                    CHANGE,
                    ctx(format!("setting the MTU of {}", iface.name)),
                ));
            }
        }
        for route in &space.routes {
            let dest = match route.dest {
                Destination::Default => "default".to_string(),
                Destination::Net(c) => c.to_string(),
            };
            let what = ctx(format!("adding route {dest} via {}", route.via));
            pending.push(netlink::send(
                handle,
                Msg::NewRoute(route_message(route.dest, route.via)),
                CREATE,
                what,
            ));
        }
    }
    if !pending.is_empty() {
        answered(
            deadline,
            "adding addresses and routes",
            try_join_all(pending),
        )
        .await?;
    }
    Ok(())
}

fn bridge_message(iface: &plan::Planned) -> LinkMessage {
    // STP is off by default: ports forward as soon as they are up.
    let mut b = LinkBridge::new(&iface.name)
        .forward_delay(0)
        .index(iface.index)
        .up();
    if let Some(mtu) = iface.mtu {
        b = b.mtu(mtu);
    }
    b.build()
}

/// One queue each way, said explicitly: without the attributes, veth shrinks its
/// default of one queue per CPU after registering the device, and that waits for an
/// RCU grace period (synchronize_rcu_expedited) per end, milliseconds per link.
fn single_queue<T>(b: LinkMessageBuilder<T>) -> LinkMessageBuilder<T> {
    b.append_extra_attribute(LinkAttribute::NumTxQueues(1))
        .append_extra_attribute(LinkAttribute::NumRxQueues(1))
}

fn veth_message(iface: &plan::Planned, peer: &plan::Planned, peer_ns: Option<i32>) -> LinkMessage {
    let mut p = single_queue(LinkUnspec::new_with_name(&peer.name).index(peer.index));
    if let Some(mtu) = peer.mtu {
        p = p.mtu(mtu);
    }
    if let Some(fd) = peer_ns {
        p = p.setns_by_fd(fd);
    }
    let mut v = single_queue(LinkMessageBuilder::<rtnetlink::LinkVeth>::new(
        &iface.name,
        &peer.name,
    ))
    .set_info_data(InfoData::Veth(InfoVeth::Peer(p.build())))
    .index(iface.index)
    .up();
    if let Some(mtu) = iface.mtu {
        v = v.mtu(mtu);
    }
    if let Some(master) = iface.master {
        v = v.controller(master);
    }
    v.build()
}

fn address_message(index: u32, addr: &Cidr) -> AddressMessage {
    match addr.addr {
        IpAddr::V4(ip) => AddressMessageBuilder::<Ipv4Addr>::new()
            .index(index)
            .address(ip, addr.prefix)
            .build(),
        IpAddr::V6(ip) => {
            let mut m = AddressMessageBuilder::<Ipv6Addr>::new()
                .index(index)
                .address(ip, addr.prefix)
                .build();
            // Usable at once: no duplicate address detection inside the sandbox.
            m.attributes
                .push(AddressAttribute::Flags(AddressFlags::Nodad));
            m
        }
    }
}

fn route_message(dest: Destination, via: IpAddr) -> netlink_packet_route::route::RouteMessage {
    match (via, dest) {
        (IpAddr::V4(gw), Destination::Default) => {
            RouteMessageBuilder::<Ipv4Addr>::new().gateway(gw).build()
        }
        (
            IpAddr::V4(gw),
            Destination::Net(Cidr {
                addr: IpAddr::V4(net),
                prefix,
            }),
        ) => RouteMessageBuilder::<Ipv4Addr>::new()
            .destination_prefix(net, prefix)
            .gateway(gw)
            .build(),
        (IpAddr::V6(gw), Destination::Default) => {
            RouteMessageBuilder::<Ipv6Addr>::new().gateway(gw).build()
        }
        (
            IpAddr::V6(gw),
            Destination::Net(Cidr {
                addr: IpAddr::V6(net),
                prefix,
            }),
        ) => RouteMessageBuilder::<Ipv6Addr>::new()
            .destination_prefix(net, prefix)
            .gateway(gw)
            .build(),
        _ => unreachable!("the language rejects a route whose families differ"),
    }
}

/// Asks for each link until the kernel says it is up; returns each link's MAC.
///
/// A bridge without ports never comes up (no carrier), so only veth ends and bridges
/// with ports are waited for. Between asks: a back-off from 50 µs to 2 ms.
async fn wait_up(
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
            netlink::send(
                handle,
                Msg::GetLink(LinkUnspec::new_with_index(iface.index).build()),
                GET,
                what,
            )
        });
        let answers = try_join_all(asks).await?;
        let mut still = Vec::new();
        for (&i, answer) in waiting.iter().zip(answers) {
            let iface = &space.ifaces[i];
            let (up, mac) = link_state(&answer);
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

/// (operationally up, MAC) from the answer to an RTM_GETLINK.
pub(crate) fn link_state(answer: &[Msg]) -> (bool, [u8; 6]) {
    let mut up = false;
    let mut mac = [0u8; 6];
    for msg in answer {
        if let Msg::NewLink(link) = msg {
            for attr in &link.attributes {
                match attr {
                    LinkAttribute::OperState(State::Up) => up = true,
                    LinkAttribute::Address(a) if a.len() == 6 => mac.copy_from_slice(a),
                    _ => {}
                }
            }
        }
    }
    (up, mac)
}

/// Waits until every IPv6 address of the namespace has its solicited-node group
/// (`ff02::1:ffXX:XXXX`) in /proc/net/igmp6, as seen from inside the namespace.
async fn wait_solicited_groups(space: &Space, ns: &NetNs, deadline: Instant) -> Result<(), String> {
    let wanted: Vec<(String, String)> = space
        .ifaces
        .iter()
        .flat_map(|i| {
            i.addrs.iter().filter_map(move |c| match c.addr {
                IpAddr::V6(v6) => Some((i.name.clone(), solicited_node_hex(v6))),
                IpAddr::V4(_) => None,
            })
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut backoff = Backoff::new(Duration::from_micros(20), deadline);
    loop {
        let table = ns
            .run(|| std::fs::read_to_string("/proc/thread-self/net/igmp6"))
            .and_then(|r| r)
            .map_err(|e| format!("building node {}: reading /proc/net/igmp6: {e}", space.name))?;
        let joined = |(dev, group): &(String, String)| {
            table.lines().any(|l| {
                let mut f = l.split_whitespace();
                f.nth(1) == Some(dev.as_str()) && f.next() == Some(group.as_str())
            })
        };
        if wanted.iter().all(joined) {
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

/// `ff0200000000000000000001ffXXXXXX` as /proc/net/igmp6 prints it.
fn solicited_node_hex(addr: Ipv6Addr) -> String {
    let o = addr.octets();
    format!(
        "ff0200000000000000000001ff{:02x}{:02x}{:02x}",
        o[13], o[14], o[15]
    )
}
