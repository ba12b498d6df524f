//! Topology → kernel objects, over rtnetlink, with no `ip` binary and no sleeps.
//!
//! The namespaces are made in plan order, each with its sysctls and `lo` up, by
//! helper threads ([`namespaces`]) while this thread works through the ones that exist.
//! Once namespace `k` is there ([`plan::Step`]):
//! 1. create: its bridges, and the veth pairs whose later namespace it is (each pair
//!    in one RTM_NEWLINK that puts the peer directly in its namespace: moving a link
//!    later costs an RCU grace period);
//! 2. configure the spaces whose links now all exist: peers up (an up flag inside the
//!    creating request is refused for the peer), masters of bridge-to-bridge peers,
//!    addresses (IPv6 with NODAD), routes.
//!
//! Each step's requests are queued at once on the sockets concerned and awaited
//! together. A link with impairments is made as two halves, each from its own node
//! to the relay namespace (see [`crate::impair`]), made before the first step. Then,
//! for the whole topology:
//! 3. splice: the relay's sockets on the relay ends, and the ends up;
//! 4. NATs: one nf_tables transaction in each NAT router (see [`crate::nat`]);
//! 5. barrier: one RTM_GETLINK per link end until the kernel reports it up. Without
//!    it, the first packet after the build was lost in a fifth of the runs. Then, where
//!    there are IPv6 addresses, until the kernel has joined their solicited-node
//!    multicast groups: it does so in a work item after the address is added, and a
//!    neighbour solicitation that comes first is dropped (and retried only after 1 s).

/// The wait until every link is up and every IPv6 address ready.
mod barrier;
/// Round 2: peers up, addresses, MTUs, routes.
mod configure;
/// Round 1: bridges and veth pairs.
mod create;
/// The machine's sysctls a new namespace inherits, set back to the kernel's defaults.
mod host_defaults;
/// The nodes' namespaces, made by helper threads ahead of the builder.
mod namespaces;
/// The NATs' tables in their routers.
mod nat;
/// Which kernel objects the topology needs, where, with which index.
mod plan;
/// Round 3: impaired links onto the relay.
pub(crate) mod splice;

pub(crate) use crate::options::Hooks;
pub(crate) use namespaces::cores;

use crate::impair::Impairer;
use crate::kernel::netlink;
use crate::kernel::netns::NetNs;
use crate::nat::table::Installed;
use crate::sandbox::vault::Vault;
use futures::future::try_join_all;
use netns_test_topology::{IpNet, Topology};
use plan::Plan;
use rtnetlink::Handle;
use std::os::fd::AsFd;
use std::time::Instant;

/// A namespace of the built topology and what the kernel said about its links.
#[derive(Debug)]
pub(crate) struct BuiltSpace {
    pub name: String,
    pub ns: NetNs,
    pub handle: Handle,
    pub ifaces: Vec<BuiltIface>,
    /// The NAT of a NAT router.
    pub nat: Option<Installed>,
}

#[derive(Debug, Clone)]
pub(crate) struct BuiltIface {
    pub name: String,
    pub index: u32,
    pub mac: [u8; 6],
    pub addrs: Vec<IpNet>,
}

/// A build under way: checked, planned, and its namespaces being made.
pub(crate) struct Started {
    plan: Plan,
    factory: namespaces::Factory,
    topo: Topology,
    hooks: Hooks,
}

/// Starts building `topo` in namespaces below the calling thread's, which must not be
/// the namespace the test process started in (inode `outside`): the builder refuses
/// to create anything outside the sandbox. Needs no runtime: the helpers start making
/// the nodes' namespaces at once, while the caller goes on to build its runtime.
/// With `capture`, every namespace with veth ends gets a capture socket as it is made.
///
/// `hooks` make every namespace look like one on another kind of machine, and the
/// relay start late (tests).
pub(crate) fn start(
    topo: &Topology,
    outside: u64,
    capture: bool,
    hooks: Hooks,
) -> Result<Started, String> {
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
    let factory = namespaces::Factory::start(&plan, &host, capture, hooks)?;
    Ok(Started {
        plan,
        factory,
        topo: topo.clone(),
        hooks,
    })
}

/// Finishes a build (on a tokio runtime): the namespaces, links, addresses and routes,
/// the splice of impaired links (their decisions drawn from `seed`), then the barrier
/// on kernel state. Each namespace (and its capture socket) goes into `vault` the
/// moment the builder takes it, before its links exist. Returns the relay too when
/// some link is impaired.
pub(crate) async fn finish(
    started: Started,
    seed: u64,
    deadline: Instant,
    step: &dyn Fn(&str),
    vault: &Vault,
) -> Result<(Vec<BuiltSpace>, Option<Impairer>), String> {
    let Started {
        mut plan,
        mut factory,
        topo,
        hooks,
    } = started;
    // The relay namespace first, so that every half of a spliced link can be made
    // with the rest of its node's links. Nothing of it exists without impairments.
    let mut impairer = None;
    if !plan.spliced.is_empty() {
        step("starting the impairment relay");
        let home = NetNs::current().map_err(|e| format!("opening the sandbox's namespace: {e}"))?;
        impairer = Some(Impairer::start(seed, &home, hooks.relay_late)?);
    }
    // Rounds 1 and 2, one namespace at a time, while helpers make the next ones.
    let mut made: Vec<Option<(NetNs, Handle)>> = plan.spaces.iter().map(|_| None).collect();
    for (k, todo) in plan.steps().into_iter().enumerate() {
        // Posting a step costs no system call: a hang names the node it stopped at.
        step(&format!("building node {}", plan.spaces[k].name));
        let namespaces::Made { ns, capture, base } = factory.take(k).await?;
        // Its links go above those it started with; the spaces its links join are
        // made (and moved) already.
        plan.spaces[k].rebase(base);
        let space = &plan.spaces[k];
        let ends = space
            .ifaces
            .iter()
            .filter(|i| matches!(i.kind, plan::Kind::Veth { .. }))
            .map(|i| (i.name.clone(), i.index))
            .collect();
        let bridges = space.bridges().map(|i| i.index).collect();
        vault.deposit(&space.name, ns.as_fd(), capture, ends, bridges);
        let handle = netlink::connect(Some(&ns)).map_err(|e| {
            format!(
                "building node {}: opening its netlink socket: {e}",
                plan.spaces[k].name
            )
        })?;
        made[k] = Some((ns, handle));
        let existing = Existing(&made);
        let relay = impairer.as_ref().map(Impairer::ns);
        create::links(&plan, k, &todo.links, existing, relay, deadline).await?;
        configure::spaces(&plan, &todo.configure, existing, deadline).await?;
    }
    drop(factory);
    vault.flush();
    let spaces: Vec<(NetNs, Handle)> = made
        .into_iter()
        .map(|s| s.expect("every step made its namespace"))
        .collect();

    if let Some(impairer) = impairer.as_mut() {
        step("splicing the impaired links");
        answered(
            deadline,
            "splicing the impaired links",
            splice::links(&topo, &plan, &spaces, impairer, vault),
        )
        .await?;
    }
    // Then the NATs.
    let mut nats = nat::install(&plan, &spaces, step)?;

    step("waiting for the links to come up");
    // Round 3: wait until every veth end is up, and learn the MACs.
    let mut built = Vec::with_capacity(spaces.len());
    let waits = plan
        .spaces
        .iter()
        .zip(&spaces)
        .map(|(space, (_, handle))| barrier::links_up(space, handle, deadline));
    let states = try_join_all(waits).await?;
    for (space, (ns, _)) in plan.spaces.iter().zip(&spaces) {
        if space.has_ipv6() {
            step(&format!("waiting for node {}'s IPv6 addresses", space.name));
            barrier::ipv6_ready(space, ns, deadline).await?;
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
        let nat = nats
            .iter()
            .position(|(s, _)| plan.spaces[*s].name == space.name)
            .map(|i| nats.swap_remove(i).1);
        built.push(BuiltSpace {
            name: space.name.clone(),
            ns,
            handle,
            ifaces,
            nat,
        });
    }
    Ok((built, impairer))
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

/// The namespaces (and their netlink handles) that exist so far, by plan position; a
/// step only asks for existing ones.
#[derive(Clone, Copy)]
struct Existing<'a>(&'a [Option<(NetNs, Handle)>]);

impl Existing<'_> {
    fn ns(&self, s: usize) -> &NetNs {
        &self.0[s].as_ref().expect("a step uses made namespaces").0
    }

    fn handle(&self, s: usize) -> &Handle {
        &self.0[s].as_ref().expect("a step uses made namespaces").1
    }
}
