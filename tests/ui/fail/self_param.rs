use netns_test::netns_test;

struct Suite;

impl Suite {
    #[netns_test(topology = "a -- b")]
    fn t(&self, net: &netns_test::Net) {}
}

fn main() {}
