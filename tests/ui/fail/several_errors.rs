use netns_test::netns_test;

// Every mistake is reported in one compile.
#[netns_test(topology = "a -- b", timeout = "soon", chekcs = false)]
fn t(net: &netns_test::Net, extra: u8) {}

fn main() {}
