use netns_test::netns_test;

#[netns_test(topology = "a -- b")]
unsafe extern "C" fn t(net: &netns_test::Net, _: ...) {}

fn main() {}
