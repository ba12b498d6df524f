use netns_test::netns_test;

#[netns_test(topology = "a:eth0 -- b; a:eth0 -- c")]
fn t() {}

fn main() {}
