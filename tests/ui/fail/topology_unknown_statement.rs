use netns_test::netns_test;

#[netns_test(topology = "a -- b\nfrob a")]
fn t() {}

fn main() {}
