use netns_test::netns_test;

#[netns_test(topology = "a -- b mtu 1500 extra")]
fn t() {}

fn main() {}
