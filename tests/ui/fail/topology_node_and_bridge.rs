use netns_test::netns_test;

#[netns_test(topology = "node br0; bridge br0")]
fn t() {}

fn main() {}
