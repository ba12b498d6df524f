//! The sandbox's relay namespace and what is spliced through it.
//!
//! [`Impairer::start`] makes the namespace (once, when the first link is impaired)
//! and starts the relay thread; [`Impairer::open`] opens the relay ends' sockets and
//! hands each link's two directions to the relay. The veth halves themselves are made
//! by whoever builds the link (the builder at build time, `net::faults` at run time):
//! each half is a plain veth pair whose peer is made directly in this namespace.

use super::model::Params;
use super::relay::{Cmd, DirId, Relay, SockId};
use super::schedule::Counters;
use crate::kernel::carrier::{CarrierMirror, LinkEvents};
use crate::kernel::netlink::{self, CHANGE};
use crate::kernel::netns::NetNs;
use crate::kernel::packet::PacketSocket;
use crate::kernel::{link, sysctl};
use crate::sandbox::vault::Vault;
use crate::topology::Impairment;
use futures::future::try_join_all;
use netlink_packet_route::RouteNetlinkMessage as Msg;
use rtnetlink::Handle;
use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

/// Ring slots per relay socket: 64 × 75 KB. A burst longer than the ring while the
/// relay is off CPU is dropped by the kernel, counted, and reported.
const RING_SLOTS: u32 = 64;

/// The relay-side ends of link number `link` of the topology: indexes far above any
/// node end's. A veth end whose peer has the same index number gets only
/// "non-urgent" carrier events from the kernel (linkwatch takes an iflink equal to the
/// ifindex for a device without a lower one), which wait up to a second.
pub(crate) fn relay_ends(link: usize) -> [(String, u32); 2] {
    let index = 100_000 + 2 * link as u32;
    [
        (format!("r{link}a"), index),
        (format!("r{link}b"), index + 1),
    ]
}

/// MTU of the relay's ends: any frame a node end sends fits (the node end's own MTU
/// limits what it sends, the receiving end's what it takes, as on a plain pair).
pub(crate) const RELAY_MTU: u32 = 65_535;

/// A link spliced through the relay: its two directions (a→b, b→a) and relay ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spliced {
    pub dirs: [DirId; 2],
    pub relay_ends: [u32; 2],
}

/// A link to splice: its position in the topology, the text that names its two
/// directions in decision keys, their impairments (a→b, b→a), and its node ends
/// (namespace, index), a then b.
#[derive(Debug)]
pub(crate) struct ToSplice<'a> {
    pub link: usize,
    pub name: String,
    pub imps: [Impairment; 2],
    pub ends: [(&'a NetNs, u32); 2],
}

/// A link spliced through the relay, as the impairer keeps it: its position in the
/// topology, its directions, its name, and the impairments it has now (a→b, b→a),
/// for the report.
#[derive(Debug)]
struct SplicedLink {
    link: usize,
    spliced: Spliced,
    name: String,
    imps: [Impairment; 2],
}

/// What the relay did to one spliced link: its name, and per direction (a→b, b→a)
/// the impairments it has now and the relay's counters.
#[derive(Debug)]
pub(crate) struct LinkReport {
    pub name: String,
    pub dirs: [(Impairment, Counters); 2],
}

/// The relay namespace, its thread, and every spliced link.
#[derive(Debug)]
pub(crate) struct Impairer {
    pub relay: Relay,
    ns: NetNs,
    handle: Handle,
    next_sock: SockId,
    next_dir: DirId,
    links: Vec<SplicedLink>,
}

impl Impairer {
    /// The relay namespace, made from `home`, and the relay thread; on the sandbox's
    /// runtime (its netlink connection runs there). The thread waits `late` before
    /// its loop (a test hook; zero otherwise).
    pub(crate) fn start(seed: u64, home: &NetNs, late: Duration) -> Result<Impairer, String> {
        let fail = |what: &str, e: io::Error| format!("starting the impairment relay: {what}: {e}");
        let mut mirror = None;
        let ns = NetNs::create(home, || {
            // It must never answer or emit anything on the links spliced through it:
            // IPv6 off before any link appears (no link-local address, no MLD, ND or
            // router solicitation), no IPv4 address (so no ARP reply; arp_ignore 8
            // even if one were added), `lo` left down.
            if std::path::Path::new("/proc/sys/net/ipv6").exists() {
                sysctl::write("net.ipv6.conf.all.disable_ipv6", "1")?;
                sysctl::write("net.ipv6.conf.default.disable_ipv6", "1")?;
            }
            sysctl::write("net.ipv4.conf.all.arp_ignore", "8")?;
            sysctl::write("net.ipv4.conf.default.arp_ignore", "8")?;
            mirror = Some(CarrierMirror::open()?);
            Ok(())
        })
        .map_err(|e| fail("making its namespace", e))?;
        let handle = netlink::connect(Some(&ns)).map_err(|e| fail("its netlink socket", e))?;
        let relay = Relay::start(seed, late).map_err(|e| fail("its thread", e))?;
        relay.send(Cmd::Carrier(mirror.expect("made with the namespace")));
        Ok(Impairer {
            relay,
            ns,
            handle,
            next_sock: 1,
            next_dir: 1,
            links: Vec::new(),
        })
    }

    /// The relay namespace (veth halves put their peer there).
    pub(crate) fn ns(&self) -> &NetNs {
        &self.ns
    }

    /// Opens the relay ends' sockets of `links` (their veth halves exist, the relay
    /// ends still down), all at once, and gives the relay their directions and carrier
    /// rules; then sets the relay ends up. The sockets read before the ends come up, so the nodes'
    /// first frames (MLD reports, router solicitations) are not lost. `vault` gets a
    /// second descriptor of each socket, so that closing them never costs the worker.
    pub(crate) async fn open(
        &mut self,
        links: &[ToSplice<'_>],
        vault: Option<&Vault>,
    ) -> Result<(), String> {
        let indexes: Vec<u32> = links
            .iter()
            .flat_map(|l| relay_ends(l.link).map(|(_, i)| i))
            .collect();
        let sockets = open_all(&self.ns, &indexes)
            .map_err(|e| format!("opening the impairment relay's sockets: {e}"))?;
        let mut ids = Vec::new();
        for s in sockets {
            if let (Some(v), Ok(dup)) = (vault, s.dup()) {
                v.hold(dup.as_fd());
            }
            let id = self.next_sock;
            self.next_sock += 1;
            self.relay.send(Cmd::AddSocket(id, s));
            ids.push(id);
        }
        for (l, socks) in links.iter().zip(ids.chunks(2)) {
            let [(_, x), (_, y)] = relay_ends(l.link);
            let mut dirs = [0; 2];
            for (side, d) in dirs.iter_mut().enumerate() {
                *d = self.next_dir;
                self.next_dir += 1;
                let (rx, tx) = if side == 0 {
                    (socks[0], socks[1])
                } else {
                    (socks[1], socks[0])
                };
                self.relay.send(Cmd::AddDirection {
                    id: *d,
                    rx,
                    tx,
                    key: super::stable_hash(&format!("{} {side}", l.name)),
                    params: Params::from(&l.imps[side]),
                });
            }
            // x follows b's end, y follows a's.
            for ((ns, node_index), relay) in l.ends.iter().zip([y, x]) {
                let inode = ns
                    .inode()
                    .map_err(|e| format!("reading a namespace: {e}"))?;
                let events = ns
                    .run(LinkEvents::open)
                    .and_then(|r| r)
                    .map_err(|e| format!("watching the link events of a node: {e}"))?;
                self.relay.send(Cmd::CarrierRule {
                    ns: inode,
                    events: Some(events),
                    node_index: *node_index,
                    relay,
                });
            }
            self.links.retain(|k| k.link != l.link);
            self.links.push(SplicedLink {
                link: l.link,
                spliced: Spliced {
                    dirs,
                    relay_ends: [x, y],
                },
                name: l.name.clone(),
                imps: l.imps,
            });
        }
        let ups = indexes.iter().map(|&i| {
            netlink::send(
                &self.handle,
                Msg::SetLink(link::set_up(i, None)),
                CHANGE,
                format!("setting the impairment relay's end {i} up"),
            )
        });
        try_join_all(ups).await?;
        Ok(())
    }

    /// The splice of link number `link`, if it has one.
    pub(crate) fn spliced(&self, link: usize) -> Option<Spliced> {
        self.links
            .iter()
            .find(|l| l.link == link)
            .map(|l| l.spliced)
    }

    /// New impairments (a→b, b→a) for spliced link number `link`, from its next
    /// frame on; false if it is not spliced.
    pub(crate) fn set(&mut self, link: usize, imps: [Impairment; 2]) -> bool {
        let Some(l) = self.links.iter_mut().find(|l| l.link == link) else {
            return false;
        };
        for (d, imp) in l.spliced.dirs.into_iter().zip(&imps) {
            self.relay.send(Cmd::SetParams(d, Params::from(imp)));
        }
        l.imps = imps;
        true
    }

    /// Each spliced link: its impairments now and its two directions' counters.
    pub(crate) fn report(&self) -> Vec<LinkReport> {
        let all = self.relay.counters();
        let of = |d: DirId| {
            all.iter()
                .find(|c| c.0 == d)
                .map(|c| c.1)
                .unwrap_or_default()
        };
        self.links
            .iter()
            .map(|l| LinkReport {
                name: l.name.clone(),
                dirs: [0, 1].map(|i| (l.imps[i], of(l.spliced.dirs[i]))),
            })
            .collect()
    }
}

/// Opens a socket on each of `indexes` in `ns`, one thread each: setting up a ring
/// waits for an RCU grace period (10-15 ms here), and concurrent waiters share one,
/// so a sandbox pays about one whatever the number of impaired links.
fn open_all(ns: &NetNs, indexes: &[u32]) -> io::Result<Vec<PacketSocket>> {
    std::thread::scope(|s| {
        let threads: Vec<_> = indexes
            .iter()
            .map(|&i| {
                s.spawn(move || {
                    ns.set_current()?;
                    PacketSocket::open(i, RING_SLOTS)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a socket thread panicked")))
            })
            .collect()
    })
}
