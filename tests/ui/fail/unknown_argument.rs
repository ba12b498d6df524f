use netns_test::netns_test;

#[netns_test(topology = "a -- b", timeuot = "1s")]
fn t() {}

fn main() {}
