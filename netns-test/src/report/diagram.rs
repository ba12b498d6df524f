//! A topology drawn in plain text: one block per L2 segment, in the order of the
//! text, so a reader sees at once which interface of which node sits on which wire.
//!
//! ```text
//!  [a] eth0 10.0.1.2/24 ---- 10.0.1.1/24 left [r]
//! [r] right 10.0.2.1/24 ---- 10.0.2.2/24 eth0 [b]
//! (br0 172.16.1.254/16) ==+== [ns1] eth0 172.16.1.1/16
//!                         +== [ns2] eth0 172.16.1.2/16
//! ```
//!
//! `[x]` is a node (its own namespace, `host` being the sandbox's own), `(x)` a
//! bridge, `----` a veth pair and `==+==` a bridge's ports.

use crate::topology::{End, IpNet, NodeEnd, SegmentKind, Topology, HOST};
use std::fmt::Write;

/// The drawing of `t`, one line per veth pair and per bridge port; nodes without
/// any link are listed at the end.
pub fn diagram(t: &Topology) -> String {
    let mut out = String::new();
    // Veth lines are right-aligned on the left end so that every `----` lines up.
    let width = t
        .links
        .iter()
        .filter_map(|l| l.a.as_node().filter(|_| l.b.as_node().is_some()))
        .map(|a| left_end(a).chars().count())
        .max()
        .unwrap_or(0);
    for segment in t.segments() {
        match segment.kind {
            SegmentKind::Veth(l) => {
                let link = &t.links[l];
                if let (End::Node(a), End::Node(b)) = (&link.a, &link.b) {
                    let left = left_end(a);
                    let mtu = link.mtu.map(|m| format!(" (mtu {m})")).unwrap_or_default();
                    let _ = writeln!(out, "{left:>width$} ---- {}{mtu}", right_end(b));
                }
            }
            SegmentKind::Bridge(b) => draw_bridge(t, b, &mut out),
        }
    }
    // Segments cover every veth pair and every bridge, but not a node that is only
    // declared: list it, or the drawing would hide a namespace the sandbox has.
    let lonely: Vec<&str> = t
        .node_names()
        .into_iter()
        .filter(|&n| n != HOST && t.ifaces(n).is_empty())
        .collect();
    for n in lonely {
        let _ = writeln!(out, "[{n}] (no links)");
    }
    out
}

/// `[node] ifname addrs`: the end as seen from the left of a wire.
fn left_end(e: &NodeEnd) -> String {
    let mut s = format!("[{}] {}", e.node, e.ifname);
    if !e.addrs.is_empty() {
        s.push(' ');
        s.push_str(&addrs(&e.addrs));
    }
    s
}

/// `addrs ifname [node]`: the mirror image, for the right of a wire.
fn right_end(e: &NodeEnd) -> String {
    let mut s = String::new();
    if !e.addrs.is_empty() {
        s.push_str(&addrs(&e.addrs));
        s.push(' ');
    }
    let _ = write!(s, "{} [{}]", e.ifname, e.node);
    s
}

fn addrs(a: &[IpNet]) -> String {
    a.iter().map(IpNet::to_string).collect::<Vec<_>>().join(" ")
}

/// `(br0@node addrs) ==+== END`, then one `+== END` line per further port, where END
/// is the node end on the port (or the other bridge, for a bridge-to-bridge link).
fn draw_bridge(t: &Topology, b: usize, out: &mut String) {
    let bridge = &t.bridges[b];
    let mut head = format!("({}", bridge.name);
    if bridge.node != HOST {
        let _ = write!(head, "@{}", bridge.node);
    }
    if !bridge.addrs.is_empty() {
        head.push(' ');
        head.push_str(&addrs(&bridge.addrs));
    }
    if let Some(mtu) = bridge.mtu {
        let _ = write!(head, " mtu {mtu}");
    }
    head.push(')');
    let ports: Vec<String> = t
        .links
        .iter()
        .filter_map(|link| {
            let on_this =
                |e: &End| matches!(e, End::Bridge { bridge: name, .. } if *name == bridge.name);
            let other = if on_this(&link.a) {
                &link.b
            } else if on_this(&link.b) {
                &link.a
            } else {
                return None;
            };
            Some(match other {
                End::Node(n) => left_end(n),
                End::Bridge { bridge, .. } => format!("({bridge})"),
            })
        })
        .collect();
    if ports.is_empty() {
        let _ = writeln!(out, "{head} (no ports)");
        return;
    }
    let indent = " ".repeat(head.chars().count() + 3);
    for (i, port) in ports.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(out, "{head} ==+== {port}");
        } else {
            let _ = writeln!(out, "{indent}+== {port}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::diagram;
    use crate::topology::parse;

    fn draw(src: &str) -> String {
        diagram(&parse(src).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn veth_pairs_line_up() {
        assert_eq!(
            draw(
                "node r forward
                 a 10.0.1.2/24 -- r:left 10.0.1.1/24
                 r:right 10.0.2.1/24 -- b 10.0.2.2/24 mtu 1400"
            ),
            " [a] eth0 10.0.1.2/24 ---- 10.0.1.1/24 left [r]\n\
             [r] right 10.0.2.1/24 ---- 10.0.2.2/24 eth0 [b] (mtu 1400)\n"
        );
    }

    #[test]
    fn bridges_list_their_ports() {
        assert_eq!(
            draw(
                "bridge br0 172.16.1.254/16
                 ns1 172.16.1.1/16 -- br0
                 ns2 172.16.1.2/16 -- br0
                 bridge br1 @r
                 br1 -- br0
                 node lonely"
            ),
            "(br0 172.16.1.254/16) ==+== [ns1] eth0 172.16.1.1/16\n\
             \x20                       +== [ns2] eth0 172.16.1.2/16\n\
             \x20                       +== (br1)\n\
             (br1@r) ==+== (br0)\n\
             [lonely] (no links)\n"
        );
    }

    #[test]
    fn automatic_addresses_and_empty_bridges() {
        assert_eq!(
            draw("a -- b; bridge br0"),
            "[a] eth0 10.0.1.1/24 fd00:1::1/64 ---- 10.0.1.2/24 fd00:1::2/64 eth0 [b]\n\
             (br0) (no ports)\n"
        );
    }
}

/// The topology as a Graphviz graph: nodes as boxes, bridges as ellipses, every veth
/// pair an edge labelled with its interfaces and addresses (`cargo xtask graph`).
pub fn dot(t: &Topology) -> String {
    let mut out = String::from("graph topology {\n  node [shape=box, fontname=\"monospace\"];\n");
    for name in t.node_names() {
        let label = if name == HOST {
            "host (sandbox)".to_string()
        } else {
            name.to_string()
        };
        let _ = writeln!(out, "  \"{name}\" [label=\"{label}\"];");
    }
    for b in &t.bridges {
        let _ = writeln!(
            out,
            "  \"br:{}\" [shape=ellipse, label=\"{}\\n{}\\nin {}\"];",
            b.name,
            b.name,
            addrs(&b.addrs),
            b.node
        );
        let _ = writeln!(out, "  \"{}\" -- \"br:{}\" [style=dotted];", b.node, b.name);
    }
    let end = |e: &End| match e {
        End::Node(n) => (n.node.clone(), format!("{} {}", n.ifname, addrs(&n.addrs))),
        End::Bridge { bridge, port } => (format!("br:{bridge}"), port.clone()),
    };
    for link in &t.links {
        let ((a, la), (b, lb)) = (end(&link.a), end(&link.b));
        let _ = writeln!(
            out,
            "  \"{a}\" -- \"{b}\" [taillabel=\"{}\", headlabel=\"{}\"];",
            la.trim(),
            lb.trim()
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod dot_tests {
    use super::*;

    #[test]
    fn dot_has_every_node_bridge_and_link() {
        let t = crate::topology::parse("bridge br0 10.0.0.254/24; a 10.0.0.1/24 -- br0; a:x -- b")
            .unwrap();
        let g = dot(&t);
        assert!(g.starts_with("graph topology {"), "{g}");
        assert!(
            g.contains("\"br:br0\" [shape=ellipse, label=\"br0\\n10.0.0.254/24\\nin host\"]"),
            "{g}"
        );
        assert!(
            g.contains(
                "\"a\" -- \"br:br0\" [taillabel=\"eth0 10.0.0.1/24\", headlabel=\"br0-p0\"]"
            ),
            "{g}"
        );
        assert!(g.contains("\"a\" -- \"b\""), "{g}");
    }

    #[test]
    fn diagram_draws_veths_and_bridge_ports() {
        let t = crate::topology::parse(
            "bridge br0; a 10.0.0.1/24 -- br0; b 10.0.0.2/24 -- br0; c -- d",
        )
        .unwrap();
        let d = diagram(&t);
        assert!(d.contains("(br0) ==+== [a] eth0 10.0.0.1/24"), "{d}");
        assert!(d.contains("[b] eth0 10.0.0.2/24"), "{d}");
        assert!(d.contains("[c] eth0 10.0.2.1/24 fd00:2::1/64 ---- "), "{d}");
    }
}
