use netns_test::netns_test;

#[netns_test(topology = "a -- b")]
fn t(net: &netns_test::Net, other: &netns_test::Net) {}

fn main() {}
