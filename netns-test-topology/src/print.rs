//! Models back to text: everything explicit (interface names, automatic
//! addresses), so that parsing the text gives the same model.

use crate::model::{
    Bridge, Destination, End, Expect, ExpectKind, Link, Node, NodeEnd, Route, Stmt, Target,
    Topology, HOST,
};
use std::collections::HashMap;
use std::fmt;

/// The statement `node NAME [forward] [sysctl KEY=VALUE]...`.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node {}", self.name)?;
        if self.forward {
            f.write_str(" forward")?;
        }
        for (k, v) in &self.sysctls {
            write!(f, " sysctl {k}={v}")?;
        }
        Ok(())
    }
}

/// The statement `bridge NAME [@NODE] [ADDR]... [mtu N]`.
impl fmt::Display for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bridge {}", self.name)?;
        if self.node != HOST {
            write!(f, " @{}", self.node)?;
        }
        for a in &self.addrs {
            write!(f, " {a}")?;
        }
        if let Some(mtu) = self.mtu {
            write!(f, " mtu {mtu}")?;
        }
        Ok(())
    }
}

/// `NODE:IFNAME [ADDR]...`; `NODE [ADDR]...` while the interface name is left to the
/// default (empty, as the parser has it before it names interfaces).
impl fmt::Display for NodeEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.node)?;
        if !self.ifname.is_empty() {
            write!(f, ":{}", self.ifname)?;
        }
        for a in &self.addrs {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// A node end, or the bridge's name alone (its port name is generated).
impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Node(n) => n.fmt(f),
            End::Bridge { bridge, .. } => f.write_str(bridge),
        }
    }
}

/// The statement `END -- END [mtu N] [OPTIONS] [X->Y: OPTIONS]...`: impairments
/// once when both directions have the same, else per direction.
impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -- {}", self.a, self.b)?;
        if let Some(mtu) = self.mtu {
            write!(f, " mtu {mtu}")?;
        }
        let [x, y] = &self.impair;
        if x == y {
            if !x.is_none() {
                write!(f, " {x}")?;
            }
        } else {
            let names = [self.a.name(), self.b.name()];
            for (s, i) in self.impair.iter().enumerate() {
                if !i.is_none() {
                    write!(f, " {}->{}: {i}", names[s], names[1 - s])?;
                }
            }
        }
        Ok(())
    }
}

/// `default` or the subnet.
impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Default => f.write_str("default"),
            Destination::Net(c) => c.fmt(f),
        }
    }
}

/// The statement `route NODE DEST via IP`.
impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "route {} {} via {}", self.node, self.dest, self.via)
    }
}

/// `->`, `<->` or `-x-`.
impl fmt::Display for ExpectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExpectKind::Reach => "->",
            ExpectKind::Both => "<->",
            ExpectKind::Isolated => "-x-",
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(n) => f.write_str(n),
            Target::Ip(ip) => ip.fmt(f),
        }
    }
}

/// The statement, e.g. `expect a -> b`, as failure messages name it.
impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expect {} {} {}", self.from, self.kind, self.target)
    }
}

/// One statement a line: `node` statements first where needed, then bridges and
/// links in their order, then routes, NATs, forwards and expects. (`Nat` and
/// `Forward` print themselves in `crate::nat`.)
impl fmt::Display for Topology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let statements = self.statements();
        for node in &self.nodes[..self.declared_prefix(&statements)] {
            writeln!(f, "{node}")?;
        }
        for stmt in statements {
            match stmt {
                Stmt::Bridge(b) => writeln!(f, "{}", self.bridges[b])?,
                Stmt::Link(l) => writeln!(f, "{}", self.links[l])?,
            }
        }
        for route in &self.routes {
            writeln!(f, "{route}")?;
        }
        for nat in &self.nats {
            writeln!(f, "{nat}")?;
        }
        for forward in &self.forwards {
            writeln!(f, "{forward}")?;
        }
        for expect in &self.expects {
            writeln!(f, "{expect}")?;
        }
        Ok(())
    }
}

impl Topology {
    /// How many of the first nodes need a `node` statement. The order of nodes is
    /// the order of first appearance, so a node is declared up front when it has
    /// options, when nothing else names it, or when bridges and links alone would
    /// name it out of order; the rest are declared by use.
    fn declared_prefix(&self, statements: &[Stmt]) -> usize {
        let mut used: Vec<&str> = Vec::new();
        for stmt in statements {
            match *stmt {
                // `host` among them is harmless: it is never in `nodes`.
                Stmt::Bridge(b) => used.push(&self.bridges[b].node),
                Stmt::Link(l) => used.extend(
                    self.links[l]
                        .ends()
                        .into_iter()
                        .filter_map(|e| e.as_node().map(|n| n.node.as_str())),
                ),
            }
        }
        let mut first_use: HashMap<&str, usize> = HashMap::new();
        for name in used {
            let next = first_use.len();
            first_use.entry(name).or_insert(next);
        }
        let mut j = self.nodes.len();
        while j > 0 {
            let node = &self.nodes[j - 1];
            let Some(&at) = first_use.get(node.name.as_str()) else {
                break;
            };
            let in_order = self
                .nodes
                .get(j)
                .is_none_or(|next| first_use.get(next.name.as_str()).is_some_and(|&n| at < n));
            if node.forward || !node.sysctls.is_empty() || !in_order {
                break;
            }
            j -= 1;
        }
        j
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Destination, Expect, ExpectKind, IpNet, Node, Route, Target, Topology};
    use crate::parse;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    /// Prints, and checks that the text parses back to the same model.
    fn print(t: &Topology) -> String {
        let text = t.to_string();
        assert_eq!(parse(&text).as_ref(), Ok(t), "{text}");
        text
    }

    #[test]
    fn everything_explicit() {
        let t = ok("node r forward sysctl net.ipv4.conf.all.rp_filter=0
            bridge br0 @r 10.9.0.1/24 mtu 9000
            a 10.0.1.2/24 -- r:left 10.0.1.1/24 mtu 1400
            r -- br0
            c -- br0
            x -- y
            bridge br1
            br1 -- br0
            route a default via 10.0.1.1
            route a fd00:9::/48 via fd00:4::2
            a fd00:4::1/64 -- host fd00:4::2/64
            expect a <-> r
            expect a -x- 10.9.0.99
            expect host -> fd00:4::1");
        assert_eq!(
            print(&t),
            "node r forward sysctl net.ipv4.conf.all.rp_filter=0
bridge br0 @r 10.9.0.1/24 mtu 9000
a:eth0 10.0.1.2/24 -- r:left 10.0.1.1/24 mtu 1400
r:eth0 -- br0
c:eth0 -- br0
x:eth0 10.0.3.1/24 fd00:3::1/64 -- y:eth0 10.0.3.2/24 fd00:3::2/64
bridge br1
br1 -- br0
a:eth1 fd00:4::1/64 -- host:eth0 fd00:4::2/64
route a default via 10.0.1.1
route a fd00:9::/48 via fd00:4::2
expect a <-> r
expect a -x- 10.9.0.99
expect host -> fd00:4::1
"
        );
    }

    #[test]
    fn empty() {
        assert_eq!(print(&Topology::default()), "");
    }

    #[test]
    fn node_statements_only_where_needed() {
        // Options, and nodes nothing else names.
        assert_eq!(
            print(&ok("a -- b 10.0.0.2/24; node b forward; node lonely")),
            "node a\nnode b forward\nnode lonely\na:eth0 -- b:eth0 10.0.0.2/24\n"
        );
        // Declared first, in a different order than the links name them.
        assert_eq!(
            print(&ok(
                "node b; node a; a -- b 10.0.0.2/24; c -- d 10.0.1.1/24"
            )),
            "node b\na:eth0 -- b:eth0 10.0.0.2/24\nc:eth0 -- d:eth0 10.0.1.1/24\n"
        );
        assert_eq!(
            print(&ok("node z; a -- b 10.0.0.2/24")),
            "node z\na:eth0 -- b:eth0 10.0.0.2/24\n"
        );
        // A node first named by a bridge.
        assert_eq!(
            print(&ok("a -- b 10.0.0.2/24; bridge br0 @r; c -- d 10.0.1.1/24")),
            "a:eth0 -- b:eth0 10.0.0.2/24\nbridge br0 @r\nc:eth0 -- d:eth0 10.0.1.1/24\n"
        );
    }

    #[test]
    fn statements_alone() {
        let t = ok(
            "node r forward sysctl net.a=1 sysctl net.b=2\nbridge br0 @r 10.0.0.1/24\n\
                    a -- br0 mtu 1280",
        );
        assert_eq!(
            t.nodes[0].to_string(),
            "node r forward sysctl net.a=1 sysctl net.b=2"
        );
        assert_eq!(t.bridges[0].to_string(), "bridge br0 @r 10.0.0.1/24");
        assert_eq!(t.links[0].to_string(), "a:eth0 -- br0 mtu 1280");
        assert_eq!(t.links[0].a.to_string(), "a:eth0");
        assert_eq!(t.links[0].b.to_string(), "br0");
        let plain = Node {
            name: "n".into(),
            forward: false,
            sysctls: vec![],
        };
        assert_eq!(plain.to_string(), "node n");
        let route = Route {
            node: "a".into(),
            dest: Destination::Net("10.0.0.0/8".parse::<IpNet>().unwrap()),
            via: "10.1.1.1".parse().unwrap(),
        };
        assert_eq!(route.to_string(), "route a 10.0.0.0/8 via 10.1.1.1");
        let expect = |kind| Expect {
            from: "a".into(),
            kind,
            target: Target::Node("b".into()),
        };
        assert_eq!(expect(ExpectKind::Reach).to_string(), "expect a -> b");
        assert_eq!(expect(ExpectKind::Both).to_string(), "expect a <-> b");
        assert_eq!(expect(ExpectKind::Isolated).to_string(), "expect a -x- b");
        assert_eq!(
            Target::Ip("fd00::1".parse().unwrap()).to_string(),
            "fd00::1"
        );
    }

    #[test]
    fn bridge_ports_print_as_the_bridge() {
        let t = ok("bridge abcdefghijklmno\nbridge bcdefghijklmno\n\
                    abcdefghijklmno -- bcdefghijklmno");
        assert_eq!(
            print(&t),
            "bridge abcdefghijklmno\nbridge bcdefghijklmno\nabcdefghijklmno -- bcdefghijklmno\n"
        );
    }
}
