use netns_test::netns_test;

// A multi-line topology: the position in the message counts lines of the string.
#[netns_test(topology = "
    a 10.0.0.1/24 -- b 10.0.0.2/24
    route a default via 10.9.0.1
")]
fn t() {}

fn main() {}
