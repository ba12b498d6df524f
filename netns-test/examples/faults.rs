//! Faults from the body: a link down and up again, then a partition and its heal:
//! `cargo run -p netns-test --example faults`.
//!
//! Each step waits for the kernel to report the links' new state, so the pings
//! right after it see the network as it now is.

use netns_test::{topology, Net, Options};
use std::process::ExitCode;

// Three nodes on one bridge, and a fourth behind a veth pair of its own with `c`.
const NETWORK: &str = "
    bridge br0
    a 10.0.0.1/24 -- br0
    b 10.0.0.2/24 -- br0
    c 10.0.0.3/24 -- br0
    c 10.0.9.1/24 -- d 10.0.9.2/24
";

fn main() -> ExitCode {
    let topology = topology::parse(NETWORK).expect("the topology is valid");
    let options = Options::new().name(concat!("example.", env!("CARGO_CRATE_NAME")));
    let result = netns_test::run(&topology, options, |net: &Net| {
        net.assert_reachable("c", "d");
        net.link("c", "d").down();
        let lost = net
            .ping("c", "d")
            .expect_err("no reply over a link that is down");
        println!("c -- d down: {lost}");
        net.link("c", "d").up();
        net.assert_reachable("c", "d");
        println!("c -- d up again");

        // On the shared bridge, the second group's links to it go down (a's own end):
        // a is cut off, b and c still reach each other.
        net.partition(&["b", "c"], &["a"]);
        net.assert_isolated("a", "b");
        net.assert_isolated("c", "a");
        net.assert_reachable("b", "c");
        println!("partitioned: b, c | a");
        net.heal();
        net.assert_reachable("a", "b");
        println!("healed");
        // The checks after the body (segment pings, neighbour tables) run on the healed
        // network.
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
