use netns_test::netns_test;

// Each case needs a name: it becomes the test's.
#[netns_test(topologies = ["a -- b", routed = 1])]
fn t() {}

fn main() {}
