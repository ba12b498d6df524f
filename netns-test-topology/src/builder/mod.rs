//! `Topology::builder()`: a topology written in code, statement by statement, and
//! built by the language itself. The statements print as the language's text, one a
//! line in the order given, which the parser reads as it reads any topology (every
//! rule and message, the interface names and automatic addresses filled in); then
//! each statement must read back as written (`agree`), which catches a name that
//! writes other words than meant. No rule of the language is written here.

mod agree;
mod specs;

pub use specs::{BridgeSpec, EndSpec, LinkSpec, NodeSpec};

use crate::error::ParseError;
use crate::model::{Bridge, Destination, Expect, ExpectKind, Node, Route, Target, Topology};
use crate::nat::{Forward, Nat};
use std::fmt;
use std::net::IpAddr;

/// Builds a [`Topology`] in code: what a property test generates, or a network
/// computed from parameters. Each call adds one statement of the language, in order;
/// [`build`](TopologyBuilder::build) checks them with the language's rules and
/// messages and fills in what they leave out, as [`crate::parse`] does for a text.
///
/// ```
/// use netns_test_topology::{parse, Destination, EndSpec, ExpectKind, IpNet, NodeSpec, Topology};
/// use std::net::IpAddr;
///
/// let net = |s: &str| s.parse::<IpNet>().unwrap();
/// let ip = |s: &str| s.parse::<IpAddr>().unwrap();
/// let mut b = Topology::builder();
/// b.node(NodeSpec::new("r").forward())
///     .link(
///         EndSpec::new("a").addr(net("10.0.1.2/24")),
///         EndSpec::new("r").ifname("left").addr(net("10.0.1.1/24")),
///     )
///     .link(
///         EndSpec::new("r").ifname("right").addr(net("10.0.2.1/24")),
///         EndSpec::new("b").addr(net("10.0.2.2/24")),
///     )
///     .route("a", Destination::Default, ip("10.0.1.1"))
///     .route("b", Destination::Default, ip("10.0.2.1"))
///     .expect("a", ExpectKind::Both, "b");
/// let routed = b.build().unwrap();
/// assert_eq!(
///     routed,
///     parse(
///         "node r forward
///          a 10.0.1.2/24 -- r:left 10.0.1.1/24
///          r:right 10.0.2.1/24 -- b 10.0.2.2/24
///          route a default via 10.0.1.1
///          route b default via 10.0.2.1
///          expect a <-> b"
///     )
///     .unwrap()
/// );
///
/// // A star on a bridge, its addresses left to the language.
/// let mut star = Topology::builder();
/// star.bridge("br0");
/// for i in 1..=4 {
///     star.link(format!("n{i}"), "br0");
/// }
/// let star = star.build().unwrap();
/// assert_eq!(star.node("n4").unwrap().name, "n4");
///
/// // A mistake is the language's, at the statement's line (one statement a line).
/// let e = Topology::builder().link("a", "a").build().unwrap_err();
/// assert_eq!(e.to_string(), "topology:1:6: link from node a to itself (in the statement `a -- a`)");
/// ```
#[derive(Debug, Clone, Default)]
pub struct TopologyBuilder {
    statements: Vec<Statement>,
}

/// One statement, as written.
#[derive(Debug, Clone)]
enum Statement {
    Node(Node),
    Bridge(Bridge),
    /// Boxed: a link with its two impairments is four times any other statement.
    Link(Box<LinkSpec>),
    Route(Route),
    Expect(Expect),
    Nat(Nat),
    Forward(Forward),
}

/// The statement in the language, as the model's printer writes it.
impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Node(n) => n.fmt(f),
            Statement::Bridge(b) => b.fmt(f),
            Statement::Link(l) => l.written().fmt(f),
            Statement::Route(r) => r.fmt(f),
            Statement::Expect(e) => e.fmt(f),
            Statement::Nat(n) => n.fmt(f),
            Statement::Forward(w) => w.fmt(f),
        }
    }
}

impl Topology {
    /// A builder for a topology made in code, held to the language's rules. See
    /// [`TopologyBuilder`].
    pub fn builder() -> TopologyBuilder {
        TopologyBuilder::default()
    }
}

impl TopologyBuilder {
    /// `node NAME [forward] [sysctl KEY=VALUE]...`: a name, or a [`NodeSpec`] with
    /// options.
    pub fn node(&mut self, node: impl Into<NodeSpec>) -> &mut Self {
        self.push(Statement::Node(node.into().0))
    }

    /// `bridge NAME [@NODE] [ADDR]... [mtu N]`: a name, or a [`BridgeSpec`]. Before
    /// the links that use it.
    pub fn bridge(&mut self, bridge: impl Into<BridgeSpec>) -> &mut Self {
        let mut bridge = bridge.into().0;
        bridge.links_before = self.count(|s| matches!(s, Statement::Link(_)));
        self.push(Statement::Bridge(bridge))
    }

    /// `A -- B`: a veth pair between two nodes, or a node and a bridge (or two
    /// bridges); each end a name, or an [`EndSpec`] with an interface name and
    /// addresses.
    pub fn link(&mut self, a: impl Into<EndSpec>, b: impl Into<EndSpec>) -> &mut Self {
        self.link_spec(LinkSpec::new(a, b))
    }

    /// A link with options: `mtu`, impairments.
    pub fn link_spec(&mut self, link: LinkSpec) -> &mut Self {
        self.push(Statement::Link(Box::new(link)))
    }

    /// `route NODE (default | CIDR) via IP`: `dest` is [`Destination::Default`] or a
    /// network (`IpNet`).
    pub fn route(
        &mut self,
        node: impl Into<String>,
        dest: impl Into<Destination>,
        via: impl Into<IpAddr>,
    ) -> &mut Self {
        self.push(Statement::Route(Route {
            node: node.into(),
            dest: dest.into(),
            via: via.into(),
        }))
    }

    /// `expect FROM (-> | <-> | -x-) TARGET`: `target` a node's name or an `IpAddr`.
    pub fn expect(
        &mut self,
        from: impl Into<String>,
        kind: ExpectKind,
        target: impl Into<Target>,
    ) -> &mut Self {
        self.push(Statement::Expect(Expect {
            from: from.into(),
            kind,
            target: target.into(),
        }))
    }

    /// `nat ROUTER:IFACE KIND [OPTION]...` ([`Nat::new`] has the defaults).
    pub fn nat(&mut self, nat: Nat) -> &mut Self {
        self.push(Statement::Nat(nat))
    }

    /// `forward ROUTER:IFACE PROTO PORT -> TARGET:PORT`, a port forward of a NAT.
    pub fn forward(&mut self, forward: Forward) -> &mut Self {
        self.push(Statement::Forward(forward))
    }

    /// The statements in the language, one a line, in the order given: the text
    /// [`build`](TopologyBuilder::build) parses, and what an error's line counts.
    pub fn text(&self) -> String {
        self.statements.iter().map(|s| format!("{s}\n")).collect()
    }

    /// The topology, resolved as the parser resolves a text (default interface names,
    /// bridge ports, automatic addresses); or the language's error for the first
    /// mistake, at its line and column of [`text`](TopologyBuilder::text), with the
    /// statement quoted.
    pub fn build(&self) -> Result<Topology, ParseError> {
        let topology = crate::validated::reparse(&self.text())?;
        agree::check(&self.statements, &topology)?;
        Ok(topology)
    }

    fn push(&mut self, statement: Statement) -> &mut Self {
        self.statements.push(statement);
        self
    }

    fn count(&self, which: impl Fn(&Statement) -> bool) -> usize {
        self.statements.iter().filter(|s| which(s)).count()
    }
}
