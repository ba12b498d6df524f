use netns_test::netns_test;

#[netns_test(topology = "a -- b loss 1%", seed = "42")]
fn string() {}

#[netns_test(topology = "a -- b loss 1%", seed = -1)]
fn negative() {}

#[netns_test(topology = "a -- b loss 1%", seed = 18446744073709551616)]
fn too_large() {}

fn main() {}
