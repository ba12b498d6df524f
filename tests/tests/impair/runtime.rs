//! Impairing from the body: a link built plain is spliced once and keeps its
//! interfaces, addresses and routes; a spliced link takes new parameters at once;
//! `clear` lifts them.

use super::tcp::{goodput, transfer};
use netns_test::{netns_test, Impairment, Net};
use netns_test_tests::{addrs_of, ip_json};
use std::time::Duration;

fn delay(ms: u64) -> Impairment {
    Impairment {
        delay: Some(Duration::from_millis(ms)),
        ..Impairment::default()
    }
}

fn rate(bits: u64) -> Impairment {
    Impairment {
        rate: Some(bits),
        ..Impairment::default()
    }
}

#[netns_test(
    topology = "a 10.0.0.1/24 fd00::1/64 -- b 10.0.0.2/24 fd00::2/64",
    timeout = "20s"
)]
fn a_plain_link_impaired_at_run_time_keeps_its_interfaces(net: &Net) {
    let seen = |node| {
        let l = &ip_json(net, node, &["link", "show", "dev", "eth0"])[0];
        (
            l["ifname"].clone(),
            l["ifindex"].clone(),
            l["address"].clone(),
            l["mtu"].clone(),
        )
    };
    let before = (seen("a"), seen("b"));
    let link = net.link("a", "b");
    link.impair(delay(20));
    assert_eq!((seen("a"), seen("b")), before, "names, indexes, MACs, MTUs");
    assert_eq!(addrs_of(net, "a", "eth0"), ["10.0.0.1/24", "fd00::1/64"]);
    assert_eq!(addrs_of(net, "b", "eth0"), ["10.0.0.2/24", "fd00::2/64"]);
    for target in ["10.0.0.2", "fd00::2"] {
        net.ping("a", target).unwrap();
        let rtt = net.ping("a", target).unwrap();
        assert!(rtt >= Duration::from_millis(40), "{target}: {rtt:?}");
    }
    link.clear();
    let rtt = net.ping("a", "b").unwrap();
    assert!(rtt < Duration::from_millis(20), "cleared: {rtt:?}");
    assert!(link.counters().is_some(), "a cleared link stays spliced");
}

#[netns_test(
    topology = "a 10.0.0.1/24 -- b 10.0.0.2/24 a->b: rate 1gbit",
    timeout = "20s"
)]
fn impair_replaces_the_topologys_parameters(net: &Net) {
    net.link("b", "a")
        .impair_each([Impairment::default(), rate(2_000_000)]);
    let bits = goodput(250_000, transfer(net, "a", "b", 250_000));
    assert!((1.6e6..=2.2e6).contains(&bits), "{:.2} Mbit/s", bits / 1e6);
    let fast = goodput(2_000_000, transfer(net, "b", "a", 2_000_000));
    assert!(
        fast > 50e6,
        "b->a is not impaired: {:.2} Mbit/s",
        fast / 1e6
    );
}

#[netns_test(
    topology = "
        node r forward
        a 10.1.0.2/24 fd01::2/64 -- r 10.1.0.1/24 fd01::1/64
        r 10.2.0.1/24 fd02::1/64 -- b 10.2.0.2/24 fd02::2/64
        route a default via 10.1.0.1
        route a default via fd01::1
        route b default via 10.2.0.1
        route b default via fd02::1
        expect a <-> b
    ",
    timeout = "20s"
)]
fn splicing_at_run_time_puts_the_routes_back(net: &Net) {
    net.link("a", "r").impair(delay(5));
    for target in ["10.2.0.2", "fd02::2"] {
        net.ping("a", target).unwrap();
        let rtt = net.ping("a", target).unwrap();
        assert!(rtt >= Duration::from_millis(10), "{target}: {rtt:?}");
    }
}

/// The run-time path takes what a link's words take, and refuses what the language
/// refuses, with its message.
#[netns_test(topology = "a 10.0.0.1/24 -- b 10.0.0.2/24", timeout = "20s")]
fn an_impairment_from_a_links_words_applies_at_run_time(net: &Net) {
    let imp: Impairment = "delay 15ms".parse().unwrap();
    net.link("a", "b").impair(imp);
    net.ping("a", "b").unwrap();
    let rtt = net.ping("a", "b").unwrap();
    assert!(rtt >= Duration::from_millis(30), "{rtt:?}");
}

#[netns_test(topology = "a -- b")]
#[should_panic(expected = "jitter needs a delay")]
fn an_impairment_the_language_refuses_is_refused_at_run_time(net: &Net) {
    net.link("a", "b").impair(Impairment {
        jitter: Some(Duration::from_millis(5)),
        ..Impairment::default()
    });
}
