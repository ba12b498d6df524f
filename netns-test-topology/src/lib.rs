//! The topology language of netns-test: a few lines describe a test network of
//! namespaces, veth pairs, bridges, addresses, routes, link impairments, NATs and the
//! reachability to check.
//!
//! ```
//! use netns_test_topology::{parse, Target};
//!
//! let t = parse(
//!     "node r forward
//!      a 10.0.1.2/24 -- r:left 10.0.1.1/24
//!      r:right 10.0.2.1/24 -- b 10.0.2.2/24
//!      route a default via 10.0.1.1
//!      route b default via 10.0.2.1
//!      expect a <-> b",
//! )
//! .unwrap();
//! assert_eq!(t.node_names(), ["host", "r", "a", "b"]);
//! assert_eq!(t.target_addr("a", &Target::Node("b".into())), Some("10.0.2.2".parse().unwrap()));
//! assert_eq!(parse(&t.to_string()), Ok(t));
//!
//! let e = parse("a -- b\nroute a default via 10.9.0.1").unwrap_err();
//! assert_eq!(
//!     e.to_string(),
//!     "topology:2:21: gateway 10.9.0.1 is on no connected subnet of a; \
//!      its subnets: 10.0.1.0/24, fd00:1::/64"
//! );
//! ```
//!
//! Besides [`parse`]: [`Topology::validate`] holds a model built in code to the same
//! rules, an [`Impairment`] parses from a link's words (`"delay 20ms loss 1%".parse()`)
//! and [`duration`] is the one duration grammar, which the macro's `timeout` shares.
//!
//! The language is described in
//! [docs/topology.md](https://github.com/netns-test/netns-test/blob/main/docs/topology.md).
//! Its one dependency is `ipnet` (addresses with their prefix are `IpNet`), so the
//! proc-macro can run it at compile time cheaply and the runtime again.

#![warn(missing_docs)]

// The modules in the order a text flows through them.

// What every phase returns on a mistake: where it is and what it says.
mod error;
// Text to statements of words with their positions; cannot fail.
mod lex;
// Where each part of the model was written, for errors found after the statements.
mod spans;
// Statements to a model: syntax, and the checks that need only what came before.
mod parse;
// Durations as written (`20ms`, `30s`): one grammar for impairments and timeouts.
pub mod duration;
// Link impairments: their types, the values of their options, how they print.
mod impair;
// An impairment from a link's words (`FromStr`), and one built in code held to the
// same rules (`Impairment::validate`).
mod impair_text;
// An impairment built option by option, checked by the same rules when built.
mod impair_builder;
// NATs and port forwards: their types, the values of their words, how they print.
mod nat;
// Generated interface names (defaults, bridge ports); no name twice in a node.
mod ifnames;
// Automatic addresses for the segments written without any.
mod address;
// The checks that need the whole network: unique addresses, gateways, expects.
mod validate;
// The resolved model the runtime builds from, and what it answers about nodes.
mod model;
// A model built in code, held to the same rules (`Topology::validate`).
mod validated;
// A topology written in code statement by statement, built by the parser
// (`Topology::builder`).
mod builder;
// A model back to text that parses to the same model.
mod print;

pub use address::automatic as automatic_addrs;
pub use builder::{BridgeSpec, EndSpec, LinkSpec, NodeSpec, TopologyBuilder};
pub use error::{CidrParseError, ParseError};
pub use impair_builder::ImpairmentBuilder;
pub use model::{parse_cidr, IpNet};
pub use model::{
    Behaviour, Bridge, Destination, Distribution, End, Expect, ExpectKind, Forward, ForwardTarget,
    Impairment, Link, Member, Nat, NatKind, Node, NodeEnd, Percent, Proto, Route, Segment,
    SegmentKind, Target, Topology, HOST,
};
pub use parse::parse;
