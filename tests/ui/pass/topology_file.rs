// trybuild builds binaries, where `#[test]` functions are stripped: these cases
// check that the macro accepts the forms (and `Net` looks unused), not that the
// expansion type-checks, which only a `--test` build does.
#![allow(unused_imports)]

use netns_test::{netns_test, Net};

// Relative to the crate's CARGO_MANIFEST_DIR, as `include_str!` resolves it.
#[netns_test(topology_file = "ui/fixtures/pair.topo")]
fn from_file(net: &Net) {
    let _ = net;
}

fn main() {}
