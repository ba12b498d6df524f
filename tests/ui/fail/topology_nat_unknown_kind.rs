use netns_test::netns_test;

// An unknown NAT kind: the message lists the kinds.
#[netns_test(topology = "
    node r forward
    c -- r:lan
    r:wan -- s
    nat r:wan cone
")]
fn t() {}

fn main() {}
