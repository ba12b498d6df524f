use netns_test::netns_test;

// NAT on a node that does not forward.
#[netns_test(topology = "c -- r:lan; r:wan -- s; nat r:wan full-cone")]
fn t() {}

fn main() {}
