//! Faults at run time: links down and up, impairments, partitions and healing. Each
//! call returns once the kernel reports the state it asked for, and a call that
//! brings a link back (`up`, `heal`) returns it to its declared state: addresses,
//! routes, and IPv6 ready for neighbour discovery ([`super::restore`]).

use super::{replumb, restore, Net};
use crate::topology::{End, Impairment, HOST};

/// One end of a veth pair as built: the node whose namespace holds it, its name, and
/// the bridge it is a port of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndRef {
    pub node: String,
    pub ifname: String,
    pub bridge: Option<String>,
}

/// A veth pair of the topology, to set down and up and to impair from the body.
#[derive(Debug)]
pub struct LinkControl<'a> {
    net: &'a Net,
    /// The link's position in the topology.
    link: usize,
    /// Its ends in the order the caller named them.
    ends: [EndRef; 2],
    /// True when the caller named them the other way round from the topology.
    swapped: bool,
}

impl Net {
    /// The veth pair between `a` and `b` (node or bridge names; the first such pair in
    /// the topology). Panics, listing the pairs, if there is none ([`Net::try_link`]
    /// returns it instead).
    #[track_caller]
    pub fn link(&self, a: &str, b: &str) -> LinkControl<'_> {
        match self.try_link(a, b) {
            Ok(link) => link,
            Err(e) => panic!("{e}"),
        }
    }

    /// Cuts the network between two groups of nodes: every veth pair with one end in
    /// each group goes down, and on a bridge that members of both groups share, the
    /// second group's members' links to it go down at the members' own ends.
    /// [`Net::heal`] undoes it.
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
        self.fault(restore::set_and_wait(self, &cut, false));
        self.partitioned.lock().unwrap().extend(cut);
    }

    /// Brings back every link a [`Net::partition`] took down, in its declared state
    /// (see [`LinkControl::up`]).
    pub fn heal(&self) {
        let cut: Vec<EndRef> = std::mem::take(&mut *self.partitioned.lock().unwrap());
        self.fault(async {
            restore::set_and_wait(self, &cut, true).await?;
            restore::declared_state(self, &cut).await
        });
    }

    #[track_caller]
    fn fault(&self, f: impl std::future::Future<Output = Result<(), String>>) {
        if let Err(e) = self.block(f) {
            panic!("{e}");
        }
    }
}

impl<'a> LinkControl<'a> {
    /// Link `link` of the topology; `swapped`: named from its `b` end.
    pub(super) fn new(net: &'a Net, link: usize, swapped: bool) -> LinkControl<'a> {
        let l = &net.topology.links[link];
        let (x, y) = (end_ref(net, &l.a), end_ref(net, &l.b));
        LinkControl {
            net,
            link,
            ends: if swapped { [y, x] } else { [x, y] },
            swapped,
        }
    }
}

impl LinkControl<'_> {
    /// Sets both ends down; returns when the kernel reports them down. The kernel
    /// flushes their IPv6 addresses and every route through them, and the neighbour
    /// entries on them; IPv4 addresses stay.
    pub fn down(&self) {
        self.net
            .fault(restore::set_and_wait(self.net, &self.ends, false));
    }

    /// Sets both ends up and returns the link to its declared state: every declared
    /// address (IPv4 and IPv6) and every static route of the topology through it are
    /// put back, and it returns only when both ends are up and their IPv6 addresses
    /// can answer neighbour discovery. Neighbour entries start empty, as after any
    /// link flap.
    pub fn up(&self) {
        self.net.fault(async {
            restore::set_and_wait(self.net, &self.ends, true).await?;
            restore::declared_state(self.net, &self.ends).await
        });
    }

    /// Impairs the traffic both ways, replacing what the topology or an earlier call
    /// set (`Impairment::default()` is [`LinkControl::clear`]). On a link the topology
    /// impaired, or one impaired before, the relay takes the new parameters for the
    /// next frame. A link built plain is first spliced through the relay, once: its
    /// ends are made again with the same names, indexes, MACs, MTU and bridge, and
    /// their declared addresses and routes put back; the nodes see a carrier flap and
    /// lose their neighbour entries on it, as when a cable is swapped.
    ///
    /// The impairment obeys the language's rules ([`Impairment::validate`]: jitter
    /// needs a delay, a rate is above 0, ...); one that breaks them panics at the
    /// caller with the language's message. `"delay 20ms loss 1%".parse()` makes one
    /// from a link's words.
    #[track_caller]
    pub fn impair(&self, imp: Impairment) {
        self.impair_each([imp, imp]);
    }

    /// [`LinkControl::impair`] with one impairment per direction: `[a→b, b→a]` for
    /// `net.link("a", "b")`.
    #[track_caller]
    pub fn impair_each(&self, mut imps: [Impairment; 2]) {
        for (imp, dir) in imps.iter().zip(["a→b", "b→a"]) {
            if let Err(e) = imp.validate() {
                panic!(
                    "impairment of {dir} is not one a topology could declare: {}",
                    e.message
                );
            }
        }
        let mut ends = self.ends.clone();
        if self.swapped {
            imps.swap(0, 1);
            ends.swap(0, 1);
        }
        // A spliced link takes its new parameters from the relay (a channel send:
        // the lock is held for no longer than that).
        let spliced = self
            .net
            .impairer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
            .is_some_and(|i| i.set(self.link, imps));
        if spliced || imps.iter().all(Impairment::is_none) {
            return;
        }
        // Taken out while the link is made again (no lock held across it), and put
        // back whatever happens.
        let mut impairer = self
            .net
            .impairer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let done = self.net.block(replumb::splice(
            self.net,
            self.link,
            &ends,
            imps,
            &mut impairer,
        ));
        *self.net.impairer.lock().unwrap_or_else(|p| p.into_inner()) = impairer;
        if let Err(e) = done {
            panic!("{e}");
        }
    }

    /// Takes every impairment off the link, both ways: from the next frame on, the
    /// relay forwards its frames as they come (a spliced link stays spliced).
    pub fn clear(&self) {
        self.impair(Impairment::default());
    }

    /// What the relay did to this link's frames so far, `[a→b, b→a]` in the order the
    /// link was named; `None` for a link that is not spliced.
    pub fn counters(&self) -> Option<[crate::RelayCounters; 2]> {
        let impairer = self.net.impairer.lock().unwrap_or_else(|p| p.into_inner());
        let impairer = impairer.as_ref()?;
        let spliced = impairer.spliced(self.link)?;
        let all = impairer.relay.counters();
        let of = |d| {
            all.iter()
                .find(|c| c.0 == d)
                .map(|c| c.1)
                .unwrap_or_default()
        };
        let mut out = [of(spliced.dirs[0]), of(spliced.dirs[1])];
        if self.swapped {
            out.swap(0, 1);
        }
        Some(out)
    }
}

pub(super) fn end_ref(net: &Net, end: &End) -> EndRef {
    match end {
        End::Node(n) => EndRef {
            node: n.node.clone(),
            ifname: n.ifname.clone(),
            bridge: None,
        },
        End::Bridge { bridge, port } => EndRef {
            node: net
                .topology
                .bridge(bridge)
                .map_or_else(|| HOST.to_string(), |b| b.node.clone()),
            ifname: port.clone(),
            bridge: Some(bridge.clone()),
        },
    }
}
