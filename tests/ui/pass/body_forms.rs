// trybuild builds binaries, where `#[test]` functions are stripped: these cases
// check that the macro accepts the forms (and `Net` looks unused), not that the
// expansion type-checks, which only a `--test` build does.
#![allow(unused_imports)]

// Every body form the macro accepts.
use netns_test::{netns_test, Net};

#[netns_test(topology = "a -- b")]
fn no_net() {}

#[netns_test(topology = "a -- b")]
fn no_net_result() -> Result<(), String> {
    Ok(())
}

#[netns_test(topology = "a -- b")]
fn with_net(net: &Net) {
    let _ = net;
}

#[netns_test(topology = "a -- b")]
fn with_net_result(_net: &Net) -> Result<(), std::io::Error> {
    Ok(())
}

#[netns_test(topology = "a -- b")]
async fn async_no_net() {}

#[netns_test(topology = "a -- b")]
async fn async_no_net_result() -> Result<(), String> {
    Ok(())
}

#[netns_test(topology = "a -- b")]
async fn async_with_net(net: &Net) {
    let _ = net;
}

#[netns_test(topology = "a -- b")]
async fn async_with_net_result(_: &'_ Net) -> Result<(), Box<dyn std::error::Error>> {
    Ok(())
}

#[netns_test(topology = "a -- b")]
fn qualified_net(net: &netns_test::Net) {
    let _ = net;
}

#[netns_test(topology = "a -- b")]
pub(crate) fn with_visibility() {}

fn main() {}
