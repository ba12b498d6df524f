//! Statements to model: syntax and the checks that need only what came before.
//!
//! Parsing runs in phases, each on a complete model: statements (here), interface
//! names ([`crate::ifnames`]), automatic addresses ([`crate::address`]), then the
//! checks that need the whole network ([`crate::validate`]). The positions of what
//! was written are kept in [`Spans`], beside the model, so that every phase can
//! point at the offending word.
//!
//! One file a job: `cursor` walks a statement's words, `names` and `addrs` check
//! names and addresses, one file parses each statement (`node`, `bridge`, `link`,
//! `route`, `expect`; `nat` both `nat` and `forward`), `link_options` the options after a link's ends, and `spans`
//! records where everything was written.

mod addrs;
mod bridge;
mod cursor;
mod expect;
mod link;
mod link_options;
mod names;
mod nat;
mod node;
mod route;
#[cfg(test)]
mod tests;

use crate::error::ParseError;
use crate::lex::{lex, Pos, Statement};
use crate::model::{Node, Topology, HOST};
use crate::spans::Spans;
use cursor::Cursor;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

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

/// What a name was first used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Node,
    Bridge,
}

/// The model and its spans so far, statement after statement.
#[derive(Debug, Default)]
struct Parser {
    topo: Topology,
    spans: Spans,
    kinds: HashMap<String, Kind>,
    /// Nodes that had their `node` statement.
    declared: HashSet<String>,
    /// Where each node is in `topo.nodes`: a lookup per statement stays O(1), so a
    /// text of a million bytes parses in linear time.
    node_index: HashMap<String, usize>,
}

impl Parser {
    fn statement(&mut self, st: &Statement<'_>) -> Result<(), ParseError> {
        let mut cur = Cursor::new(st);
        let first = st.tokens[0];
        match first.text {
            "node" => self.node(&mut cur),
            "bridge" => self.bridge(&mut cur),
            "route" => self.route(&mut cur),
            "expect" => self.expect(&mut cur),
            "nat" => self.nat(&mut cur),
            "forward" => self.forward(&mut cur),
            _ if st.tokens.iter().any(|t| t.text == "--") => self.link(&mut cur),
            _ => Err(first.pos.error(format!(
                "unknown statement {:?}: expected node, bridge, route, expect, \
                 nat, forward or a link \"END -- END\"",
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
                self.node_index
                    .insert(name.to_string(), self.topo.nodes.len());
                self.topo.nodes.push(Node {
                    name: name.to_string(),
                    forward: false,
                    sysctls: Vec::new(),
                });
                Ok(())
            }
        }
    }
}
