//! The checks after the body: every `expect`, then (unless turned off) the ring of
//! pings on every segment and the neighbour table of each pinging node.
//!
//! All probes run at once: twenty isolation expectations cost one isolation timeout.

use crate::net::Net;
use crate::probe::{Neighbour, Pinger, ProbeError, Tries};
use crate::report;
use crate::topology::{ExpectKind, Member, SegmentKind, Target};
use futures::future::join_all;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

/// What a probe must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Must {
    Reach,
    NotReach,
}

#[derive(Debug)]
struct Probe {
    label: String,
    from: usize,
    to: IpAddr,
    must: Must,
    /// For ring probes: after the reply, `from` must map `to` to this MAC (peer's link).
    neighbour: Option<(String, [u8; 6])>,
}

/// Runs the checks; `Err` lists the failed ones (the report adds every node's state).
pub(crate) async fn run(net: &Net, ring: bool, isolation: Duration) -> Result<(), Vec<String>> {
    let mut probes = Vec::new();
    expect_probes(net, &mut probes).map_err(|e| vec![e])?;
    if ring {
        ring_probes(net, &mut probes);
    }
    let failures = run_probes(net, &probes, isolation).await;
    if failures.is_empty() {
        return Ok(());
    }
    Err(failures)
}

fn expect_probes(net: &Net, probes: &mut Vec<Probe>) -> Result<(), String> {
    let topo = net.topology();
    for e in &topo.expects {
        let from = net.index_of(&e.from);
        let to = topo
            .target_addr(&e.from, &e.target)
            .ok_or_else(|| format!("{e}: {} has no address", target_name(&e.target)))?;
        let must = if e.kind == ExpectKind::Isolated {
            Must::NotReach
        } else {
            Must::Reach
        };
        probes.push(Probe {
            label: e.to_string(),
            from,
            to,
            must,
            neighbour: None,
        });
        if e.kind == ExpectKind::Both {
            let Target::Node(back_from) = &e.target else {
                unreachable!("the language requires a node on the right of <->")
            };
            let back = topo
                .target_addr(back_from, &Target::Node(e.from.clone()))
                .ok_or_else(|| format!("{e}: {} has no address", e.from))?;
            probes.push(Probe {
                label: format!("{e} (the way back)"),
                from: net.index_of(back_from),
                to: back,
                must: Must::Reach,
                neighbour: None,
            });
        }
    }
    Ok(())
}

fn target_name(t: &Target) -> String {
    match t {
        Target::Node(n) => n.clone(),
        Target::Ip(ip) => ip.to_string(),
    }
}

/// Each member with an address of the family pings the next one (the last the first).
fn ring_probes(net: &Net, probes: &mut Vec<Probe>) {
    let topo = net.topology();
    for (s, segment) in topo.segments().iter().enumerate() {
        let what = match segment.kind {
            SegmentKind::Veth(_) => "veth",
            SegmentKind::Bridge(b) => &topo.bridges[b].name,
        };
        for v6 in [false, true] {
            let ring: Vec<(&Member, IpAddr)> = segment
                .members
                .iter()
                .filter_map(|m| {
                    m.addrs
                        .iter()
                        .find(|c| c.addr().is_ipv6() == v6)
                        .map(|c| (m, c.addr()))
                })
                .collect();
            if ring.len() < 2 {
                continue;
            }
            for i in 0..ring.len() {
                let (m, ip) = ring[i];
                let (peer, peer_ip) = ring[(i + 1) % ring.len()];
                let peer_mac = net.node(&peer.node).iface(&peer.ifname).mac;
                probes.push(Probe {
                    label: format!(
                        "ring check on segment {} ({what}): {}:{} {ip} -> {}:{} {peer_ip}",
                        s + 1,
                        m.node,
                        m.ifname,
                        peer.node,
                        peer.ifname
                    ),
                    from: net.index_of(&m.node),
                    to: peer_ip,
                    must: Must::Reach,
                    neighbour: Some((format!("{}'s {}", peer.node, peer.ifname), peer_mac)),
                });
            }
        }
    }
}

async fn run_probes(net: &Net, probes: &[Probe], isolation: Duration) -> Vec<String> {
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
    let mut neighbour_checks = Vec::new();
    for (p, r) in probes.iter().zip(results) {
        match (p.must, r) {
            (Must::Reach, Ok(_)) => {
                if let Some(n) = &p.neighbour {
                    neighbour_checks.push((p, n));
                }
            }
            (Must::Reach, Err(e)) => failures.push(format!("{}: {e}", p.label)),
            (Must::NotReach, Ok(rtt)) => failures.push(format!(
                "{}: {} answered in {:.2}ms, but must be unreachable",
                p.label,
                p.to,
                rtt.as_secs_f64() * 1e3
            )),
            (Must::NotReach, Err(e)) if e.proves_isolation() => {}
            (Must::NotReach, Err(e)) => failures.push(format!(
                "{}: cannot tell whether {} is unreachable: {e}",
                p.label, p.to
            )),
        }
    }

    if !neighbour_checks.is_empty() {
        let mut tables: HashMap<usize, Result<Vec<Neighbour>, String>> = HashMap::new();
        let wanted: Vec<usize> = {
            let mut v: Vec<usize> = neighbour_checks.iter().map(|(p, _)| p.from).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let dumps = join_all(wanted.iter().map(|&i| net.nodes()[i].neighbours_async())).await;
        tables.extend(wanted.into_iter().zip(dumps));
        for (p, (peer, mac)) in neighbour_checks {
            let node = net.nodes()[p.from].name();
            if let Err(why) = neighbour_verdict(node, &tables[&p.from], p.to, peer, mac) {
                failures.push(why);
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
