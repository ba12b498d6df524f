use netns_test::netns_test;

#[netns_test(topology_file = "ui/fixtures/missing.topo")]
fn t() {}

fn main() {}
