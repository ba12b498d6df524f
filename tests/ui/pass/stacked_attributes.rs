// trybuild builds binaries, where `#[test]` functions are stripped: these cases
// check that the macro accepts the forms (and `Net` looks unused), not that the
// expansion type-checks, which only a `--test` build does.
#![allow(unused_imports)]

use netns_test::{netns_test, Net};

/// Doc comments stay on the test.
#[netns_test(topology = "a -- b")]
#[ignore = "needs a slow link"]
fn ignored(net: &Net) {
    let _ = net;
}

#[netns_test(topology = "a -- b")]
#[should_panic(expected = "boom")]
fn panics() {
    panic!("boom");
}

// Attributes above the macro are kept too.
#[ignore]
#[netns_test(topology = "a -- b")]
#[should_panic]
#[allow(unused_variables)]
async fn both(net: &Net) {
    #![allow(unused_mut)]
    let mut x = 1;
    panic!("{x}");
}

fn main() {}
