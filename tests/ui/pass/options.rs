// trybuild builds binaries, where `#[test]` functions are stripped: these cases
// check that the macro accepts the forms (and `Net` looks unused), not that the
// expansion type-checks, which only a `--test` build does.
#![allow(unused_imports)]

use netns_test::{netns_test, Net};

#[netns_test(topology = "a -- b", timeout = "500ms")]
fn timeout_ms() {}

#[netns_test(topology = "a -- b", timeout = "30s")]
fn timeout_s() {}

#[netns_test(topology = "a -- b", timeout = "2m")]
fn timeout_m() {}

#[netns_test(topology = "a -- b", checks = false)]
fn no_checks() {}

#[netns_test(topology = "a -- b", checks = true)]
fn default_checks() {}

#[netns_test(topology = "a -- b", checks = "all-pairs")]
fn all_pairs_checks() {}

#[netns_test(topology = "a -- b", node = "a")]
fn in_node(net: &Net) {
    let _ = net;
}

#[netns_test(topology = "a -- b", node = "host")]
fn in_host() {}

#[netns_test(topology = "a -- b loss 1%", seed = 42)]
fn seeded() {}

#[netns_test(topology = "a -- b loss 1%", seed = 18446744073709551615)]
fn seeded_max() {}

#[netns_test(
    topology = "
        node r forward
        a 10.0.1.2/24 -- r:left 10.0.1.1/24
        r:right 10.0.2.1/24 -- b 10.0.2.2/24
        route a default via 10.0.1.1
        route b default via 10.0.2.1
        expect a <-> b
    ",
    timeout = "10s",
    checks = false,
    node = "r"
)]
async fn everything(net: &Net) -> Result<(), String> {
    let _ = net;
    Ok(())
}

fn main() {}
