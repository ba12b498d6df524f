//! `cargo xtask smoke --explain FILE`: what the parser made of a topology, before
//! anything is built. Automatic addresses and generated names are in the model
//! already; this makes them visible.

use super::diagram;
use crate::topology::{End, IpNet, Topology, HOST};
use std::collections::HashSet;
use std::fmt::Write;

/// The topology printed back by the language's printer, every node's interfaces with
/// their resolved addresses, and the [`diagram`].
pub fn explain(t: &Topology) -> String {
    let mut out = String::from("# the topology, printed back (every name and address explicit)\n");
    out.push_str(&t.to_string());
    out.push_str("\n# addresses per node and interface (auto: assigned automatically)\n");
    let automatic = automatic_ends(t);
    for node in t.node_names() {
        let mut head = node.to_string();
        if let Some(n) = t.node(node) {
            if n.forward {
                head.push_str(" (forward)");
            }
            for (k, v) in &n.sysctls {
                let _ = write!(head, " {k}={v}");
            }
        } else if node == HOST {
            head.push_str(" (the sandbox's own namespace)");
        }
        let _ = writeln!(out, "{head}");
        let ifaces = t.ifaces(node);
        if ifaces.is_empty() {
            out.push_str("    (only lo)\n");
            continue;
        }
        let width = ifaces.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        for (ifname, addrs) in ifaces {
            let listed = addrs
                .iter()
                .map(IpNet::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            let what = if t.bridge(&ifname).is_some_and(|b| b.node == node) {
                format!("bridge {listed}")
            } else if let Some(bridge) = port_of(t, node, &ifname) {
                format!("port of {bridge}")
            } else if addrs.is_empty() {
                "no address".to_string()
            } else if automatic.contains(&(node.to_string(), ifname.clone())) {
                format!("{listed}  (auto)")
            } else {
                listed
            };
            let nat = match t.nat(node) {
                Some(nat) if nat.iface == ifname => format!("  (NAT: {})", nat.kind),
                _ => String::new(),
            };
            let _ = writeln!(out, "    {ifname:<width$}  {}{nat}", what.trim_end());
        }
    }
    out.push_str("\n# diagram: [node] (bridge) ---- veth pair ==+== bridge ports\n");
    out.push_str(&diagram(t));
    out
}

/// The bridge whose generated port `ifname` in `node` is.
fn port_of<'t>(t: &'t Topology, node: &str, ifname: &str) -> Option<&'t str> {
    t.links.iter().flat_map(|l| l.ends()).find_map(|e| match e {
        End::Bridge { bridge, port }
            if port == ifname && t.bridge(bridge).is_some_and(|b| b.node == node) =>
        {
            Some(bridge.as_str())
        }
        _ => None,
    })
}

/// (node, ifname) of every end whose addresses are exactly the automatic ones of its
/// segment: `10.S/256.S%256.N/24` and `fd00:S::N/64`, `S` the 1-based segment and `N`
/// the end's 1-based place on it. The model does not record which addresses were
/// written; a segment written with exactly these addresses is marked too, which says
/// the same thing.
fn automatic_ends(t: &Topology) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    for (i, segment) in t.segments().into_iter().enumerate() {
        let Ok(s) = u16::try_from(i + 1) else {
            break;
        };
        let all_automatic = !segment.members.is_empty()
            && segment.members.iter().enumerate().all(|(j, m)| {
                u8::try_from(j + 1).is_ok_and(|n| m.addrs == crate::topology::automatic_addrs(s, n))
            });
        if all_automatic {
            out.extend(segment.members.into_iter().map(|m| (m.node, m.ifname)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::explain;
    use crate::topology::parse;

    #[test]
    fn explains_names_addresses_and_the_drawing() {
        let t = parse(
            "node r forward
             a -- r
             bridge br0 10.9.0.254/24
             r:lan 10.9.0.1/24 -- br0
             route a default via 10.0.1.2",
        )
        .unwrap();
        assert_eq!(
            explain(&t),
            "# the topology, printed back (every name and address explicit)\n\
             node r forward\n\
             a:eth0 10.0.1.1/24 fd00:1::1/64 -- r:eth0 10.0.1.2/24 fd00:1::2/64\n\
             bridge br0 10.9.0.254/24\n\
             r:lan 10.9.0.1/24 -- br0\n\
             route a default via 10.0.1.2\n\
             \n\
             # addresses per node and interface (auto: assigned automatically)\n\
             host (the sandbox's own namespace)\n\
             \x20   br0     bridge 10.9.0.254/24\n\
             \x20   br0-p0  port of br0\n\
             r (forward)\n\
             \x20   eth0  10.0.1.2/24 fd00:1::2/64  (auto)\n\
             \x20   lan   10.9.0.1/24\n\
             a\n\
             \x20   eth0  10.0.1.1/24 fd00:1::1/64  (auto)\n\
             \n\
             # diagram: [node] (bridge) ---- veth pair ==+== bridge ports\n\
             [a] eth0 10.0.1.1/24 fd00:1::1/64 ---- 10.0.1.2/24 fd00:1::2/64 eth0 [r]\n\
             (br0 10.9.0.254/24) ==+== [r] lan 10.9.0.1/24\n"
        );
    }

    #[test]
    fn a_nat_is_marked_on_its_interface() {
        let t = parse(
            "node r forward
             a 10.0.1.1/24 -- r:lan 10.0.1.2/24
             r:wan 198.51.100.1/24 -- s 198.51.100.2/24
             nat r:wan symmetric hairpin off",
        )
        .unwrap();
        let text = explain(&t);
        assert!(text.contains("nat r:wan symmetric hairpin off\n"), "{text}");
        assert!(
            text.contains("    wan  198.51.100.1/24  (NAT: symmetric)\n"),
            "{text}"
        );
        assert!(text.contains("    lan  10.0.1.2/24\n"), "{text}");
    }
}
