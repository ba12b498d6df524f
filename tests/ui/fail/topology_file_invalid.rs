use netns_test::netns_test;

#[netns_test(topology_file = "ui/fixtures/broken.topo")]
fn t() {}

fn main() {}
