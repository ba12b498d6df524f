use netns_test::netns_test;

#[netns_test(topology = "a -- b")]
fn by_value(net: netns_test::Net) {}

#[netns_test(topology = "a -- b")]
fn mutable(net: &mut netns_test::Net) {}

#[netns_test(topology = "a -- b")]
fn other_type(addr: &str) {}

fn main() {}
