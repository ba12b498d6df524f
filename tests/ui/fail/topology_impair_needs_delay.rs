use netns_test::netns_test;

#[netns_test(topology = "a -- b rate 1mbit a->b: jitter 5ms")]
fn t() {}

fn main() {}
