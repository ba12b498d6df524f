use netns_test::netns_test;

#[netns_test(topology = "a -- b", crate = "not a path")]
fn t() {}

fn main() {}
