// See stacked_attributes.rs: the forms are accepted; tests/tests/topologies.rs runs them.
#![allow(unused_imports)]

use netns_test::{netns_test, Net};

#[netns_test(topologies = [lan = "a -- b", routed = "node r forward; a -- r; r -- b"])]
fn reaches(net: &Net) {
    let _ = net;
}

#[netns_test(topologies = [one = "a -- b"], timeout = "10s", checks = false, node = "a")]
#[ignore]
async fn with_options() {}

fn main() {}
