//! Interface names: bridge ports and default names are generated, and no node
//! may hold two interfaces of the same name.

use crate::error::ParseError;
use crate::lex::Pos;
use crate::model::{End, Side, Topology};
use crate::spans::Spans;
use std::collections::{HashMap, HashSet};

/// Node, bridge and interface names are at most this long: the kernel's IFNAMSIZ
/// less the terminating NUL.
pub(crate) const MAX_NAME: usize = 15;

/// Something that takes an interface name in a node.
#[derive(Debug)]
struct Claim {
    name: String,
    pos: Pos,
    what: What,
}

#[derive(Debug)]
enum What {
    Iface,
    Bridge,
    Port { bridge: String, n: usize },
}

/// Names the bridge ports and the node ends written without a name, then checks
/// that every name is unique in its node.
pub(crate) fn assign(topo: &mut Topology, spans: &Spans) -> Result<(), ParseError> {
    let bridge_node: HashMap<String, String> = topo
        .bridges
        .iter()
        .map(|b| (b.name.clone(), b.node.clone()))
        .collect();
    let mut claims: HashMap<String, Vec<Claim>> = HashMap::new();
    for (b, bridge) in topo.bridges.iter().enumerate() {
        claims.entry(bridge.node.clone()).or_default().push(Claim {
            name: bridge.name.clone(),
            pos: spans.bridges[b].name,
            what: What::Bridge,
        });
    }

    let mut ports: HashMap<String, usize> = HashMap::new();
    for (l, link) in topo.links.iter_mut().enumerate() {
        let mut a_port = None;
        for side in Side::BOTH {
            let span = spans.links[l].end(side);
            match link.end_mut(side) {
                End::Bridge { bridge, port } => {
                    let count = ports.entry(bridge.clone()).or_default();
                    let n = *count;
                    *count += 1;
                    *port = port_name(bridge, n, l);
                    // Two long-named bridges joined by one link would both fall
                    // back to brp{L}; they may well share a node.
                    if a_port.as_deref() == Some(port.as_str()) {
                        port.push('b');
                    }
                    a_port = Some(port.clone());
                    let node = bridge_node
                        .get(bridge.as_str())
                        .cloned()
                        .unwrap_or_default();
                    claims.entry(node).or_default().push(Claim {
                        name: port.clone(),
                        pos: span.name,
                        what: What::Port {
                            bridge: bridge.clone(),
                            n,
                        },
                    });
                }
                End::Node(end) => {
                    if let Some(pos) = span.ifname {
                        claims.entry(end.node.clone()).or_default().push(Claim {
                            name: end.ifname.clone(),
                            pos,
                            what: What::Iface,
                        });
                    }
                }
            }
        }
    }

    let mut errors = Vec::new();
    for (node, list) in &mut claims {
        list.sort_by_key(|c| c.pos);
        let mut first: HashMap<&str, &Claim> = HashMap::new();
        for claim in list.iter() {
            match first.get(claim.name.as_str()) {
                Some(earlier) => errors.push(clash(node, earlier, claim)),
                None => {
                    first.insert(&claim.name, claim);
                }
            }
        }
    }
    if let Some(e) = errors.into_iter().min_by_key(|e| (e.line, e.col)) {
        return Err(e);
    }

    let mut taken: HashMap<String, HashSet<String>> = claims
        .into_iter()
        .map(|(node, list)| (node, list.into_iter().map(|c| c.name).collect()))
        .collect();
    let mut next: HashMap<String, usize> = HashMap::new();
    for (l, link) in topo.links.iter_mut().enumerate() {
        for side in Side::BOTH {
            if spans.links[l].end(side).ifname.is_some() {
                continue;
            }
            if let End::Node(end) = link.end_mut(side) {
                let taken = taken.entry(end.node.clone()).or_default();
                let k = next.entry(end.node.clone()).or_default();
                end.ifname = loop {
                    let name = format!("eth{k}");
                    *k += 1;
                    if !taken.contains(&name) {
                        break name;
                    }
                };
                taken.insert(end.ifname.clone());
            }
        }
    }
    Ok(())
}

/// The `n`-th port of `bridge`, on link `link`.
fn port_name(bridge: &str, n: usize, link: usize) -> String {
    let name = format!("{bridge}-p{n}");
    if name.len() <= MAX_NAME {
        name
    } else {
        format!("brp{link}")
    }
}

fn clash(node: &str, first: &Claim, second: &Claim) -> ParseError {
    let first_is = match &first.what {
        What::Iface => String::new(),
        What::Bridge => format!(", bridge {}", first.name),
        What::Port { bridge, n } => format!(", port {n} of bridge {bridge}"),
    };
    let at = format!("(first at {}:{}{first_is})", first.pos.line, first.pos.col);
    let name = &second.name;
    second.pos.error(match &second.what {
        What::Iface => format!("interface name {name:?} used twice in node {node} {at}"),
        What::Bridge => {
            format!("bridge name {name:?} is already an interface name in node {node} {at}")
        }
        What::Port { bridge, n } => format!(
            "port {n} of bridge {bridge} is named {name:?}, already an interface name \
             in node {node} {at}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::model::{End, Side, Topology};
    use crate::parse;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn err(src: &str) -> String {
        parse(src).unwrap_err().to_string()
    }

    /// Every interface name of `node`, in the order of the links.
    fn names(t: &Topology, node: &str) -> Vec<String> {
        t.ifaces(node).into_iter().map(|(name, _)| name).collect()
    }

    fn port(t: &Topology, l: usize, side: Side) -> &str {
        match t.links[l].end(side) {
            End::Bridge { port, .. } => port,
            End::Node(_) => panic!("a node end"),
        }
    }

    #[test]
    fn default_names_count_up_in_each_node() {
        let t = ok("a -- b; a -- c; c -- b; b -- a");
        assert_eq!(names(&t, "a"), ["eth0", "eth1", "eth2"]);
        assert_eq!(names(&t, "b"), ["eth0", "eth1", "eth2"]);
        assert_eq!(names(&t, "c"), ["eth0", "eth1"]);
    }

    #[test]
    fn default_names_skip_names_written_anywhere() {
        let t = ok("a -- b; a -- c; a:eth1 -- d; a -- e; x -- a:eth4; a -- f");
        assert_eq!(
            names(&t, "a"),
            ["eth0", "eth2", "eth1", "eth3", "eth4", "eth5"]
        );
        let t = ok("a -- b; a:eth0 -- c");
        assert_eq!(names(&t, "a"), ["eth1", "eth0"]);
    }

    #[test]
    fn default_names_skip_bridges_in_the_node() {
        let t = ok("host -- a\nbridge eth0\nbridge eth1 @a\na -- host");
        assert_eq!(names(&t, "host"), ["eth1", "eth0", "eth2"]);
        assert_eq!(names(&t, "a"), ["eth0", "eth1", "eth2"]);
        assert_eq!(
            t.links.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
            [
                "host:eth1 10.0.1.1/24 fd00:1::1/64 -- a:eth0 10.0.1.2/24 fd00:1::2/64",
                "a:eth2 10.0.4.1/24 fd00:4::1/64 -- host:eth2 10.0.4.2/24 fd00:4::2/64",
            ]
        );
    }

    #[test]
    fn ports_are_numbered_per_bridge() {
        let t = ok("bridge br0 @r\nbridge br1\na -- br0\nbr0 -- br1\nb -- br1\nc -- br0");
        assert_eq!(port(&t, 0, Side::B), "br0-p0");
        assert_eq!(port(&t, 1, Side::A), "br0-p1");
        assert_eq!(port(&t, 1, Side::B), "br1-p0");
        assert_eq!(port(&t, 2, Side::B), "br1-p1");
        assert_eq!(port(&t, 3, Side::B), "br0-p2");
        assert_eq!(names(&t, "r"), ["br0", "br0-p0", "br0-p1", "br0-p2"]);
        assert_eq!(names(&t, "host"), ["br1", "br1-p0", "br1-p1"]);
    }

    #[test]
    fn long_port_names_fall_back_to_the_link_index() {
        // 12 bytes: -p0 to -p9 fit in 15 bytes, -p10 does not.
        let mut src = String::from("bridge abcdefghijkl\n");
        for i in 0..11 {
            src.push_str(&format!("n{i} -- abcdefghijkl\n"));
        }
        let t = ok(&src);
        assert_eq!(port(&t, 9, Side::B), "abcdefghijkl-p9");
        assert_eq!(port(&t, 10, Side::B), "brp10");

        let t = ok("bridge abcdefghijklmno\nbridge bcdefghijklmno\na -- b\n\
                    abcdefghijklmno -- bcdefghijklmno");
        // Both ends of a link between two long-named bridges: brp{L} and brp{L}b.
        assert_eq!(port(&t, 1, Side::A), "brp1");
        assert_eq!(port(&t, 1, Side::B), "brp1b");
    }

    #[test]
    fn an_interface_name_used_twice_in_a_node() {
        assert_eq!(
            err("a:eth0 -- b\na:eth0 -- c"),
            "topology:2:3: interface name \"eth0\" used twice in node a (first at 1:3)"
        );
        // Other nodes may use the same name.
        ok("a:x -- b:x; c:x -- b:y");
        assert_eq!(
            err("host:br0 -- a\nbridge br0"),
            "topology:2:8: bridge name \"br0\" is already an interface name in node host \
             (first at 1:6)"
        );
        assert_eq!(
            err("bridge br0 @a\na:br0 -- b"),
            "topology:2:3: interface name \"br0\" used twice in node a (first at 1:8, bridge br0)"
        );
        assert_eq!(
            err("bridge br0\nhost:br0-p0 -- a\nb -- br0"),
            "topology:3:6: port 0 of bridge br0 is named \"br0-p0\", already an interface \
             name in node host (first at 2:6)"
        );
        assert_eq!(
            err("bridge br0\nb -- br0\nhost:br0-p0 -- a"),
            "topology:3:6: interface name \"br0-p0\" used twice in node host (first at 2:6, \
             port 0 of bridge br0)"
        );
        assert_eq!(
            err("bridge abcdefghijklmno\nb -- abcdefghijklmno\nbridge brp0"),
            "topology:3:8: bridge name \"brp0\" is already an interface name in node host \
             (first at 2:6, port 0 of bridge abcdefghijklmno)"
        );
        // A port in another node than the name is no clash.
        ok("bridge br0 @r\nhost:br0-p0 -- a\nb -- br0");
    }

    #[test]
    fn the_first_clash_in_the_text_is_reported() {
        assert_eq!(
            err("b:x -- c\na:y -- d\na:y -- e\nb:x -- f"),
            "topology:3:3: interface name \"y\" used twice in node a (first at 2:3)"
        );
    }
}
