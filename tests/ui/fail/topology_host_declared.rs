use netns_test::netns_test;

#[netns_test(topology = "node host")]
fn t() {}

fn main() {}
