use netns_test::netns_test;

#[netns_test(topology = "a -- b", checks = "false")]
fn string() {}

#[netns_test(topology = "a -- b", checks = 0)]
fn integer() {}

#[netns_test(topology = "a -- b", checks)]
fn no_value() {}

fn main() {}
