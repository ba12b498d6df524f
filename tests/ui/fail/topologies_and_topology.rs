use netns_test::netns_test;

#[netns_test(topology = "a -- b", topologies = [lan = "a -- b"])]
fn t() {}

fn main() {}
