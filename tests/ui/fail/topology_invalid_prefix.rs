use netns_test::netns_test;

#[netns_test(topology = "a 10.0.0.1/33 -- b")]
fn t() {}

fn main() {}
