use netns_test::netns_test;

#[netns_test(topologies = [lan = "a -- b", lan = "a -- r; r -- b"])]
fn t() {}

fn main() {}
