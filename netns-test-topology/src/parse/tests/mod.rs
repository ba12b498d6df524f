//! The parser's unit tests, one file a statement (and one for names), with the
//! helpers they share and the tests about whole texts.

mod bridge;
mod expect;
mod link;
mod link_options;
mod names;
mod nat;
mod node;
mod route;

use crate::model::{IpNet, NodeEnd, Side, Topology};
use crate::parse;

fn ok(src: &str) -> Topology {
    parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

fn err(src: &str) -> String {
    match parse(src) {
        Ok(t) => panic!("{src:?} parsed:\n{t}"),
        Err(e) => e.to_string(),
    }
}

fn cidr(s: &str) -> IpNet {
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
fn statements_are_separated_by_newlines_and_semicolons() {
    let t =
        ok("a -- b; c -- d # a comment; e -- f\n\tnode a forward;;route a default via 10.0.1.2");
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
