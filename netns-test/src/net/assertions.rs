//! The checks as API, for use inside a test body.

use super::{MacOrNode, Net, Node};
use crate::failed_checks::CheckError;
use crate::probe::{Neighbour, Pinger, ProbeError, Tries};
use crate::topology::Target;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

impl Net {
    /// Pings `to` (a node name or an IP) from node `from`; the round-trip time.
    ///
    /// A node target means its address on a segment shared with `from`, else its
    /// first address. Up to 3 echo requests, 1 s in all. The round-trip time of the
    /// request answered, timed from before it was sent: never shorter than the path,
    /// a little longer on a loaded machine.
    ///
    /// A name that is neither a node nor an address is [`ProbeError::Unknown`].
    pub fn ping(&self, from: &str, to: &str) -> Result<Duration, ProbeError> {
        let node = self.find(from)?;
        let ip = self.resolve(from, to)?;
        self.block(async { node.pinger(ip.is_ipv6())?.ping(ip, &Tries::reach()).await })
    }

    /// Panics unless `from` can ping `to`; the failure report that follows has every
    /// node's state.
    #[track_caller]
    pub fn assert_reachable(&self, from: &str, to: &str) {
        if let Err(e) = self.ping(from, to) {
            panic!("assert_reachable({from} -> {to}): {e}");
        }
    }

    /// Panics if `from` can ping `to` (one echo request, waiting the run's isolation
    /// timeout, `Options::isolation_timeout`, 200 ms by default), and when the probe
    /// proves nothing either way (see [`ProbeError::proves_isolation`]); the failure
    /// report that follows has every node's state.
    #[track_caller]
    pub fn assert_isolated(&self, from: &str, to: &str) {
        let node = self.node(from);
        let ip = match self.resolve(from, to) {
            Ok(ip) => ip,
            Err(e) => panic!("assert_isolated: {e}"),
        };
        let tries = Tries::isolation(self.isolation);
        let got = self.block(async { node.pinger(ip.is_ipv6())?.ping(ip, &tries).await });
        match got {
            Ok(rtt) => panic!(
                "assert_isolated({from} -x- {to}): {ip} answered in {:.2}ms, but must be unreachable",
                rtt.as_secs_f64() * 1e3,
            ),
            Err(e) if e.proves_isolation() => {}
            Err(e) => panic!(
                "assert_isolated({from} -x- {to}): cannot tell whether {ip} is unreachable: {e}"
            ),
        }
    }

    /// The neighbour table (ARP and ND) of `node`.
    pub fn neighbours(&self, node: &str) -> Vec<Neighbour> {
        let node = self.node(node);
        self.block(node.neighbours_async())
            .unwrap_or_else(|e| panic!("neighbours of {}: {e}", node.name()))
    }

    /// Panics unless `node` maps `ip` to `mac` (or to the MAC of the named node's link
    /// that carries `ip`) in a usable state.
    #[track_caller]
    pub fn assert_neighbour<'a>(
        &self,
        node: &str,
        ip: IpAddr,
        mac_or_node: impl Into<MacOrNode<'a>>,
    ) {
        let (peer, mac) = match mac_or_node.into() {
            MacOrNode::Mac(m) => ("the expected link".to_string(), m),
            MacOrNode::Node(n) => {
                let peer = self.node(n);
                let iface = peer
                    .ifaces()
                    .iter()
                    .find(|i| i.addrs.iter().any(|c| c.addr() == ip))
                    .unwrap_or_else(|| panic!("node {n} has no link with address {ip}"));
                (format!("{n}'s {}", iface.name), iface.mac)
            }
        };
        let table = self.block(self.node(node).neighbours_async());
        if let Err(e) = crate::checks::neighbour_verdict(node, &table, ip, &peer, &mac) {
            panic!("{e}");
        }
    }

    /// Every node's links, addresses, routes and neighbours, and the topology, read
    /// now: the same form as a failure report's state.
    pub fn report(&self) -> String {
        let states = self.block(crate::report::node_states(self));
        crate::report::format(&states, self.topology())
    }

    /// Runs the checks the harness runs after the body, now: every `expect`, then
    /// each segment's pings and neighbour tables, as the run's [`Options`](crate::Options)
    /// ask (all pairs with `Checks::AllPairs`; the hub checks by default and when the
    /// checks after the body are off), isolations waiting its isolation timeout. The
    /// [`CheckError`] has each failed check with its [`CheckKind`](crate::CheckKind),
    /// and every node's state read right after them; its `Display` prints both.
    pub fn check(&self) -> Result<(), CheckError> {
        let checks = match self.checks {
            crate::Checks::Off => crate::Checks::Hub,
            asked => asked,
        };
        self.block(crate::checks::run(self, true, checks, self.isolation))
            .map_err(|failed| CheckError::new(failed, self.report()))
    }

    pub(crate) fn index_of(&self, name: &str) -> usize {
        let node = self.node(name);
        self.nodes
            .iter()
            .position(|n| std::ptr::eq(n, node))
            .expect("node of this net")
    }

    /// The node `name`, or `Unknown` with the names there are.
    fn find(&self, name: &str) -> Result<&Node, ProbeError> {
        self.nodes.iter().find(|n| n.name() == name).ok_or_else(|| {
            let names: Vec<&str> = self.nodes.iter().map(|n| n.name()).collect();
            ProbeError::Unknown(format!(
                "no node {name:?} in this topology; nodes: {}",
                names.join(", ")
            ))
        })
    }

    fn resolve(&self, from: &str, to: &str) -> Result<IpAddr, ProbeError> {
        if let Ok(ip) = to.parse::<IpAddr>() {
            return Ok(ip);
        }
        self.find(to).map_err(|_| {
            let names: Vec<&str> = self.nodes.iter().map(|n| n.name()).collect();
            ProbeError::Unknown(format!(
                "{to:?} is neither a node of this topology nor an address; nodes: {}",
                names.join(", ")
            ))
        })?;
        self.topology
            .target_addr(from, &Target::Node(to.to_string()))
            .ok_or_else(|| ProbeError::Unknown(format!("node {to} has no address")))
    }

    /// Runs a future to completion on the sandbox's runtime, from sync code or from a
    /// task of another (multi-threaded) runtime: the body's or a node's.
    ///
    /// The sandbox's runtime is single-threaded: whoever is in `Runtime::block_on`
    /// drives its connections. Another thread's `block_on` waits for the core and
    /// polls its own future meanwhile, so the two never deadlock.
    ///
    /// Panics with a message inside a current-thread runtime: blocking its only thread
    /// would stop the very tasks the caller waits for (tokio's own panic there names
    /// none of this).
    #[track_caller]
    pub(crate) fn block<F: Future>(&self, f: F) -> F::Output {
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(RuntimeFlavor::CurrentThread) => panic!(
                "netns-test: the harness's blocking calls (net.ping, net.assert_reachable, \
                 net.link(..).down(), net.report(), ...) cannot run inside a current-thread \
                 tokio runtime: they would block its only thread. Call them from the body \
                 itself, inside net.block_on(..) (an async body runs there), or from \
                 tokio::task::spawn_blocking"
            ),
            Ok(_) => tokio::task::block_in_place(|| self.rt.block_on(f)),
            Err(_) => self.rt.block_on(f),
        }
    }
}

impl Node {
    /// An ICMP client with its socket inside this node.
    pub(crate) fn pinger(&self, v6: bool) -> Result<Pinger, ProbeError> {
        Pinger::open(self.name(), v6, |f| self.enter_while(f))
    }

    pub(crate) async fn neighbours_async(&self) -> Result<Vec<Neighbour>, String> {
        let names: Vec<(u32, String)> = self
            .ifaces()
            .iter()
            .map(|i| (i.index, i.name.clone()))
            .collect();
        crate::probe::dump_neighbours(self.rtnl(), move |i| {
            names
                .iter()
                .find(|(x, _)| *x == i)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| format!("if{i}"))
        })
        .await
    }
}
