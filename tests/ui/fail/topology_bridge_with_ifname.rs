use netns_test::netns_test;

#[netns_test(topology = "bridge br0; br0:eth0 -- a")]
fn t() {}

fn main() {}
