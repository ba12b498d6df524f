//! `Net`: the built topology as the test body sees it, with its nodes ([`Node`]),
//! faults ([`LinkControl`]) and on-demand checks.

/// The harness's checks as calls from the body: ping, reachable, isolated, neighbours.
mod assertions;
/// `Iface`, `MacOrNode`, `NatMapping`, `LookupError`: plain data, the same on every OS.
mod data;
/// Links down and up, impairments, partitions: faults at run time.
mod faults;
/// Nodes, links, interfaces and NATs by name: `try_` forms and their error.
mod lookup;
/// `NatControl`: a NAT's mappings, flush and kind from the body.
mod nat;
/// `Node`, `Iface`: one namespace and running code in it.
mod node;
/// A plain link spliced through the relay at run time.
mod replumb;
/// A link end back in its declared state, and ready.
mod restore;

pub use data::{Iface, LookupError, MacOrNode, NatMapping};
pub use faults::LinkControl;
pub use nat::NatControl;
use node::one_worker;
pub use node::Node;

use crate::builder::BuiltSpace;
use crate::impair::Impairer;
use crate::topology::Topology;
use node::Shared;
use std::future::Future;
use std::sync::{Arc, OnceLock};

/// The sandbox's network: every node of the topology, `host` included.
#[derive(Debug)]
pub struct Net {
    /// The harness's own runtime: single-threaded, it drives the builder's netlink
    /// sockets and the probes whenever the harness blocks on it (`Net::block`).
    pub(crate) rt: tokio::runtime::Runtime,
    /// The runtime of async bodies and `Net::block_on`, made on first use.
    body_rt: OnceLock<tokio::runtime::Runtime>,
    pub(crate) topology: Topology,
    pub(crate) nodes: Vec<Node>,
    /// The NATs, by router.
    nats: Vec<nat::NatEntry>,
    /// Link ends a partition took down, for `heal`.
    partitioned: std::sync::Mutex<Vec<faults::EndRef>>,
    /// The impairment relay, once some link is impaired.
    pub(crate) impairer: std::sync::Mutex<Option<Impairer>>,
    /// The seed of the impairments' decisions.
    pub(crate) seed: u64,
    /// The run's checks and isolation timeout (`Options`), for `check` and
    /// `assert_isolated` in the body.
    pub(crate) checks: crate::Checks,
    pub(crate) isolation: std::time::Duration,
}

impl Net {
    pub(crate) fn new(
        rt: tokio::runtime::Runtime,
        topology: Topology,
        mut built: Vec<BuiltSpace>,
        impairer: Option<Impairer>,
        seed: u64,
    ) -> Net {
        let shared = Arc::new(Shared::new(&built));
        let nats = built
            .iter_mut()
            .filter_map(|s| {
                let installed = s.nat.take()?;
                Some(nat::NatEntry {
                    router: s.name.clone(),
                    installed: installed.into(),
                })
            })
            .collect();
        let nodes = built
            .into_iter()
            .map(|s| Node::new(s, shared.clone()))
            .collect();
        Net {
            rt,
            body_rt: OnceLock::new(),
            topology,
            nodes,
            nats,
            partitioned: Default::default(),
            impairer: std::sync::Mutex::new(impairer),
            seed,
            checks: crate::Checks::Hub,
            isolation: crate::options::ISOLATION_DEFAULT,
        }
    }

    /// The node called `name` (`host` is the sandbox's own namespace).
    ///
    /// Panics with the list of node names if there is none: a typo in a test (the
    /// panic points at the caller's line). [`Net::try_node`] returns it instead.
    #[track_caller]
    pub fn node(&self, name: &str) -> &Node {
        match self.try_node(name) {
            Ok(node) => node,
            Err(e) => panic!("{e}"),
        }
    }

    /// Every node, `host` first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The topology this network was built from (automatic addresses filled in).
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Runs a future to completion on the body's runtime: how `async fn` bodies run.
    ///
    /// The runtime has one worker thread, so tasks the future spawns keep running
    /// while the body does blocking work, and the harness's blocking calls
    /// (`net.ping`, `net.link(..).down()`) work inside it. It is made on first use,
    /// in the namespace of the calling thread.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.body_rt
            .get_or_init(|| {
                one_worker("netns-test-body".into())
                    .build()
                    .expect("building the body's runtime")
            })
            .block_on(future)
    }
}
