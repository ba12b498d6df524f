use netns_test::netns_test;

#[netns_test(topology = "a -- b; expect a -> c")]
fn t() {}

fn main() {}
