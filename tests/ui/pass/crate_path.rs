// trybuild builds binaries, where `#[test]` functions are stripped: these cases
// check that the macro accepts the forms (and `Net` looks unused), not that the
// expansion type-checks, which only a `--test` build does.
#![allow(unused_imports)]

// The runtime re-exported under another path, as a wrapper crate would.
mod harness {
    pub use netns_test as runtime;
}

use harness::runtime::{netns_test, Net};

#[netns_test(topology = "a -- b", crate = "harness::runtime")]
fn reexported(net: &Net) {
    let _ = net;
}

#[netns_test(topology = "a -- b", crate = "crate::harness::runtime")]
async fn reexported_async() {}

fn main() {}
