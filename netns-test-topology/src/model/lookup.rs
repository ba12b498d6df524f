//! The questions of `queries` for many names at once, each answered without a walk
//! over the whole topology: what validation asks per route and per expect. A walk
//! per question made a text of a million bytes take minutes (a route per node, and
//! every node's addresses per route); one `Lookup` keeps the parser linear in the
//! text.

use super::{IpNet, Target, Topology, HOST};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

/// Nodes, their addresses and their segments, indexed once.
#[derive(Debug)]
pub(crate) struct Lookup<'t> {
    /// A number for every node, `host` included.
    ids: HashMap<&'t str, usize>,
    /// Every address of each node, in the order of the text (`node_addrs`).
    addrs: Vec<Vec<IpNet>>,
    /// Each node's addresses without prefix, its subnets, and their prefix lengths:
    /// a gateway is checked against a node's addresses in a few lookups.
    own: HashSet<(usize, IpAddr)>,
    subnets: HashSet<(usize, IpNet)>,
    prefixes: Vec<BTreeSet<(bool, u8)>>,
    /// The segments each node is a member of, ascending.
    segments_of: Vec<Vec<usize>>,
    /// (segment, node): the node's first address on the segment.
    first_addr: HashMap<(usize, usize), IpAddr>,
    /// (segment, node): the node is a member.
    member: HashSet<(usize, usize)>,
    /// `target_addr` per (from, node): a text may ask the same pair many times.
    answers: RefCell<HashMap<(usize, usize), Option<IpAddr>>>,
}

impl<'t> Lookup<'t> {
    pub(crate) fn new(topo: &'t Topology) -> Lookup<'t> {
        let ids: HashMap<&str, usize> = std::iter::once(HOST)
            .chain(topo.nodes.iter().map(|n| n.name.as_str()))
            .enumerate()
            .map(|(i, name)| (name, i))
            .collect();
        let mut addrs = vec![Vec::new(); ids.len()];
        topo.each_iface(|node, _, a| {
            if let Some(&id) = ids.get(node) {
                addrs[id].extend_from_slice(a);
            }
        });
        let (mut own, mut subnets) = (HashSet::new(), HashSet::new());
        let mut prefixes = vec![BTreeSet::new(); ids.len()];
        for (id, cidrs) in addrs.iter().enumerate() {
            for c in cidrs {
                own.insert((id, c.addr()));
                subnets.insert((id, c.trunc()));
                prefixes[id].insert((c.addr().is_ipv4(), c.prefix_len()));
            }
        }
        let mut segments_of = vec![Vec::new(); ids.len()];
        let mut first_addr = HashMap::new();
        let mut member = HashSet::new();
        for (s, segment) in topo.segments().iter().enumerate() {
            for m in &segment.members {
                let Some(&id) = ids.get(m.node.as_str()) else {
                    continue;
                };
                if member.insert((s, id)) {
                    segments_of[id].push(s);
                }
                if let Some(c) = m.addrs.first() {
                    first_addr.entry((s, id)).or_insert(c.addr());
                }
            }
        }
        Lookup {
            ids,
            addrs,
            own,
            subnets,
            prefixes,
            segments_of,
            first_addr,
            member,
            answers: RefCell::default(),
        }
    }

    /// Whether `name` is a node; `host` always is.
    pub(crate) fn has_node(&self, name: &str) -> bool {
        self.ids.contains_key(name)
    }

    /// [`Topology::node_addrs`].
    pub(crate) fn node_addrs(&self, node: &str) -> &[IpNet] {
        self.ids.get(node).map_or(&[], |&id| &self.addrs[id])
    }

    /// Whether `ip` is one of `node`'s addresses.
    pub(crate) fn is_own(&self, node: &str, ip: IpAddr) -> bool {
        self.ids
            .get(node)
            .is_some_and(|&id| self.own.contains(&(id, ip)))
    }

    /// Whether `ip` is inside the subnet of one of `node`'s addresses.
    pub(crate) fn is_connected(&self, node: &str, ip: IpAddr) -> bool {
        let Some(&id) = self.ids.get(node) else {
            return false;
        };
        self.prefixes[id]
            .iter()
            .filter(|&&(v4, _)| v4 == ip.is_ipv4())
            .filter_map(|&(_, prefix)| IpNet::new(ip, prefix).ok())
            .any(|c| self.subnets.contains(&(id, c.trunc())))
    }

    /// [`Topology::target_addr`]: a node answers with its first address on the first
    /// segment it shares with `from`, else with its first address at all.
    pub(crate) fn target_addr(&self, from: &str, target: &Target) -> Option<IpAddr> {
        let name = match target {
            Target::Ip(ip) => return Some(*ip),
            Target::Node(name) => name,
        };
        let &to = self.ids.get(name.as_str())?;
        let Some(&from) = self.ids.get(from) else {
            return self.addrs[to].first().map(|c| c.addr());
        };
        if let Some(answer) = self.answers.borrow().get(&(from, to)) {
            return *answer;
        }
        // The first shared segment where `to` has an address: walk the shorter of the
        // two ascending lists (a hub of many links asks about each spoke cheaply).
        let (mine, theirs) = (&self.segments_of[from], &self.segments_of[to]);
        let shared = if mine.len() <= theirs.len() {
            mine.iter().find_map(|&s| self.first_addr.get(&(s, to)))
        } else {
            theirs
                .iter()
                .filter(|&&s| self.member.contains(&(s, from)))
                .find_map(|&s| self.first_addr.get(&(s, to)))
        };
        let answer = shared
            .copied()
            .or_else(|| self.addrs[to].first().map(|c| c.addr()));
        self.answers.borrow_mut().insert((from, to), answer);
        answer
    }
}
