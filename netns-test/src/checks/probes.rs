//! Probes: a ping that must (or must not) be answered, and the neighbour entries a
//! successful one must have left; run all at once, judged together.

use crate::failed_checks::{CheckKind, FailedCheck};
use crate::net::Net;
use crate::probe::{Neighbour, NeighbourStateName, Pinger, ProbeError, Tries};
use crate::report;
use futures::future::join_all;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

/// What a probe must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Must {
    Reach,
    NotReach,
}

#[derive(Debug)]
pub(super) struct Probe {
    /// An `expect`'s probe, or a segment's.
    pub kind: CheckKind,
    pub label: String,
    /// The pinging node's index in `Net::nodes`.
    pub from: usize,
    pub to: IpAddr,
    pub must: Must,
    /// When the reply came: entries that must be in these tables now.
    pub entries: Vec<Entry>,
}

/// A neighbour entry that must exist: `node` maps `ip` to `mac`, the MAC of `owner`
/// (`b's eth0`), in a usable state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub node: usize,
    pub ip: IpAddr,
    pub owner: String,
    pub mac: [u8; 6],
}

/// Pings for every probe at once; the failures, and the entries that the answered
/// probes must have left (judged by [`judge`]).
pub(super) async fn ping_all<'p>(
    net: &Net,
    probes: &[&'p Probe],
    isolation: Duration,
) -> (Vec<FailedCheck>, Vec<&'p Entry>) {
    // One ICMP socket per node and family, shared by that node's probes.
    let mut pingers: HashMap<(usize, bool), Result<Pinger, ProbeError>> = HashMap::new();
    for p in probes {
        pingers
            .entry((p.from, p.to.is_ipv6()))
            .or_insert_with(|| net.nodes()[p.from].pinger(p.to.is_ipv6()));
    }
    let reach = Tries::reach();
    let isolated = Tries::isolation(isolation);
    let results = join_all(probes.iter().map(|p| {
        let pinger = &pingers[&(p.from, p.to.is_ipv6())];
        let tries = if p.must == Must::Reach {
            &reach
        } else {
            &isolated
        };
        async move {
            match pinger {
                Ok(pinger) => pinger.ping(p.to, tries).await,
                Err(e) => Err(e.clone()),
            }
        }
    }))
    .await;

    let mut failures = Vec::new();
    let mut entries = Vec::new();
    for (&p, r) in probes.iter().zip(results) {
        let failure = match (p.must, r) {
            (Must::Reach, Ok(_)) => {
                entries.extend(&p.entries);
                continue;
            }
            (Must::Reach, Err(e)) => format!("{}: {e}", p.label),
            (Must::NotReach, Ok(rtt)) => format!(
                "{}: {} answered in {:.2}ms, but must be unreachable",
                p.label,
                p.to,
                rtt.as_secs_f64() * 1e3
            ),
            (Must::NotReach, Err(e)) if e.proves_isolation() => continue,
            (Must::NotReach, Err(e)) => format!(
                "{}: cannot tell whether {} is unreachable: {e}",
                p.label, p.to
            ),
        };
        failures.push(FailedCheck::new(p.kind, failure));
    }
    (failures, entries)
}

/// Reads every table the entries are in (each node once, all at once) and says which
/// entries are missing or wrong. An entry named twice is judged once.
///
/// `seeded` entries were made by the checks in state PROBE (`unicast::introduce`):
/// only the owner's answer to the kernel's probe makes them REACHABLE, so they must be
/// REACHABLE, where others may be in any usable state.
pub(super) async fn judge(
    net: &Net,
    entries: &[&Entry],
    seeded: &super::unicast::Seeded,
) -> Vec<FailedCheck> {
    let mut nodes: Vec<usize> = entries.iter().map(|e| e.node).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let dumps = join_all(nodes.iter().map(|&i| net.nodes()[i].neighbours_async())).await;
    let tables: HashMap<usize, Result<Vec<Neighbour>, String>> =
        nodes.into_iter().zip(dumps).collect();
    let mut failures = Vec::new();
    let mut judged = Vec::new();
    for &e in entries {
        if judged.contains(&(e.node, e.ip)) {
            continue;
        }
        judged.push((e.node, e.ip));
        let node = net.nodes()[e.node].name();
        let table = &tables[&e.node];
        if let Err(why) = neighbour_verdict(node, table, e.ip, &e.owner, &e.mac) {
            failures.push(FailedCheck::new(CheckKind::Neighbour, why));
        } else if seeded.contains(&(e.node, e.ip)) {
            let state = table
                .iter()
                .flatten()
                .find(|n| n.ip == e.ip)
                .map(|n| n.state);
            if state != Some(NeighbourStateName::Reachable) {
                let state = state.map_or("gone".to_string(), |s| s.to_string());
                let why = format!(
                    "neighbour check: {node}'s entry for {} is {state}: {} did not answer the \
                     ARP request or neighbour solicitation sent to its MAC (needs REACHABLE)",
                    e.ip, e.owner
                );
                failures.push(FailedCheck::new(CheckKind::Neighbour, why));
            }
        }
    }
    failures
}

/// `neighbour check: a maps 10.0.0.2 to 02:..:01, but b's eth0 has 02:..:02`
pub(crate) fn neighbour_verdict(
    node: &str,
    table: &Result<Vec<Neighbour>, String>,
    ip: IpAddr,
    peer: &str,
    mac: &[u8; 6],
) -> Result<(), String> {
    let table = table
        .as_ref()
        .map_err(|e| format!("neighbour check: cannot read {node}'s table: {e}"))?;
    let want = report::mac(mac);
    let Some(entry) = table.iter().find(|n| n.ip == ip) else {
        return Err(format!(
            "neighbour check: {node} has no entry for {ip} ({peer} is {want})"
        ));
    };
    match entry.mac {
        Some(got) if &got == mac && entry.state.is_usable() => Ok(()),
        Some(got) if &got != mac => Err(format!(
            "neighbour check: {node} maps {ip} to {}, but {peer} has {want}",
            report::mac(&got)
        )),
        _ => Err(format!(
            "neighbour check: {node}'s entry for {ip} is {} (needs REACHABLE, STALE, DELAY, PROBE or PERMANENT; {peer} is {want})",
            entry.state
        )),
    }
}
