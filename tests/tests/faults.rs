//! Faults at run time: a link down and up again, a partition and its healing, each
//! proven with real probes; and each returns the network to its declared state.

use netns_test::{netns_test, Net};
use netns_test_tests::{addrs_of, routes_of};
use std::time::Instant;

#[netns_test(topology = "a 10.0.0.1/24 -- b 10.0.0.2/24")]
fn a_link_goes_down_and_up(net: &Net) {
    net.assert_reachable("a", "b");
    net.link("a", "b").down();
    assert!(
        net.ping("a", "b").is_err(),
        "no echo reply over a link that is down"
    );
    net.link("b", "a").up();
    net.assert_reachable("a", "b");
}

#[netns_test(topology = "
    bridge br0
    a 10.9.0.1/24 -- br0
    b 10.9.0.2/24 -- br0
    c 10.9.0.3/24 -- br0
    c:eth1 10.8.0.3/24 -- d 10.8.0.4/24
")]
fn a_partition_isolates_the_groups_and_heal_restores_them(net: &Net) {
    net.partition(&["a", "b"], &["c", "d"]);
    net.assert_reachable("a", "b");
    net.assert_reachable("c", "d");
    net.assert_isolated("a", "10.9.0.3");
    net.assert_isolated("b", "10.9.0.3");
    net.heal();
    net.assert_reachable("a", "10.9.0.3");
    net.assert_reachable("c", "10.9.0.2");
}

#[netns_test(topology = "a 10.0.0.1/24 -- b 10.0.0.2/24; b:eth1 10.0.1.1/24 -- c 10.0.1.2/24")]
fn a_partition_between_direct_neighbours(net: &Net) {
    net.partition(&["a"], &["b", "c"]);
    net.assert_isolated("a", "b");
    net.assert_reachable("b", "c");
    net.heal();
    net.assert_reachable("a", "b");
}

#[test]
#[should_panic(expected = "no link between a and c; links:")]
fn an_unknown_link_lists_the_links() {
    let topo = netns_test::topology::parse("a -- b").unwrap();
    if let Err(e) = netns_test::run(&topo, netns_test::Options::new(), |net| {
        net.link("a", "c");
    }) {
        panic!("{e}");
    }
}

#[netns_test(topology = "
    node r forward
    a 10.1.0.2/24 fd01::2/64 -- r 10.1.0.1/24 fd01::1/64
    r 10.2.0.1/24 fd02::1/64 -- b 10.2.0.2/24 fd02::2/64
    route a default via 10.1.0.1
    route a default via fd01::1
    route b default via 10.2.0.1
    route b default via fd02::1
    route r 10.9.0.0/16 via 10.2.0.2
    expect a <-> b
")]
fn up_puts_back_the_addresses_and_routes_the_kernel_flushed(net: &Net) {
    let before = (
        addrs_of(net, "a", "eth0"),
        routes_of(net, "a"),
        routes_of(net, "r"),
    );
    let link = net.link("a", "r");
    link.down();
    assert!(
        !addrs_of(net, "a", "eth0").contains(&"fd01::2/64".to_string()),
        "the kernel flushed IPv6"
    );
    link.up();
    assert_eq!(
        (
            addrs_of(net, "a", "eth0"),
            routes_of(net, "a"),
            routes_of(net, "r")
        ),
        before
    );
    for target in ["10.2.0.2", "fd02::2"] {
        net.assert_reachable("a", target);
    }
    net.link("r", "b").down();
    net.link("r", "b").up();
    assert!(
        routes_of(net, "r")
            .iter()
            .any(|r| r.starts_with("10.9.0.0/16 via 10.2.0.2")),
        "{:?}",
        routes_of(net, "r")
    );
}

#[netns_test(topology = "
    node r forward
    a 10.1.0.2/24 fd01::2/64 -- r 10.1.0.1/24 fd01::1/64
    r 10.2.0.1/24 fd02::1/64 -- b 10.2.0.2/24 fd02::2/64
    route a default via 10.1.0.1
    route a default via fd01::1
    route b default via 10.2.0.1
    route b default via fd02::1
    route r 10.9.0.0/16 via 10.2.0.2
    expect a <-> b
")]
fn heal_puts_back_what_a_partition_took(net: &Net) {
    net.partition(&["a"], &["r", "b"]);
    net.assert_isolated("a", "10.1.0.1");
    net.heal();
    for target in ["10.2.0.2", "fd02::2"] {
        net.assert_reachable("a", target);
    }
}

/// v4 and v6 right after `up`, 1000 times: `up` returns only when both carry traffic.
fn pings_right_after_up(net: &Net, rounds: usize) {
    let link = net.link("a", "b");
    let started = Instant::now();
    for round in 0..rounds {
        link.down();
        link.up();
        for target in ["10.0.1.2", "fd00:1::2"] {
            if let Err(e) = net.ping("a", target) {
                panic!(
                    "round {round}: ping {target} right after up: {e}; relay: {:?}",
                    link.counters()
                );
            }
        }
    }
    eprintln!(
        "{rounds} rounds of down, up and two pings in {:?}",
        started.elapsed()
    );
}

#[netns_test(topology = "a -- b", timeout = "300s")]
fn both_families_carry_traffic_right_after_up_1000_times(net: &Net) {
    pings_right_after_up(net, 1000);
}

#[netns_test(topology = "a -- b loss 0%", timeout = "300s")]
fn a_spliced_link_carries_both_families_right_after_up(net: &Net) {
    pings_right_after_up(net, 1000);
}

/// A partition cuts a member's own end; its bridge port gets its carrier back with
/// it on `heal`, but the bridge forwards through the port only once the kernel's
/// link-watch work has told it. `heal` returns after that, so the first ARP request
/// right after it is not dropped at the port. Before, it was in about a third of the
/// runs of the `faults` example under load (then the ping had no answer within 1 s).
/// On idle CPUs the window is too short to hit; this keeps heal-then-ping honest.
#[netns_test(
    topology = "
    bridge br0
    a 10.0.0.1/24 -- br0
    b 10.0.0.2/24 -- br0
    c 10.0.0.3/24 -- br0
",
    timeout = "300s"
)]
fn a_member_reaches_its_bridge_right_after_heal_300_times(net: &Net) {
    for round in 0..300 {
        net.partition(&["b", "c"], &["a"]);
        net.heal();
        // `a`'s end went down: its neighbour entries went with it, so this resolves b
        // again, through the port that just came back.
        if let Err(e) = net.ping("a", "b") {
            panic!("round {round}: ping right after heal: {e}");
        }
    }
}
