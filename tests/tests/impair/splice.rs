//! What a node sees of a spliced link: the same interfaces, indexes, MACs and
//! neighbours as without it; carrier as on a plain pair; and nothing of the relay
//! where no link is impaired.

use netns_test::{netns_test, run, topology, MacOrNode, Net, Options};
use netns_test_tests::ip_json;
use std::time::{Duration, Instant};

/// The names of the sandbox worker's threads.
fn threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|c| c.trim().to_string())
        .collect()
}

#[netns_test(topology = "a -- b")]
fn without_impairments_there_is_no_relay(net: &Net) {
    assert!(net.link("a", "b").counters().is_none());
    assert!(
        !threads().iter().any(|t| t.starts_with("netns-test-rel")),
        "{:?}",
        threads()
    );
}

#[netns_test(topology = "a 10.0.0.1/24 fd00::1/64 -- b 10.0.0.2/24 fd00::2/64 loss 0%")]
fn a_spliced_link_looks_like_a_plain_one(net: &Net) {
    assert!(
        threads().iter().any(|t| t.starts_with("netns-test-rel")),
        "{:?}",
        threads()
    );
    let a = net.node("a").iface("eth0").clone();
    assert_eq!(a.index, 2);
    let link = &ip_json(net, "a", &["link", "show", "dev", "eth0"])[0];
    assert_eq!(link["ifindex"], 2);
    assert_eq!(link["address"].as_str(), Some(a.mac_string().as_str()));
    assert_eq!(link["operstate"], "UP");
    for (from, to) in [
        ("a", "10.0.0.2"),
        ("a", "fd00::2"),
        ("b", "10.0.0.1"),
        ("b", "fd00::1"),
    ] {
        net.assert_reachable(from, to);
    }
    // Neighbour discovery is real: each node knows the other's own MAC.
    net.assert_neighbour("a", "10.0.0.2".parse().unwrap(), MacOrNode::Node("b"));
    net.assert_neighbour("b", "fd00::1".parse().unwrap(), MacOrNode::Node("a"));
    let [ab, ba] = net.link("a", "b").counters().unwrap();
    assert!(ab.sent > 0 && ba.sent > 0, "{ab:?} {ba:?}");
}

#[netns_test(topology = "bridge br0\na -- br0 loss 0%\nb -- br0\nc -- br0 delay 1ms")]
fn bridge_ports_splice_too(net: &Net) {
    net.assert_reachable("a", "b");
    net.assert_reachable("c", "a");
    let rtt = net.ping("c", "b").unwrap();
    assert!(rtt >= Duration::from_millis(2), "{rtt:?}");
}

/// A relay that reads nothing until after the build (as when it waits for a CPU on a
/// loaded machine) finds its sockets holding the ENETDOWN the kernel left when they
/// were bound to relay ends still down, behind the first frames: none of them may be
/// refused for it. (In CI one run in 40 lost the first ARP request this way, and a
/// first ping with it.)
#[test]
fn a_relay_that_starts_late_loses_no_first_frame() {
    let topo = topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24 loss 0%").unwrap();
    let late = Options::new().relay_starts_late(Duration::from_millis(200));
    run(&topo, late, |net| {
        net.assert_reachable("a", "10.0.0.2");
        net.assert_reachable("b", "10.0.0.1");
        let [ab, ba] = net.link("a", "b").counters().unwrap();
        assert!(ab.sent > 0 && ba.sent > 0, "{ab:?} {ba:?}");
        assert_eq!((ab.send_errors, ba.send_errors), (0, 0), "{ab:?} {ba:?}");
    })
    .unwrap();
}

/// The operational state of `ifname` in `node`, as `ip` reports it.
fn operstate(net: &Net, node: &str, ifname: &str) -> String {
    ip_json(net, node, &["link", "show", "dev", ifname])[0]["operstate"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Reads `node`'s `ifname` until it is up (or not); returns how long it took.
fn until_up(net: &Net, node: &str, ifname: &str, up: bool) -> Duration {
    let start = Instant::now();
    loop {
        let state = operstate(net, node, ifname);
        if (state == "UP") == up {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{node}:{ifname} still {state} after 2 s"
        );
    }
}

// `ip link set eth0 down` flushes b's IPv6 addresses (the harness's own `up` would
// put them back): the ring checks would miss them.
#[netns_test(topology = "a -- b loss 0%", checks = false)]
fn the_far_end_going_down_takes_the_near_ends_carrier(net: &Net) {
    let set = |state: &str| {
        let ok = net
            .node("b")
            .command("ip")
            .args(["link", "set", "eth0", state])
            .status()
            .unwrap();
        assert!(ok.success());
    };
    set("down");
    let took = until_up(net, "a", "eth0", false);
    assert!(
        took < Duration::from_millis(200),
        "carrier lost after {took:?}"
    );
    set("up");
    let took = until_up(net, "a", "eth0", true);
    assert!(
        took < Duration::from_millis(200),
        "carrier back after {took:?}"
    );
    net.assert_reachable("a", "b");
}
