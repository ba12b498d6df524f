//! Statements to model: syntax and the checks that need only what came before.
//!
//! Parsing runs in phases, each on a complete model: statements (here), interface
//! names ([`crate::ifnames`]), automatic addresses ([`crate::address`]), then the
//! checks that need the whole network ([`crate::validate`]). The positions of what
//! was written are kept in [`Spans`], beside the model, so that every phase can
//! point at the offending word.

use crate::error::ParseError;
use crate::impair::Impairment;
use crate::lex::{lex, Pos, Statement, Token};
use crate::model::{
    Bridge, Cidr, Destination, End, Expect, ExpectKind, Link, Node, NodeEnd, Route, Target,
    Topology, HOST,
};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::str::FromStr;

/// Words that start statements or options; they cannot be names, so that a typo
/// in a statement never silently becomes a node.
pub(crate) const KEYWORDS: [&str; 15] = [
    "node",
    "bridge",
    "route",
    "expect",
    "forward",
    "sysctl",
    "mtu",
    "default",
    "via",
    "delay",
    "jitter",
    "loss",
    "duplicate",
    "reorder",
    "rate",
];

/// True for the words that start a link's options: `mtu`, an impairment, or a
/// direction `a->b:`. They end the second end's addresses.
fn link_option(t: &Token<'_>) -> bool {
    // An interface name may hold "->" (`a:x->y`): a direction has no ":" before it.
    let direction = t
        .text
        .split_once("->")
        .is_some_and(|(from, _)| !from.contains(':'));
    t.text == "mtu" || crate::impair::OPTIONS.contains(&t.text) || direction
}

/// Node, bridge and interface names are at most this long: the kernel's IFNAMSIZ
/// less the terminating NUL.
pub(crate) const MAX_NAME: usize = 15;

/// Parses and validates a topology, filling in default interface names, bridge
/// port names and automatic addresses.
///
/// ```
/// let t = netns_test_topology::parse("a -- b").unwrap();
/// assert_eq!(t.to_string(), "a:eth0 10.0.1.1/24 fd00:1::1/64 -- b:eth0 10.0.1.2/24 fd00:1::2/64\n");
/// ```
pub fn parse(src: &str) -> Result<Topology, ParseError> {
    let mut parser = Parser::default();
    for statement in lex(src) {
        parser.statement(&statement)?;
    }
    let Parser {
        mut topo, spans, ..
    } = parser;
    crate::ifnames::assign(&mut topo, &spans)?;
    crate::address::assign(&mut topo, &spans)?;
    crate::validate::check(&topo, &spans)?;
    Ok(topo)
}

impl FromStr for Topology {
    type Err = ParseError;

    fn from_str(src: &str) -> Result<Topology, ParseError> {
        parse(src)
    }
}

/// Where the parts of the model were written, index for index.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    pub bridges: Vec<BridgeSpan>,
    pub links: Vec<LinkSpan>,
    pub routes: Vec<RouteSpan>,
    pub expects: Vec<ExpectSpan>,
}

#[derive(Debug)]
pub(crate) struct BridgeSpan {
    pub name: Pos,
    pub addrs: Vec<Pos>,
}

#[derive(Debug)]
pub(crate) struct LinkSpan {
    pub start: Pos,
    pub a: EndSpan,
    pub b: EndSpan,
}

#[derive(Debug)]
pub(crate) struct EndSpan {
    /// The node or bridge name.
    pub name: Pos,
    /// `None` when the interface name is left to the default.
    pub ifname: Option<Pos>,
    /// One per written address; automatic addresses have none.
    pub addrs: Vec<Pos>,
}

#[derive(Debug)]
pub(crate) struct RouteSpan {
    pub node: Pos,
    pub dest: Pos,
    pub via: Pos,
}

#[derive(Debug)]
pub(crate) struct ExpectSpan {
    pub from: Pos,
    pub target: Pos,
}

impl LinkSpan {
    pub(crate) fn end(&self, side: crate::model::Side) -> &EndSpan {
        match side {
            crate::model::Side::A => &self.a,
            crate::model::Side::B => &self.b,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Node,
    Bridge,
}

#[derive(Debug, Default)]
struct Parser {
    topo: Topology,
    spans: Spans,
    kinds: HashMap<String, Kind>,
    /// Nodes that had their `node` statement.
    declared: HashSet<String>,
}

/// The words of one statement, consumed from the left.
struct Cursor<'s, 'a> {
    statement: &'s Statement<'a>,
    next: usize,
}

impl<'a> Cursor<'_, 'a> {
    fn peek(&self) -> Option<Token<'a>> {
        self.statement.tokens.get(self.next).copied()
    }

    fn peek_is(&self, words: &[&str]) -> bool {
        self.peek().is_some_and(|t| words.contains(&t.text))
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let t = self.peek();
        self.next += usize::from(t.is_some());
        t
    }

    /// The next word, or an error saying what was `expected` there.
    fn next_or(&mut self, expected: &str) -> Result<Token<'a>, ParseError> {
        self.next().ok_or_else(|| {
            self.statement
                .end()
                .error(format!("expected {expected}, found end of statement"))
        })
    }

    /// Errors if a word is left; `expected` says what could have come instead.
    fn finish(&self, expected: &str) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(unexpected(t, expected)),
        }
    }
}

fn unexpected(t: Token<'_>, expected: &str) -> ParseError {
    t.pos
        .error(format!("expected {expected}, found {:?}", t.text))
}

/// Checks a node or bridge name written at `pos`.
pub(crate) fn check_name(name: &str, pos: Pos) -> Result<(), ParseError> {
    if KEYWORDS.contains(&name) {
        return Err(pos.error(format!("{name:?} is a keyword and cannot be a name")));
    }
    let mut chars = name.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !well_formed {
        return Err(pos.error(format!(
            "invalid name {name:?}: a name is a lowercase letter followed by lowercase \
             letters, digits, \"_\" or \"-\""
        )));
    }
    if name.len() > MAX_NAME {
        return Err(pos.error(format!(
            "name {name:?} is too long: at most {MAX_NAME} bytes"
        )));
    }
    Ok(())
}

/// Checks an interface name against the kernel's rules, and the language's: it
/// cannot hold the characters that end a word, and `lo` exists in every node.
pub(crate) fn check_ifname(name: &str, pos: Pos) -> Result<(), ParseError> {
    if name.is_empty() {
        return Err(pos.error("expected an interface name after \":\""));
    }
    if name.len() > MAX_NAME {
        return Err(pos.error(format!(
            "interface name {name:?} is too long: at most {MAX_NAME} bytes"
        )));
    }
    if name == "." || name == ".." {
        return Err(pos.error(format!("{name:?} cannot be an interface name")));
    }
    if name == "lo" {
        return Err(
            pos.error("interface name \"lo\" is taken: every node has its loopback interface lo")
        );
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c == '/' || c == ':' || c.is_whitespace() || c.is_control())
    {
        return Err(pos.error(format!(
            "interface name {name:?} cannot contain {:?}",
            c.to_string()
        )));
    }
    Ok(())
}

/// Parses an interface address and rejects those no interface can carry.
fn interface_addr(t: Token<'_>) -> Result<Cidr, ParseError> {
    let c = Cidr::parse(t.text).map_err(|e| t.pos.error(e.to_string()))?;
    if let Some(what) = unusable(c.addr) {
        return Err(t.pos.error(format!(
            "{} cannot be an interface address: it is {what}",
            c.addr
        )));
    }
    Ok(c)
}

fn unusable(ip: IpAddr) -> Option<&'static str> {
    if ip.is_unspecified() {
        Some("the unspecified address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if matches!(ip, IpAddr::V4(v4) if v4.is_broadcast()) {
        Some("the broadcast address")
    } else {
        None
    }
}

fn mtu(cur: &mut Cursor<'_, '_>) -> Result<u32, ParseError> {
    const EXPECTED: &str = "an MTU between 68 and 65535";
    let t = cur.next_or(EXPECTED)?;
    t.text
        .parse::<u32>()
        .ok()
        .filter(|n| t.text.bytes().all(|b| b.is_ascii_digit()) && (68..=65535).contains(n))
        .ok_or_else(|| unexpected(t, EXPECTED))
}

/// The name a direction `X->Y:` uses for an end: its node, or its bridge.
fn end_name(end: &End) -> &str {
    match end {
        End::Node(n) => &n.node,
        End::Bridge { bridge, .. } => bridge,
    }
}

/// The options after a link's ends: `[mtu N]`, then impairments for both
/// directions, then groups `X->Y: OPTIONS` for one direction, X and Y being the
/// ends' names. Each option is given once per direction: a direction group adds
/// to the options for both, it does not override them, so that what a line means
/// never depends on the order of its words.
fn link_options(
    cur: &mut Cursor<'_, '_>,
    names: [&str; 2],
) -> Result<(Option<u32>, [Impairment; 2]), ParseError> {
    const EXPECTED: &str = "\"mtu\", delay, jitter, loss, duplicate, reorder, rate, \
                            a direction like a->b: or end of statement";
    let mtu = if cur.peek_is(&["mtu"]) {
        cur.next();
        Some(mtu(cur)?)
    } else {
        None
    };
    let mut impair = [Impairment::default(); 2];
    // Where each option was set, per direction, for "given twice" and "needs delay".
    let mut set: [HashMap<&str, Pos>; 2] = Default::default();
    // The directions the current group applies to.
    let mut sides: &[usize] = &[0, 1];
    let mut group_start: Option<Token<'_>> = None;
    let mut group_empty = false;
    let mut seen_dirs: [Option<Pos>; 2] = [None, None];
    while let Some(t) = cur.next() {
        if t.text == "mtu" && mtu.is_some() {
            return Err(t.pos.error("\"mtu\" given twice"));
        }
        if t.text == "mtu" {
            return Err(t.pos.error(
                "\"mtu\" comes right after the ends, before any impairment: the MTU is \
                 the same on both ends",
            ));
        }
        if t.text.contains("->") {
            if group_empty {
                let g = group_start.expect("a group was opened");
                return Err(t.pos.error(format!(
                    "expected options after {}, found {:?}",
                    g.text, t.text
                )));
            }
            let dir = t
                .text
                .strip_suffix(':')
                .and_then(|d| d.split_once("->"))
                .ok_or_else(|| {
                    t.pos.error(format!(
                        "expected a direction like {}->{}: (with the colon), found {:?}",
                        names[0], names[1], t.text
                    ))
                })?;
            let side = match dir {
                (x, y) if x == names[0] && y == names[1] => 0,
                (x, y) if x == names[1] && y == names[0] => 1,
                _ => {
                    return Err(t.pos.error(format!(
                        "direction {:?} is not one of this link's: {a}->{b}: or {b}->{a}:",
                        t.text,
                        a = names[0],
                        b = names[1]
                    )))
                }
            };
            if let Some(first) = seen_dirs[side] {
                return Err(t.pos.error(format!(
                    "direction {} given twice (first at {}:{})",
                    t.text, first.line, first.col
                )));
            }
            seen_dirs[side] = Some(t.pos);
            sides = if side == 0 { &[0] } else { &[1] };
            group_start = Some(t);
            group_empty = true;
            continue;
        }
        if !crate::impair::OPTIONS.contains(&t.text) {
            return Err(unexpected(t, EXPECTED));
        }
        let option = t.text;
        let value = cur.next_or(&format!("a value for {option}"))?;
        for &s in sides {
            if let Some(first) = set[s].get(option) {
                let dir = format!("{}->{}", names[s], names[1 - s]);
                return Err(t.pos.error(format!(
                    "{option} given twice for {dir} (first at {}:{})",
                    first.line, first.col
                )));
            }
        }
        for &s in sides {
            set[s].insert(option, t.pos);
            let i = &mut impair[s];
            match option {
                "delay" => i.delay = Some(crate::impair::time(option, value)?),
                "jitter" => i.jitter = Some(crate::impair::time(option, value)?),
                "loss" => i.loss = Some(crate::impair::percent(option, value)?),
                "duplicate" => i.duplicate = Some(crate::impair::percent(option, value)?),
                "reorder" => i.reorder = Some(crate::impair::percent(option, value)?),
                _ => i.rate = Some(crate::impair::rate(value)?),
            }
        }
        group_empty = false;
    }
    if group_empty {
        let g = group_start.expect("a group was opened");
        return Err(cur.statement.end().error(format!(
            "expected options after {}, found end of statement",
            g.text
        )));
    }
    // netem delays the packets it reorders and jitters: both mean nothing without it.
    for s in 0..2 {
        for option in ["jitter", "reorder"] {
            if let (Some(pos), None) = (set[s].get(option), impair[s].delay) {
                return Err(pos.error(format!(
                    "{option} needs a delay on {}->{} (write delay too)",
                    names[s],
                    names[1 - s]
                )));
            }
        }
    }
    Ok((mtu, impair))
}

fn family(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

impl Parser {
    fn statement(&mut self, st: &Statement<'_>) -> Result<(), ParseError> {
        let mut cur = Cursor {
            statement: st,
            next: 0,
        };
        let first = st.tokens[0];
        match first.text {
            "node" => self.node(&mut cur),
            "bridge" => self.bridge(&mut cur),
            "route" => self.route(&mut cur),
            "expect" => self.expect(&mut cur),
            _ if st.tokens.iter().any(|t| t.text == "--") => self.link(&mut cur),
            _ => Err(first.pos.error(format!(
                "unknown statement {:?}: expected node, bridge, route, expect \
                 or a link \"END -- END\"",
                first.text
            ))),
        }
    }

    /// Records that `name` is used as a node; `host` needs no record.
    fn use_node(&mut self, name: &str, pos: Pos) -> Result<(), ParseError> {
        if name == HOST {
            return Ok(());
        }
        match self.kinds.get(name) {
            Some(Kind::Node) => Ok(()),
            Some(Kind::Bridge) => {
                Err(pos.error(format!("{name:?} declared both as node and bridge")))
            }
            None => {
                self.kinds.insert(name.to_string(), Kind::Node);
                self.topo.nodes.push(Node {
                    name: name.to_string(),
                    forward: false,
                    sysctls: Vec::new(),
                });
                Ok(())
            }
        }
    }

    fn node(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let t = cur.next_or("a node name")?;
        let name = t.text;
        check_name(name, t.pos)?;
        if name == HOST {
            return Err(t.pos.error(
                "\"host\" cannot be declared with node: it is the sandbox's own namespace, \
                 which always exists",
            ));
        }
        if !self.declared.insert(name.to_string()) {
            return Err(t.pos.error(format!("node {name} declared twice")));
        }
        self.use_node(name, t.pos)?;
        let mut forward = false;
        let mut sysctls: Vec<(String, String)> = Vec::new();
        while let Some(opt) = cur.next() {
            match opt.text {
                "forward" if forward => {
                    return Err(opt
                        .pos
                        .error(format!("\"forward\" given twice for node {name}")));
                }
                "forward" => forward = true,
                "sysctl" => {
                    let (key, value) = sysctl(cur)?;
                    if sysctls.iter().any(|(k, _)| *k == key.0) {
                        return Err(key
                            .1
                            .error(format!("sysctl {} set twice for node {name}", key.0)));
                    }
                    sysctls.push((key.0, value));
                }
                _ => {
                    return Err(unexpected(
                        opt,
                        "\"forward\", \"sysctl\" or end of statement",
                    ))
                }
            }
        }
        let node = self
            .topo
            .nodes
            .iter_mut()
            .find(|n| n.name == name)
            .expect("use_node recorded it");
        node.forward = forward;
        node.sysctls = sysctls;
        Ok(())
    }

    fn bridge(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let t = cur.next_or("a bridge name")?;
        let name = t.text;
        check_name(name, t.pos)?;
        if name == HOST {
            return Err(t
                .pos
                .error("\"host\" cannot be a bridge name: it is the sandbox's own namespace"));
        }
        if name == "lo" {
            return Err(t.pos.error(
                "\"lo\" cannot be a bridge name: every node has its loopback interface lo",
            ));
        }
        match self.kinds.get(name) {
            Some(Kind::Bridge) => {
                return Err(t.pos.error(format!("bridge {name} declared twice")));
            }
            Some(Kind::Node) if !self.declared.contains(name) => {
                return Err(t.pos.error(format!(
                    "{name:?} declared both as node and bridge (a bridge must be declared \
                     before the links that use it)"
                )));
            }
            Some(Kind::Node) => {
                return Err(t
                    .pos
                    .error(format!("{name:?} declared both as node and bridge")));
            }
            None => {}
        }
        self.kinds.insert(name.to_string(), Kind::Bridge);

        let mut node = HOST;
        if let Some(at) = cur.peek().filter(|t| t.text.starts_with('@')) {
            cur.next();
            node = &at.text[1..];
            if node.is_empty() {
                return Err(at.pos.error("expected a node name after \"@\""));
            }
            check_name(node, at.pos.plus(1))?;
            self.use_node(node, at.pos.plus(1))?;
        }
        let mut addrs = Vec::new();
        let mut addr_spans = Vec::new();
        while cur.peek().is_some() && !cur.peek_is(&["mtu"]) {
            let t = cur.next_or("an address")?;
            addrs.push(interface_addr(t)?);
            addr_spans.push(t.pos);
        }
        let mtu = if cur.next().is_some() {
            Some(mtu(cur)?)
        } else {
            None
        };
        cur.finish("end of statement")?;
        self.topo.bridges.push(Bridge {
            name: name.to_string(),
            node: node.to_string(),
            addrs,
            mtu,
            links_before: self.topo.links.len(),
        });
        self.spans.bridges.push(BridgeSpan {
            name: t.pos,
            addrs: addr_spans,
        });
        Ok(())
    }

    fn end(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(End, EndSpan), ParseError> {
        const EXPECTED: &str = "a node or bridge name";
        let t = cur.next_or(EXPECTED)?;
        if t.text == "--" || link_option(&t) {
            return Err(unexpected(t, EXPECTED));
        }
        if Cidr::parse(t.text).is_ok() || IpAddr::from_str(t.text).is_ok() {
            return Err(t.pos.error(format!(
                "expected a node or bridge name before the addresses, found {:?}",
                t.text
            )));
        }
        let (name, ifname) = match t.text.split_once(':') {
            Some((name, ifname)) => (name, Some(ifname)),
            None => (t.text, None),
        };
        if name.is_empty() {
            return Err(t.pos.error(format!(
                "expected a node name before \":\", found {:?}",
                t.text
            )));
        }
        check_name(name, t.pos)?;
        let ifname_pos = t.pos.plus(name.chars().count() + 1);
        let at_end =
            |cur: &Cursor<'_, '_>| cur.peek().is_none_or(|t| t.text == "--" || link_option(&t));

        if self.kinds.get(name) == Some(&Kind::Bridge) {
            if ifname.is_some() {
                return Err(ifname_pos.error(format!(
                    "bridge {name} used as a node: a bridge end takes no interface name, \
                     its port is named for it (write just {name})"
                )));
            }
            if !at_end(cur) {
                let addr = cur.next_or("an address")?;
                return Err(addr.pos.error(format!(
                    "bridge {name} used as a node: a bridge end takes no addresses \
                     (give them to the bridge statement, or to the other end)"
                )));
            }
            let end = End::Bridge {
                bridge: name.to_string(),
                port: String::new(),
            };
            let span = EndSpan {
                name: t.pos,
                ifname: None,
                addrs: Vec::new(),
            };
            return Ok((end, span));
        }

        self.use_node(name, t.pos)?;
        if let Some(ifname) = ifname {
            check_ifname(ifname, ifname_pos)?;
        }
        let mut addrs = Vec::new();
        let mut addr_spans = Vec::new();
        while !at_end(cur) {
            let a = cur.next_or("an address")?;
            addrs.push(interface_addr(a)?);
            addr_spans.push(a.pos);
        }
        let end = End::Node(NodeEnd {
            node: name.to_string(),
            ifname: ifname.unwrap_or_default().to_string(),
            addrs,
        });
        let span = EndSpan {
            name: t.pos,
            ifname: ifname.map(|_| ifname_pos),
            addrs: addr_spans,
        };
        Ok((end, span))
    }

    fn link(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        let start = cur.peek().map(|t| t.pos).unwrap_or(Pos { line: 1, col: 1 });
        let (a, a_span) = self.end(cur)?;
        let dash = cur.next_or("\"--\"")?;
        if dash.text != "--" {
            return Err(unexpected(dash, "\"--\""));
        }
        let (b, b_span) = self.end(cur)?;
        match (&a, &b) {
            (End::Node(x), End::Node(y)) if x.node == y.node => {
                return Err(b_span
                    .name
                    .error(format!("link from node {} to itself", x.node)));
            }
            (End::Bridge { bridge: x, .. }, End::Bridge { bridge: y, .. }) if x == y => {
                return Err(b_span.name.error(format!("link from bridge {x} to itself")));
            }
            _ => {}
        }
        let (mtu, impair) = link_options(cur, [end_name(&a), end_name(&b)])?;
        self.topo.links.push(Link { a, b, mtu, impair });
        self.spans.links.push(LinkSpan {
            start,
            a: a_span,
            b: b_span,
        });
        Ok(())
    }

    fn route(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let node = cur.next_or("a node name")?;
        check_name(node.text, node.pos)?;
        const DEST: &str = "\"default\" or a destination like 10.0.0.0/24";
        let d = cur.next_or(DEST)?;
        let dest = if d.text == "default" {
            Destination::Default
        } else {
            let c = Cidr::parse(d.text).map_err(|_| unexpected(d, DEST))?;
            if c.network() != c {
                return Err(d.pos.error(format!(
                    "route destination {c} has host bits set: did you mean {}?",
                    c.network()
                )));
            }
            Destination::Net(c)
        };
        let via = cur.next_or("\"via\"")?;
        if via.text != "via" {
            return Err(unexpected(via, "\"via\""));
        }
        const GATEWAY: &str = "a gateway address like 10.0.0.1";
        let g = cur.next_or(GATEWAY)?;
        let gw = IpAddr::from_str(g.text).map_err(|_| unexpected(g, GATEWAY))?;
        if let Some(what) = unusable(gw) {
            return Err(g
                .pos
                .error(format!("{gw} cannot be a gateway: it is {what}")));
        }
        if let Destination::Net(c) = dest {
            if c.addr.is_ipv4() != gw.is_ipv4() {
                return Err(g.pos.error(format!(
                    "gateway {gw} is {} but the destination {c} is {}",
                    family(gw),
                    family(c.addr)
                )));
            }
        }
        cur.finish("end of statement")?;
        self.topo.routes.push(Route {
            node: node.text.to_string(),
            dest,
            via: gw,
        });
        self.spans.routes.push(RouteSpan {
            node: node.pos,
            dest: d.pos,
            via: g.pos,
        });
        Ok(())
    }

    fn expect(&mut self, cur: &mut Cursor<'_, '_>) -> Result<(), ParseError> {
        cur.next();
        let from = cur.next_or("a node name")?;
        check_name(from.text, from.pos)?;
        const ARROW: &str = "\"->\", \"<->\" or \"-x-\"";
        let op = cur.next_or(ARROW)?;
        let kind = match op.text {
            "->" => ExpectKind::Reach,
            "<->" => ExpectKind::Both,
            "-x-" => ExpectKind::Isolated,
            _ => return Err(unexpected(op, ARROW)),
        };
        const TARGET: &str = "a node name or an address like 10.0.0.1";
        let t = cur.next_or(TARGET)?;
        let target = if let Ok(ip) = IpAddr::from_str(t.text) {
            Target::Ip(ip)
        } else if Cidr::parse(t.text).is_ok() {
            return Err(t.pos.error(format!(
                "expected a node name or an address without prefix length, found {:?}",
                t.text
            )));
        } else if !t.text.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(unexpected(t, TARGET));
        } else {
            check_name(t.text, t.pos)?;
            Target::Node(t.text.to_string())
        };
        if let (ExpectKind::Both, Target::Ip(ip)) = (kind, &target) {
            return Err(t.pos.error(format!(
                "\"<->\" needs a node on the right to ping back from, found the address {ip}"
            )));
        }
        cur.finish("end of statement")?;
        self.topo.expects.push(Expect {
            from: from.text.to_string(),
            kind,
            target,
        });
        self.spans.expects.push(ExpectSpan {
            from: from.pos,
            target: t.pos,
        });
        Ok(())
    }
}

/// `KEY=VALUE` after `sysctl`, checked: only `net.*`, since any other sysctl is
/// global and would change the machine running the tests.
fn sysctl(cur: &mut Cursor<'_, '_>) -> Result<((String, Pos), String), ParseError> {
    const EXPECTED: &str = "KEY=VALUE after sysctl";
    let t = cur.next_or(EXPECTED)?;
    let Some((key, value)) = t.text.split_once('=') else {
        return Err(unexpected(t, EXPECTED));
    };
    if !key.starts_with("net.") {
        return Err(t.pos.error(format!(
            "sysctl {key:?} is not a network sysctl: only keys starting with \"net.\" are \
             per namespace, any other would change the machine running the tests"
        )));
    }
    if let Some(c) = key
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c)))
    {
        return Err(t.pos.error(format!(
            "sysctl key {key:?} cannot contain {:?}: only a-z, 0-9, \"_\", \".\" and \"-\"",
            c.to_string()
        )));
    }
    if key.contains("..") || key.ends_with('.') {
        return Err(t
            .pos
            .error(format!("sysctl key {key:?} has an empty component")));
    }
    if value.is_empty() {
        return Err(t
            .pos
            .plus(key.chars().count() + 1)
            .error(format!("expected a value after \"{key}=\"")));
    }
    Ok(((key.to_string(), t.pos), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;

    fn ok(src: &str) -> Topology {
        parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn err(src: &str) -> String {
        match parse(src) {
            Ok(t) => panic!("{src:?} parsed:\n{t}"),
            Err(e) => e.to_string(),
        }
    }

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn node_end(t: &Topology, l: usize, side: Side) -> &NodeEnd {
        t.links[l].end(side).as_node().expect("a node end")
    }

    #[test]
    fn empty_texts_are_empty_topologies() {
        assert_eq!(ok(""), Topology::default());
        assert_eq!(ok("  # nothing\n;\n\n"), Topology::default());
    }

    #[test]
    fn node_statement() {
        let t = ok("node a");
        assert_eq!(
            t.nodes,
            [Node {
                name: "a".into(),
                forward: false,
                sysctls: vec![],
            }]
        );
        let t = ok("node r forward sysctl net.ipv4.conf.all.rp_filter=0 sysctl net.core.x=a=b");
        assert_eq!(
            t.nodes,
            [Node {
                name: "r".into(),
                forward: true,
                sysctls: vec![
                    ("net.ipv4.conf.all.rp_filter".into(), "0".into()),
                    ("net.core.x".into(), "a=b".into()),
                ],
            }]
        );
        // Options in any order.
        assert!(ok("node r sysctl net.a=1 forward").nodes[0].forward);
    }

    #[test]
    fn node_statement_after_use_keeps_first_appearance() {
        let t = ok("a -- b\nnode b forward\nnode c");
        assert_eq!(t.node_names(), ["host", "a", "b", "c"]);
        assert!(t.node("b").unwrap().forward);
        assert!(!t.node("a").unwrap().forward);
    }

    #[test]
    fn node_errors() {
        assert_eq!(
            err("node"),
            "topology:1:5: expected a node name, found end of statement"
        );
        assert_eq!(
            err("node host"),
            "topology:1:6: \"host\" cannot be declared with node: it is the sandbox's own \
             namespace, which always exists"
        );
        assert_eq!(err("node a\nnode a"), "topology:2:6: node a declared twice");
        assert_eq!(
            err("node a forward forward"),
            "topology:1:16: \"forward\" given twice for node a"
        );
        assert_eq!(
            err("node a fast"),
            "topology:1:8: expected \"forward\", \"sysctl\" or end of statement, found \"fast\""
        );
        assert_eq!(
            err("bridge br0\nnode br0"),
            "topology:2:6: \"br0\" declared both as node and bridge"
        );
        assert_eq!(
            err("node mtu"),
            "topology:1:6: \"mtu\" is a keyword and cannot be a name"
        );
    }

    #[test]
    fn sysctl_errors() {
        assert_eq!(
            err("node a sysctl"),
            "topology:1:14: expected KEY=VALUE after sysctl, found end of statement"
        );
        assert_eq!(
            err("node a sysctl net.x"),
            "topology:1:15: expected KEY=VALUE after sysctl, found \"net.x\""
        );
        assert_eq!(
            err("node a sysctl kernel.panic=1"),
            "topology:1:15: sysctl \"kernel.panic\" is not a network sysctl: only keys \
             starting with \"net.\" are per namespace, any other would change the machine \
             running the tests"
        );
        assert_eq!(
            err("node a sysctl net.ipv4.conf.Eth0.rp_filter=1"),
            "topology:1:15: sysctl key \"net.ipv4.conf.Eth0.rp_filter\" cannot contain \"E\": \
             only a-z, 0-9, \"_\", \".\" and \"-\""
        );
        assert_eq!(
            err("node a sysctl net/../x=1"),
            "topology:1:15: sysctl \"net/../x\" is not a network sysctl: only keys starting \
             with \"net.\" are per namespace, any other would change the machine running the \
             tests"
        );
        assert_eq!(
            err("node a sysctl net.ipv4/x=1"),
            "topology:1:15: sysctl key \"net.ipv4/x\" cannot contain \"/\": only a-z, 0-9, \
             \"_\", \".\" and \"-\""
        );
        assert_eq!(
            err("node a sysctl net..x=1"),
            "topology:1:15: sysctl key \"net..x\" has an empty component"
        );
        assert_eq!(
            err("node a sysctl net.x.=1"),
            "topology:1:15: sysctl key \"net.x.\" has an empty component"
        );
        assert_eq!(
            err("node a sysctl net.x="),
            "topology:1:21: expected a value after \"net.x=\""
        );
        assert_eq!(
            err("node a sysctl net.x=1 sysctl net.x=2"),
            "topology:1:30: sysctl net.x set twice for node a"
        );
    }

    #[test]
    fn names() {
        ok("a_1-b -- z9");
        ok("abcdefghijklmno -- b");
        assert_eq!(
            err("abcdefghijklmnop -- b"),
            "topology:1:1: name \"abcdefghijklmnop\" is too long: at most 15 bytes"
        );
        for bad in ["A", "1a", "a.b", "é", "_a", "a/b"] {
            assert_eq!(
                err(&format!("{bad} -- b")),
                format!(
                    "topology:1:1: invalid name {bad:?}: a name is a lowercase letter followed \
                     by lowercase letters, digits, \"_\" or \"-\""
                )
            );
        }
        // `mtu` there is read as the link's option, out of place.
        assert_eq!(
            err("a -- mtu"),
            "topology:1:6: expected a node or bridge name, found \"mtu\""
        );
        for keyword in KEYWORDS
            .iter()
            .filter(|k| **k != "mtu" && !crate::impair::OPTIONS.contains(k))
        {
            assert_eq!(
                err(&format!("a -- {keyword}")),
                format!("topology:1:6: {keyword:?} is a keyword and cannot be a name")
            );
        }
    }

    fn impair(t: &Topology) -> [Impairment; 2] {
        t.links[0].impair
    }

    #[test]
    fn impairments_for_both_directions() {
        use crate::impair::Percent;
        use std::time::Duration;
        let t = ok(
            "a -- b mtu 1400 delay 20ms jitter 5ms loss 1% duplicate 0.5% reorder 10% rate 10mbit",
        );
        let i = Impairment {
            delay: Some(Duration::from_millis(20)),
            jitter: Some(Duration::from_millis(5)),
            loss: Percent::from_milli(1000),
            duplicate: Percent::from_milli(500),
            reorder: Percent::from_milli(10_000),
            rate: Some(10_000_000),
        };
        assert_eq!(impair(&t), [i, i]);
        assert_eq!(t.links[0].mtu, Some(1400));
        // units
        let delay = |s: &str| impair(&ok(&format!("a -- b delay {s}")))[0].delay.unwrap();
        assert_eq!(delay("7us"), Duration::from_micros(7));
        assert_eq!(delay("60s"), Duration::from_secs(60));
        assert_eq!(delay("60000ms"), Duration::from_secs(60));
        let rate = |s: &str| impair(&ok(&format!("a -- b rate {s}")))[0].rate.unwrap();
        assert_eq!(rate("1bit"), 1);
        assert_eq!(rate("3kbit"), 3000);
        assert_eq!(rate("2gbit"), 2_000_000_000);
        let loss = |s: &str| {
            impair(&ok(&format!("a -- b loss {s}")))[0]
                .loss
                .unwrap()
                .milli()
        };
        assert_eq!(loss("0%"), 0);
        assert_eq!(loss("100%"), 100_000);
        assert_eq!(loss("0.001%"), 1);
        assert_eq!(loss("99.99%"), 99_990);
        // bridge ends, and an end with addresses before the options
        let t = ok("bridge br0\na 10.0.0.1/24 -- br0 rate 1mbit br0->a: delay 1ms");
        assert_eq!(impair(&t)[0].delay, None);
        assert_eq!(impair(&t)[1].delay, Some(Duration::from_millis(1)));
        assert_eq!(impair(&t)[1].rate, Some(1_000_000));
        assert_eq!(ok("a -- b").links[0].impair, [Impairment::default(); 2]);
        // "->" inside an interface name is no direction
        let t = ok("a:x->y -- b:p->q rate 1kbit");
        assert_eq!(
            t.links[0].to_string(),
            "a:x->y 10.0.1.1/24 fd00:1::1/64 -- b:p->q 10.0.1.2/24 fd00:1::2/64 rate 1kbit"
        );
    }

    #[test]
    fn impairments_per_direction() {
        use std::time::Duration;
        let ms = |n| Some(Duration::from_millis(n));
        let t = ok("a -- b mtu 1400 delay 10ms a->b: loss 5% rate 1mbit b->a: jitter 30ms");
        let [x, y] = impair(&t);
        assert_eq!((x.delay, x.rate, x.jitter), (ms(10), Some(1_000_000), None));
        assert_eq!(x.loss.unwrap().milli(), 5000);
        assert_eq!(
            (y.delay, y.rate, y.jitter, y.loss),
            (ms(10), None, ms(30), None)
        );
        // the order of the groups does not matter
        let t = ok("a:x -- b:y b->a: delay 3ms a->b: delay 4ms");
        assert_eq!(impair(&t).map(|i| i.delay), [ms(4), ms(3)]);
        // printed once when equal, per direction else
        assert_eq!(
            ok("a -- b delay 10ms").links[0].to_string(),
            "a:eth0 10.0.1.1/24 fd00:1::1/64 -- b:eth0 10.0.1.2/24 fd00:1::2/64 delay 10ms"
        );
        assert_eq!(
            ok("a -- b a->b: delay 10ms b->a: delay 10ms").links[0].impair,
            ok("a -- b delay 10ms").links[0].impair
        );
        assert_eq!(
            ok("bridge br0\nbr0 -- b:e loss 1% b->br0: rate 1500kbit").links[0].to_string(),
            "br0 -- b:e 10.0.1.1/24 fd00:1::1/64 br0->b: loss 1% b->br0: loss 1% rate 1500kbit"
        );
    }

    #[test]
    fn impairment_errors() {
        let cases = [
            ("a -- b delay", "1:13: expected a value for delay, found end of statement"),
            ("a -- b delay 20", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"20\""),
            ("a -- b delay 20min", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"20min\""),
            ("a -- b delay 1.5ms", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"1.5ms\""),
            ("a -- b delay -1ms", "1:14: expected a delay like 20ms (a whole number of us, ms or s), found \"-1ms\""),
            ("a -- b delay 0ms", "1:14: delay 0ms is out of range: more than 0 and at most 60s"),
            ("a -- b delay 61s", "1:14: delay 61s is out of range: more than 0 and at most 60s"),
            ("a -- b delay 1ms jitter 60001ms", "1:25: jitter 60001ms is out of range: more than 0 and at most 60s"),
            ("a -- b loss 1", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"1\""),
            ("a -- b loss 100.001%", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"100.001%\""),
            ("a -- b duplicate 0.0001%", "1:18: expected a duplicate percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"0.0001%\""),
            ("a -- b loss 1.%", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"1.%\""),
            ("a -- b loss .5%", "1:13: expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \".5%\""),
            ("a -- b delay 1ms reorder 101%", "1:26: expected a reorder percentage like 1% or 0.5% (0 to 100, at most 3 decimals), found \"101%\""),
            ("a -- b rate 10", "1:13: expected a rate like 10mbit (a whole number of bit, kbit, mbit or gbit per second), found \"10\""),
            ("a -- b rate 10mbps", "1:13: expected a rate like 10mbit (a whole number of bit, kbit, mbit or gbit per second), found \"10mbps\""),
            ("a -- b rate 99999999999999gbit", "1:13: expected a rate like 10mbit (a whole number of bit, kbit, mbit or gbit per second), found \"99999999999999gbit\""),
            ("a -- b rate 0kbit", "1:13: rate 0kbit is out of range: more than 0"),
            ("a -- b jitter 5ms", "1:8: jitter needs a delay on a->b (write delay too)"),
            ("a -- b reorder 5%", "1:8: reorder needs a delay on a->b (write delay too)"),
            ("a -- b reorder 5% a->b: delay 1ms", "1:8: reorder needs a delay on b->a (write delay too)"),
            ("a -- b jitter 1ms b->a: delay 1ms", "1:8: jitter needs a delay on a->b (write delay too)"),
            ("a -- b delay 1ms delay 2ms", "1:18: delay given twice for a->b (first at 1:8)"),
            ("a -- b delay 1ms b->a: delay 2ms", "1:24: delay given twice for b->a (first at 1:8)"),
            ("a -- b a->b: rate 1mbit a->b: loss 1%", "1:25: direction a->b: given twice (first at 1:8)"),
            ("a -- b a->c: rate 1mbit", "1:8: direction \"a->c:\" is not one of this link's: a->b: or b->a:"),
            ("a -- b a->a: rate 1mbit", "1:8: direction \"a->a:\" is not one of this link's: a->b: or b->a:"),
            ("a -- b a->b rate 1mbit", "1:8: expected a direction like a->b: (with the colon), found \"a->b\""),
            ("a -- b a->b:", "1:13: expected options after a->b:, found end of statement"),
            ("a -- b a->b: b->a: loss 1%", "1:14: expected options after a->b:, found \"b->a:\""),
            ("a -- b delay 1ms mtu 1400", "1:18: \"mtu\" comes right after the ends, before any impairment: the MTU is the same on both ends"),
            ("a -- b delay 1ms latency 1ms", "1:18: expected \"mtu\", delay, jitter, loss, duplicate, reorder, rate, a direction like a->b: or end of statement, found \"latency\""),
            ("a -- delay 1ms", "1:6: expected a node or bridge name, found \"delay\""),
            ("a delay 1ms -- b", "1:3: expected \"--\", found \"delay\""),
            ("node rate", "1:6: \"rate\" is a keyword and cannot be a name"),
            ("bridge loss", "1:8: \"loss\" is a keyword and cannot be a name"),
        ];
        for (src, want) in cases {
            assert_eq!(err(src), format!("topology:{want}"), "{src}");
        }
    }

    #[test]
    fn bridge_statement() {
        let t = ok("bridge br0");
        assert_eq!(
            t.bridges,
            [Bridge {
                name: "br0".into(),
                node: HOST.into(),
                addrs: vec![],
                mtu: None,
                links_before: 0,
            }]
        );
        assert!(t.nodes.is_empty());
        let t = ok("a -- b\nbridge br1 @r 10.0.0.1/24 fd00::1/64 mtu 9000");
        assert_eq!(
            t.bridges,
            [Bridge {
                name: "br1".into(),
                node: "r".into(),
                addrs: vec![cidr("10.0.0.1/24"), cidr("fd00::1/64")],
                mtu: Some(9000),
                links_before: 1,
            }]
        );
        assert_eq!(t.node_names(), ["host", "a", "b", "r"]);
        assert_eq!(ok("bridge br0 @host").bridges[0].node, HOST);
        assert_eq!(ok("bridge br0 mtu 68").bridges[0].mtu, Some(68));
        assert_eq!(ok("bridge br0 mtu 65535").bridges[0].mtu, Some(65535));
    }

    #[test]
    fn bridge_errors() {
        assert_eq!(
            err("bridge"),
            "topology:1:7: expected a bridge name, found end of statement"
        );
        assert_eq!(
            err("bridge host"),
            "topology:1:8: \"host\" cannot be a bridge name: it is the sandbox's own namespace"
        );
        assert_eq!(
            err("bridge lo"),
            "topology:1:8: \"lo\" cannot be a bridge name: every node has its loopback \
             interface lo"
        );
        assert_eq!(
            err("bridge br0; bridge br0"),
            "topology:1:20: bridge br0 declared twice"
        );
        assert_eq!(
            err("a -- br0\nbridge br0"),
            "topology:2:8: \"br0\" declared both as node and bridge (a bridge must be \
             declared before the links that use it)"
        );
        assert_eq!(
            err("node x\nbridge x"),
            "topology:2:8: \"x\" declared both as node and bridge"
        );
        assert_eq!(
            err("bridge br0 @br0"),
            "topology:1:13: \"br0\" declared both as node and bridge"
        );
        assert_eq!(
            err("bridge br0; bridge br1 @br0"),
            "topology:1:25: \"br0\" declared both as node and bridge"
        );
        assert_eq!(
            err("bridge br0 @"),
            "topology:1:12: expected a node name after \"@\""
        );
        assert_eq!(
            err("bridge br0 @R"),
            "topology:1:13: invalid name \"R\": a name is a lowercase letter followed by \
             lowercase letters, digits, \"_\" or \"-\""
        );
        assert_eq!(
            err("bridge br0 10.0.0.1 "),
            "topology:1:12: expected an address like 10.0.0.1/24, found \"10.0.0.1\""
        );
        assert_eq!(
            err("bridge br0 @r @s"),
            "topology:1:15: expected an address like 10.0.0.1/24, found \"@s\""
        );
        assert_eq!(
            err("bridge br0 mtu 1500 10.0.0.1/24"),
            "topology:1:21: expected end of statement, found \"10.0.0.1/24\""
        );
    }

    #[test]
    fn mtu_errors() {
        for bad in ["67", "65536", "x", "+1500", "1500.0", "99999999999"] {
            assert_eq!(
                err(&format!("bridge br0 mtu {bad}")),
                format!("topology:1:16: expected an MTU between 68 and 65535, found {bad:?}")
            );
        }
        assert_eq!(
            err("a -- b mtu"),
            "topology:1:11: expected an MTU between 68 and 65535, found end of statement"
        );
    }

    #[test]
    fn link_statement() {
        let t = ok("a:veth-a 192.168.1.1/24 fd00::1/64 -- b mtu 1400");
        assert_eq!(
            t.links,
            [Link {
                a: End::Node(NodeEnd {
                    node: "a".into(),
                    ifname: "veth-a".into(),
                    addrs: vec![cidr("192.168.1.1/24"), cidr("fd00::1/64")],
                }),
                b: End::Node(NodeEnd {
                    node: "b".into(),
                    ifname: "eth0".into(),
                    addrs: vec![],
                }),
                mtu: Some(1400),
                impair: Default::default(),
            }]
        );
        let t = ok("bridge br0\nhost:veth0 10.0.0.1/24 -- br0");
        assert!(t.nodes.is_empty());
        assert_eq!(node_end(&t, 0, Side::A).node, HOST);
        assert_eq!(
            t.links[0].b,
            End::Bridge {
                bridge: "br0".into(),
                port: "br0-p0".into(),
            }
        );
        // Any bytes the kernel takes, but the separators of the language.
        let t = ok("a:Eth.0-é@x=y -- b");
        assert_eq!(node_end(&t, 0, Side::A).ifname, "Eth.0-é@x=y");
    }

    #[test]
    fn link_errors() {
        assert_eq!(
            err("a"),
            "topology:1:1: unknown statement \"a\": expected node, bridge, route, expect or \
             a link \"END -- END\""
        );
        assert_eq!(
            err("rout a default via 10.0.0.1"),
            "topology:1:1: unknown statement \"rout\": expected node, bridge, route, expect \
             or a link \"END -- END\""
        );
        assert_eq!(
            err("a --"),
            "topology:1:5: expected a node or bridge name, found end of statement"
        );
        assert_eq!(
            err("-- b"),
            "topology:1:1: expected a node or bridge name, found \"--\""
        );
        assert_eq!(
            err("a -- b -- c"),
            "topology:1:8: expected \"mtu\", delay, jitter, loss, duplicate, reorder, rate, a \
             direction like a->b: or end of statement, found \"--\""
        );
        assert_eq!(
            err("a mtu 1500 -- b"),
            "topology:1:3: expected \"--\", found \"mtu\""
        );
        assert_eq!(
            err("a -- b mtu 1500 mtu 1500"),
            "topology:1:17: \"mtu\" given twice"
        );
        assert_eq!(
            err("10.0.0.1/24 -- b"),
            "topology:1:1: expected a node or bridge name before the addresses, found \
             \"10.0.0.1/24\""
        );
        assert_eq!(
            err("a -- fd00::1"),
            "topology:1:6: expected a node or bridge name before the addresses, found \
             \"fd00::1\""
        );
        assert_eq!(
            err(":eth0 -- b"),
            "topology:1:1: expected a node name before \":\", found \":eth0\""
        );
        assert_eq!(
            err("a x -- b"),
            "topology:1:3: expected an address like 10.0.0.1/24, found \"x\""
        );
    }

    #[test]
    fn self_links() {
        assert_eq!(err("a -- a"), "topology:1:6: link from node a to itself");
        assert_eq!(
            err("a:x -- a:y"),
            "topology:1:8: link from node a to itself"
        );
        assert_eq!(
            err("host -- host"),
            "topology:1:9: link from node host to itself"
        );
        assert_eq!(
            err("bridge br0\nbr0 -- br0"),
            "topology:2:8: link from bridge br0 to itself"
        );
        // A node may reach a bridge that lives in it.
        ok("bridge br0 @a\na -- br0");
    }

    #[test]
    fn bridge_used_as_node() {
        assert_eq!(
            err("bridge br0\nbr0:eth0 -- a"),
            "topology:2:5: bridge br0 used as a node: a bridge end takes no interface name, \
             its port is named for it (write just br0)"
        );
        assert_eq!(
            err("bridge br0\na -- br0 10.0.0.1/24"),
            "topology:2:10: bridge br0 used as a node: a bridge end takes no addresses (give \
             them to the bridge statement, or to the other end)"
        );
        assert_eq!(
            err("bridge br0\nroute br0 default via 10.0.0.1"),
            "topology:2:7: unknown node \"br0\" in route (br0 is a bridge); known nodes: host"
        );
    }

    #[test]
    fn interface_name_errors() {
        assert_eq!(
            err("a: -- b"),
            "topology:1:3: expected an interface name after \":\""
        );
        assert_eq!(
            err("a:eth0:1 -- b"),
            "topology:1:3: interface name \"eth0:1\" cannot contain \":\""
        );
        assert_eq!(
            err("a:eth/0 -- b"),
            "topology:1:3: interface name \"eth/0\" cannot contain \"/\""
        );
        assert_eq!(
            err("a:e\u{1}th -- b"),
            "topology:1:3: interface name \"e\\u{1}th\" cannot contain \"\\u{1}\""
        );
        assert_eq!(
            err("ab:abcdefghijklmnop -- b"),
            "topology:1:4: interface name \"abcdefghijklmnop\" is too long: at most 15 bytes"
        );
        // Bytes, not characters: "é" is two.
        assert_eq!(
            err("a:ééééééééé -- b"),
            "topology:1:3: interface name \"ééééééééé\" is too long: at most 15 bytes"
        );
        assert_eq!(
            err("a:. -- b"),
            "topology:1:3: \".\" cannot be an interface name"
        );
        assert_eq!(
            err("a:.. -- b"),
            "topology:1:3: \"..\" cannot be an interface name"
        );
        assert_eq!(
            err("é -- a:lo"),
            "topology:1:1: invalid name \"é\": a name is a lowercase letter followed by \
             lowercase letters, digits, \"_\" or \"-\""
        );
        assert_eq!(
            err("x -- a:lo"),
            "topology:1:8: interface name \"lo\" is taken: every node has its loopback \
             interface lo"
        );
    }

    #[test]
    fn addresses() {
        let t = ok("a 10.0.0.1/0 10.0.0.2/32 fd00::1/128 ::ffff:1.2.3.4/96 -- b");
        assert_eq!(
            node_end(&t, 0, Side::A).addrs,
            [
                cidr("10.0.0.1/0"),
                cidr("10.0.0.2/32"),
                cidr("fd00::1/128"),
                cidr("::ffff:1.2.3.4/96"),
            ]
        );
        // Host bits may be set (it is an interface address), and so may none.
        ok("a 10.0.0.0/24 -- b 10.0.0.255/24");
        for bad in [
            "10.0.0.300/24",
            "10.0.0.1/33",
            "fd00::1/129",
            "10.0.0.1/+24",
            "10.0.0.1/",
            "fd00::1%eth0/64",
            "10.0.0/24",
        ] {
            let word = bad.split(' ').next().unwrap();
            assert_eq!(
                err(&format!("a -- b {bad}")),
                format!("topology:1:8: expected an address like 10.0.0.1/24, found {word:?}")
            );
        }
        assert_eq!(
            err("a 0.0.0.0/8 -- b"),
            "topology:1:3: 0.0.0.0 cannot be an interface address: it is the unspecified address"
        );
        assert_eq!(
            err("a ::/64 -- b"),
            "topology:1:3: :: cannot be an interface address: it is the unspecified address"
        );
        assert_eq!(
            err("a 224.0.0.1/4 -- b"),
            "topology:1:3: 224.0.0.1 cannot be an interface address: it is a multicast address"
        );
        assert_eq!(
            err("a -- b ff02::1/64"),
            "topology:1:8: ff02::1 cannot be an interface address: it is a multicast address"
        );
        assert_eq!(
            err("bridge br0 255.255.255.255/32"),
            "topology:1:12: 255.255.255.255 cannot be an interface address: it is the \
             broadcast address"
        );
    }

    #[test]
    fn route_statement() {
        let t = ok("a 10.0.1.2/24 fd00:1::2/64 -- b 10.0.1.1/24 fd00:1::1/64
            route a default via 10.0.1.1
            route a default via fd00:1::1
            route a 10.9.0.0/16 via 10.0.1.1
            route a fd00:9::/32 via fd00:1::1
            route b 0.0.0.0/0 via 10.0.1.2");
        assert_eq!(
            t.routes,
            [
                Route {
                    node: "a".into(),
                    dest: Destination::Default,
                    via: "10.0.1.1".parse().unwrap(),
                },
                Route {
                    node: "a".into(),
                    dest: Destination::Default,
                    via: "fd00:1::1".parse().unwrap(),
                },
                Route {
                    node: "a".into(),
                    dest: Destination::Net(cidr("10.9.0.0/16")),
                    via: "10.0.1.1".parse().unwrap(),
                },
                Route {
                    node: "a".into(),
                    dest: Destination::Net(cidr("fd00:9::/32")),
                    via: "fd00:1::1".parse().unwrap(),
                },
                Route {
                    node: "b".into(),
                    dest: Destination::Net(cidr("0.0.0.0/0")),
                    via: "10.0.1.2".parse().unwrap(),
                },
            ]
        );
    }

    #[test]
    fn route_errors() {
        assert_eq!(
            err("route"),
            "topology:1:6: expected a node name, found end of statement"
        );
        assert_eq!(
            err("route a"),
            "topology:1:8: expected \"default\" or a destination like 10.0.0.0/24, found end \
             of statement"
        );
        assert_eq!(
            err("route a 10.0.0.1 via 10.0.0.1"),
            "topology:1:9: expected \"default\" or a destination like 10.0.0.0/24, found \
             \"10.0.0.1\""
        );
        assert_eq!(
            err("route a 10.0.2.5/24 via 10.0.0.1"),
            "topology:1:9: route destination 10.0.2.5/24 has host bits set: did you mean \
             10.0.2.0/24?"
        );
        assert_eq!(
            err("route a default 10.0.0.1"),
            "topology:1:17: expected \"via\", found \"10.0.0.1\""
        );
        assert_eq!(
            err("route a default via"),
            "topology:1:20: expected a gateway address like 10.0.0.1, found end of statement"
        );
        assert_eq!(
            err("route a default via 10.0.0.1/24"),
            "topology:1:21: expected a gateway address like 10.0.0.1, found \"10.0.0.1/24\""
        );
        assert_eq!(
            err("route a default via 0.0.0.0"),
            "topology:1:21: 0.0.0.0 cannot be a gateway: it is the unspecified address"
        );
        assert_eq!(
            err("route a fd00::/64 via 10.0.0.1"),
            "topology:1:23: gateway 10.0.0.1 is IPv4 but the destination fd00::/64 is IPv6"
        );
        assert_eq!(
            err("route a 10.0.0.0/8 via fd00::1"),
            "topology:1:24: gateway fd00::1 is IPv6 but the destination 10.0.0.0/8 is IPv4"
        );
        assert_eq!(
            err("route a default via 10.0.0.1 x"),
            "topology:1:30: expected end of statement, found \"x\""
        );
        assert_eq!(
            err("route Ab default via 10.0.0.1"),
            "topology:1:7: invalid name \"Ab\": a name is a lowercase letter followed by \
             lowercase letters, digits, \"_\" or \"-\""
        );
    }

    #[test]
    fn expect_statement() {
        let t = ok("a -- b
            expect a -> b
            expect a <-> b
            expect b -x- a
            expect a -> 10.9.9.9
            expect host -x- fd00:9::1");
        let target = |s: &str| Target::Node(s.into());
        assert_eq!(
            t.expects,
            [
                Expect {
                    from: "a".into(),
                    kind: ExpectKind::Reach,
                    target: target("b"),
                },
                Expect {
                    from: "a".into(),
                    kind: ExpectKind::Both,
                    target: target("b"),
                },
                Expect {
                    from: "b".into(),
                    kind: ExpectKind::Isolated,
                    target: target("a"),
                },
                Expect {
                    from: "a".into(),
                    kind: ExpectKind::Reach,
                    target: Target::Ip("10.9.9.9".parse().unwrap()),
                },
                Expect {
                    from: "host".into(),
                    kind: ExpectKind::Isolated,
                    target: Target::Ip("fd00:9::1".parse().unwrap()),
                },
            ]
        );
    }

    #[test]
    fn expect_errors() {
        assert_eq!(
            err("expect"),
            "topology:1:7: expected a node name, found end of statement"
        );
        assert_eq!(
            err("expect a"),
            "topology:1:9: expected \"->\", \"<->\" or \"-x-\", found end of statement"
        );
        assert_eq!(
            err("expect a => b"),
            "topology:1:10: expected \"->\", \"<->\" or \"-x-\", found \"=>\""
        );
        assert_eq!(
            err("expect a ->"),
            "topology:1:12: expected a node name or an address like 10.0.0.1, found end of \
             statement"
        );
        assert_eq!(
            err("expect a -> 10.0.0.300"),
            "topology:1:13: expected a node name or an address like 10.0.0.1, found \
             \"10.0.0.300\""
        );
        assert_eq!(
            err("expect a -> 10.0.0.1/24"),
            "topology:1:13: expected a node name or an address without prefix length, found \
             \"10.0.0.1/24\""
        );
        assert_eq!(
            err("expect a <-> 10.0.0.1"),
            "topology:1:14: \"<->\" needs a node on the right to ping back from, found the \
             address 10.0.0.1"
        );
        assert_eq!(
            err("expect a -> b c"),
            "topology:1:15: expected end of statement, found \"c\""
        );
        assert_eq!(
            err("expect a -> via"),
            "topology:1:13: \"via\" is a keyword and cannot be a name"
        );
    }

    #[test]
    fn statements_are_separated_by_newlines_and_semicolons() {
        let t = ok(
            "a -- b; c -- d # a comment; e -- f\n\tnode a forward;;route a default via 10.0.1.2",
        );
        assert_eq!(t.links.len(), 2);
        assert_eq!(t.node_names(), ["host", "a", "b", "c", "d"]);
        assert_eq!(t.routes.len(), 1);
    }

    #[test]
    fn the_first_error_in_the_text_stops_parsing() {
        assert_eq!(
            err("a -- b\nc -- c\nd -- d"),
            "topology:2:6: link from node c to itself"
        );
    }

    #[test]
    fn from_str() {
        let t: Topology = "a -- b".parse().unwrap();
        assert_eq!(t, ok("a -- b"));
        assert!("a --".parse::<Topology>().is_err());
    }
}
