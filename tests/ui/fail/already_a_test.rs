use netns_test::netns_test;

#[netns_test(topology = "a -- b")]
#[test]
fn t() {}

fn main() {}
