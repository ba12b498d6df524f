use netns_test::netns_test;

// Every case with a mistake is reported, on its own string.
#[netns_test(topologies = [lan = "a -- b", typo = "a -- b 10.0.0.300/24", bad = "frob"])]
fn t() {}

fn main() {}
