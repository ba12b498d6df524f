use netns_test::netns_test;

#[netns_test(topology = "a 10.0.0.300/24 -- b")]
fn t() {}

fn main() {}
