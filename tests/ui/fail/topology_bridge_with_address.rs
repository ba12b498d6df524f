use netns_test::netns_test;

#[netns_test(topology = "bridge br0; br0 10.0.0.1/24 -- a")]
fn t() {}

fn main() {}
