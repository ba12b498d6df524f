use netns_test::netns_test;

#[netns_test(topology = "a -- b")]
struct Suite;

fn main() {}
