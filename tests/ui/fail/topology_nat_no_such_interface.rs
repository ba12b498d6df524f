use netns_test::netns_test;

// NAT on an interface the router does not have: the message lists its interfaces.
#[netns_test(topology = "node r forward; c -- r:lan; r:wan -- s; nat r:uplink symmetric")]
fn t() {}

fn main() {}
