use netns_test::netns_test;

#[netns_test(topology = "a -- b", timeout = "30")]
fn no_unit() {}

#[netns_test(topology = "a -- b", timeout = "1h")]
fn unknown_unit() {}

#[netns_test(topology = "a -- b", timeout = "1.5s")]
fn fraction() {}

#[netns_test(topology = "a -- b", timeout = "0s")]
fn zero() {}

#[netns_test(topology = "a -- b", timeout = 30)]
fn not_a_string() {}

fn main() {}
