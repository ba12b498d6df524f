use netns_test::netns_test;

// A forward to an address the router cannot reach on the inside.
#[netns_test(topology = "
    node r forward
    c 192.168.1.2/24 -- r:lan 192.168.1.1/24
    r:wan 203.0.113.1/24 -- s 203.0.113.2/24
    nat r:wan port-restricted-cone
    forward r:wan udp 4000 -> 10.9.9.9:4000
")]
fn t() {}

fn main() {}
