//! The segment checks as plans of probes, per segment and address family.
//!
//! - [`Checks::Hub`], the default: the segment's hub (its first member with an
//!   address of the family: the bridge itself when it has one) resolves the next
//!   member by broadcast, as any first contact does, and pings it. Then every other
//!   member resolves the hub with its kernel's own unicast probe (`unicast.rs`) and
//!   pings it. Both ends' neighbour tables must map the other's address to the MAC
//!   its link has. On a veth pair this is each end pinging the other; on a bridge it
//!   is one broadcast and four unicast frames per member, where a broadcast per member
//!   would be flooded to every port (N² frames).
//! - [`Checks::AllPairs`]: every member resolves every other by broadcast and pings
//!   it; N(N−1) neighbour entries per segment and family.

use super::probes::{Entry, Must, Probe};
use super::Checks;
use crate::failed_checks::CheckKind;
use crate::net::Net;
use crate::topology::SegmentKind;
use std::net::IpAddr;

/// The neighbour entries all-pairs checks may leave per family: the kernel's table
/// holds 1024 (`gc_thresh3`) for every namespace of the machine, and other tests'
/// sandboxes need theirs.
const ALL_PAIRS_ENTRIES: usize = 512;

/// What the segment checks do, in two stages.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Pinged first: the hub of each segment its next member (hub checks), or every
    /// member every other (all-pairs).
    pub first: Vec<Probe>,
    /// Then, once each member has introduced itself to its hub: each member pings it.
    pub to_hub: Vec<ToHub>,
}

/// A member that resolves its hub with a unicast probe, then pings it.
#[derive(Debug)]
pub(super) struct ToHub {
    pub member: LinkEnd,
    pub hub: LinkEnd,
    pub probe: Probe,
}

/// One end of a segment as the introductions need it: the node (its index in
/// `Net::nodes`), its link's index there, its address of the family, its MAC.
#[derive(Debug, Clone, Copy)]
pub(super) struct LinkEnd {
    pub node: usize,
    pub index: u32,
    pub ip: IpAddr,
    pub mac: [u8; 6],
}

/// A segment member with an address of the family at hand.
#[derive(Debug, Clone)]
struct Member {
    node: usize,
    /// `a:eth0`
    end: String,
    /// `a's eth0`
    owner: String,
    ip: IpAddr,
    index: u32,
    mac: [u8; 6],
}

/// The plan for `checks` (nothing for [`Checks::Off`]); all-pairs checks that would
/// need more neighbour entries than the machine can spare are refused, with the count.
pub(super) fn plan(net: &Net, checks: Checks) -> Result<Plan, String> {
    let mut plan = Plan::default();
    match checks {
        Checks::Off => {}
        Checks::Hub => {
            for (segment, members) in rings(net) {
                hub(&segment, &members, &mut plan);
            }
        }
        Checks::AllPairs => {
            let rings = rings(net);
            for v6 in [false, true] {
                let entries: usize = rings
                    .iter()
                    .filter(|(_, m)| m[0].ip.is_ipv6() == v6)
                    .map(|(_, m)| m.len() * (m.len() - 1))
                    .sum();
                if entries > ALL_PAIRS_ENTRIES {
                    let family = if v6 { "IPv6" } else { "IPv4" };
                    return Err(format!(
                        "all-pairs checks need {entries} {family} neighbour entries, more than the \
                         {ALL_PAIRS_ENTRIES} they may take of the kernel's table (1024 for the whole \
                         machine, gc_thresh3); use the default checks for segments this large"
                    ));
                }
            }
            for (segment, members) in rings {
                all_pairs(&segment, &members, &mut plan);
            }
        }
    }
    Ok(plan)
}

/// Every segment's members with an address of each family, where there are two or
/// more: (`segment 2 (br0)`, members), IPv4 first.
fn rings(net: &Net) -> Vec<(String, Vec<Member>)> {
    let topo = net.topology();
    let mut out = Vec::new();
    for (s, segment) in topo.segments().iter().enumerate() {
        let what = match segment.kind {
            SegmentKind::Veth(_) => "veth",
            SegmentKind::Bridge(b) => &topo.bridges[b].name,
        };
        for v6 in [false, true] {
            let members: Vec<Member> = segment
                .members
                .iter()
                .filter_map(|m| {
                    let ip = m.addrs.iter().find(|c| c.addr().is_ipv6() == v6)?.addr();
                    let iface = net.node(&m.node).iface(&m.ifname);
                    Some(Member {
                        node: net.index_of(&m.node),
                        end: format!("{}:{}", m.node, m.ifname),
                        owner: format!("{}'s {}", m.node, m.ifname),
                        ip,
                        index: iface.index,
                        mac: iface.mac,
                    })
                })
                .collect();
            if members.len() >= 2 {
                out.push((format!("segment {} ({what})", s + 1), members));
            }
        }
    }
    out
}

impl Member {
    fn link_end(&self) -> LinkEnd {
        LinkEnd {
            node: self.node,
            index: self.index,
            ip: self.ip,
            mac: self.mac,
        }
    }
}

fn label(segment: &str, from: &Member, to: &Member) -> String {
    format!(
        "reachability check on {segment}: {} {} -> {} {}",
        from.end, from.ip, to.end, to.ip
    )
}

/// `node` must map `to`'s address to `to`'s MAC.
fn entry(node: &Member, to: &Member) -> Entry {
    Entry {
        node: node.node,
        ip: to.ip,
        owner: to.owner.clone(),
        mac: to.mac,
    }
}

fn hub(segment: &str, members: &[Member], plan: &mut Plan) {
    let (hub, rest) = members.split_first().expect("two members or more");
    let next = &rest[0];
    plan.first.push(Probe {
        kind: CheckKind::Reachability,
        label: label(segment, hub, next),
        from: hub.node,
        to: next.ip,
        must: Must::Reach,
        entries: vec![entry(hub, next)],
    });
    for m in rest {
        plan.to_hub.push(ToHub {
            member: m.link_end(),
            hub: hub.link_end(),
            probe: Probe {
                kind: CheckKind::Reachability,
                label: label(segment, m, hub),
                from: m.node,
                to: hub.ip,
                must: Must::Reach,
                entries: vec![entry(m, hub), entry(hub, m)],
            },
        });
    }
}

fn all_pairs(segment: &str, members: &[Member], plan: &mut Plan) {
    for from in members {
        for to in members {
            if from.node == to.node && from.index == to.index {
                continue;
            }
            plan.first.push(Probe {
                kind: CheckKind::Reachability,
                label: label(segment, from, to),
                from: from.node,
                to: to.ip,
                must: Must::Reach,
                entries: vec![entry(from, to)],
            });
        }
    }
}
