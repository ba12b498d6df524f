use netns_test::netns_test;

#[netns_test(topology = "a -- b mtu 1000")]
fn small_mtu_with_automatic_ipv6() {}

fn main() {}
