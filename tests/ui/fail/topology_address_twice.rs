use netns_test::netns_test;

#[netns_test(topology = "a 10.0.0.1/24 -- b 10.0.0.1/24")]
fn t() {}

fn main() {}
