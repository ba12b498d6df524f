//! Faults at run time: a link down and up again, a partition and its healing, each
//! proven with real probes.

use netns_test::{netns_test, Net};

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
