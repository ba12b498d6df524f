use netns_test::netns_test;

#[netns_test(topology = "a -- b")]
const fn constant() {}

#[netns_test(topology = "a -- b")]
unsafe fn not_safe() {}

#[netns_test(topology = "a -- b")]
extern "C" fn foreign() {}

fn main() {}
