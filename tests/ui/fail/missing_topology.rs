use netns_test::netns_test;

#[netns_test]
fn bare() {}

#[netns_test(timeout = "1s")]
fn with_timeout() {}

fn main() {}
