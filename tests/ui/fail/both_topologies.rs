use netns_test::netns_test;

#[netns_test(topology = "a -- b", topology_file = "ui/fixtures/pair.topo")]
fn t() {}

fn main() {}
