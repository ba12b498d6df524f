use netns_test::netns_test;

#[netns_test(topologies = [])]
fn t() {}

fn main() {}
