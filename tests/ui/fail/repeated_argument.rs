use netns_test::netns_test;

#[netns_test(topology = "a -- b", checks = false, checks = true)]
fn t() {}

fn main() {}
