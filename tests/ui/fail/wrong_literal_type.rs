use netns_test::netns_test;

#[netns_test(topology = a_b)]
fn topology_not_a_string() {}

#[netns_test(topology_file = 1)]
fn file_not_a_string() {}

#[netns_test(topology = "a -- b", node = 'a')]
fn node_not_a_string() {}

fn main() {}
