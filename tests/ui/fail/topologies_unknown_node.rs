use netns_test::netns_test;

// `node` must be in every case's topology.
#[netns_test(topologies = [lan = "a -- b", routed = "x -- r; r -- y"], node = "a")]
fn t() {}

fn main() {}
