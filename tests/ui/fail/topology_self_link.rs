use netns_test::netns_test;

#[netns_test(topology = "a -- a")]
fn t() {}

fn main() {}
