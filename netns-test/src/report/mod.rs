//! The failure report: what failed, then every node's links, addresses, routes and
//! neighbours as `ip` prints them, then the topology itself.

/// The topology drawn as text (and as Graphviz DOT).
mod diagram;
/// What the kernel says of a node: links, addresses, routes, neighbours.
mod state;

pub use diagram::{diagram, dot};

pub(crate) use state::NodeState;
use std::fmt::Write as _;

/// `02:00:00:00:00:01`
pub(crate) fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Reads every node's state and formats the report (without the failures).
pub(crate) async fn node_states(net: &crate::Net) -> Vec<(String, Result<NodeState, String>)> {
    let reads = net.nodes().iter().map(|n| async move {
        let handle = n.rtnl();
        (n.name().to_string(), state::read(handle).await)
    });
    futures::future::join_all(reads).await
}

/// A drawing of the topology, the state of every node, then the topology's text.
pub(crate) fn format(
    states: &[(String, Result<NodeState, String>)],
    topology: &crate::Topology,
) -> String {
    let mut out = String::from("diagram:\n");
    for line in diagram(topology).lines() {
        let _ = writeln!(out, "  {line}");
    }
    for (name, state) in states {
        let _ = writeln!(out, "node {name}:");
        match state {
            Err(e) => {
                let _ = writeln!(out, "  (state unavailable: {e})");
            }
            Ok(s) => format_node(&mut out, s),
        }
    }
    let _ = writeln!(out, "topology:");
    for line in topology.to_string().lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

fn format_node(out: &mut String, s: &NodeState) {
    out.push_str("  links:\n");
    for l in &s.links {
        let flags = if l.up { "UP" } else { "DOWN" };
        let _ = write!(
            out,
            "    {}: {} <{flags}> mtu {} state {}",
            l.index, l.name, l.mtu, l.state
        );
        if let Some(m) = &l.master {
            let _ = write!(out, " master {m}");
        }
        if let Some(m) = &l.mac {
            let _ = write!(out, " link/ether {}", mac(m));
        }
        out.push('\n');
    }
    out.push_str("  addresses:\n");
    for (dev, a) in &s.addrs {
        let _ = writeln!(out, "    {dev}: {a}");
    }
    out.push_str("  routes:\n");
    for r in &s.routes {
        let _ = writeln!(out, "    {r}");
    }
    out.push_str("  neighbours:\n");
    if s.neighbours.is_empty() {
        out.push_str("    (none)\n");
    }
    for n in &s.neighbours {
        let _ = writeln!(out, "    {n}");
    }
}
