//! `#[netns_test(topologies = [...])]`: one body over several networks, one test per
//! case, named after it (`reaches::direct`, `reaches::routed`).

use netns_test::{netns_test, Net};

#[netns_test(topologies = [
    direct = "a 10.0.1.2/24 -- b 10.0.1.3/24",
    routed = "node r forward
              a 10.0.1.2/24 -- r 10.0.1.1/24
              r:right 10.0.2.1/24 -- b 10.0.2.3/24
              route a default via 10.0.1.1
              route b default via 10.0.2.1",
    bridged = "bridge br0; a 10.0.1.2/24 -- br0; b 10.0.1.3/24 -- br0",
])]
fn reaches(net: &Net) {
    net.assert_reachable("a", "b");
    // Each case built its own network: only `routed` has a router.
    let b = net.node("b").addr().to_string();
    assert_eq!(net.try_node("r").is_ok(), b == "10.0.2.3", "b is {b}");
}

#[netns_test(topologies = [v4 = "a 10.9.0.1/24 -- b 10.9.0.2/24", v6 = "a fd09::1/64 -- b fd09::2/64"])]
async fn async_bodies_run_per_case(net: &Net) {
    let addr = net.node("a").addr();
    let seen = net.node("a").spawn(async move { addr }).await.unwrap();
    assert_eq!(seen, net.node("a").addr());
}

#[netns_test(topologies = [only = "a -- b"])]
#[should_panic(expected = "no node \"c\"")]
fn attributes_go_on_every_case(net: &Net) {
    net.node("c");
}

/// The cases are functions of a module named after the body: what `cargo test
/// reaches::routed` and nextest filters see.
#[test]
fn each_case_is_a_test_named_after_it() {
    let cases: [fn(); 3] = [reaches::direct, reaches::routed, reaches::bridged];
    assert_eq!(cases.len(), 3);
    let _: fn() = async_bodies_run_per_case::v6;
}
