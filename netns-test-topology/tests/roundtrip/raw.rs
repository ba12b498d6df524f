//! The raw choices the generator draws: names, addresses, options and indices
//! that `build` turns into a valid model.

use netns_test_topology::{Distribution, Impairment, Percent, HOST};
use proptest::prelude::*;
use std::time::Duration;

const KEYWORDS: [&str; 10] = [
    "node", "bridge", "route", "expect", "nat", "forward", "sysctl", "mtu", "default", "via",
];

#[derive(Debug, Clone)]
pub(crate) struct RawNode {
    pub(crate) name: String,
    pub(crate) forward: bool,
    pub(crate) sysctls: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawBridge {
    pub(crate) name: String,
    /// Modulo the nodes plus one; 0 is host.
    pub(crate) node: usize,
    pub(crate) addrs: Vec<RawAddr>,
    pub(crate) mtu: Option<u32>,
    pub(crate) links_before: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct RawEnd {
    pub(crate) bridge: bool,
    pub(crate) pick: usize,
    pub(crate) ifname: Option<String>,
    pub(crate) addrs: Vec<RawAddr>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawLink {
    pub(crate) a: RawEnd,
    pub(crate) b: RawEnd,
    pub(crate) mtu: Option<u32>,
    pub(crate) impair: [Impairment; 2],
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RawAddr {
    pub(crate) v6: bool,
    pub(crate) bits: u128,
    pub(crate) prefix: u8,
}

#[derive(Debug, Clone)]
pub(crate) struct RawRoute {
    pub(crate) node: usize,
    pub(crate) addr: usize,
    pub(crate) default: bool,
    pub(crate) dest: RawAddr,
}

#[derive(Debug, Clone)]
pub(crate) struct RawExpect {
    pub(crate) from: usize,
    pub(crate) kind: usize,
    pub(crate) target: usize,
    pub(crate) ip: Option<RawAddr>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawNat {
    /// Modulo the forwarding nodes.
    pub(crate) router: usize,
    /// Modulo the router's interfaces with an IPv4 address.
    pub(crate) iface: usize,
    /// Modulo the nine kinds.
    pub(crate) kind: usize,
    pub(crate) hairpin: bool,
    pub(crate) port_preservation: bool,
    pub(crate) udp_timeout: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawForward {
    /// Modulo the NATs.
    pub(crate) nat: usize,
    pub(crate) udp: bool,
    pub(crate) port: u16,
    /// A node (modulo the nodes), or one of the topology's IPv4 addresses (modulo them).
    pub(crate) target: usize,
    pub(crate) ip: bool,
    pub(crate) to_port: u16,
}

#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub(crate) nodes: Vec<RawNode>,
    pub(crate) bridges: Vec<RawBridge>,
    pub(crate) links: Vec<RawLink>,
    pub(crate) routes: Vec<RawRoute>,
    pub(crate) expects: Vec<RawExpect>,
    pub(crate) nats: Vec<RawNat>,
    pub(crate) forwards: Vec<RawForward>,
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,14}".prop_filter("reserved", |n| {
        !KEYWORDS.contains(&n.as_str()) && n != HOST && n != "lo"
    })
}

fn ifname() -> impl Strategy<Value = String> {
    // "é" is two bytes: at most 7 characters stay within 15 bytes.
    "[a-zA-Z0-9._@=é-]{1,7}".prop_filter("reserved", |n| n != "." && n != ".." && n != "lo")
}

fn addr() -> impl Strategy<Value = RawAddr> {
    (any::<bool>(), any::<u128>(), any::<u8>()).prop_map(|(v6, bits, prefix)| RawAddr {
        v6,
        bits,
        prefix,
    })
}

/// From 1280: a smaller MTU is valid only where no IPv6 flows, which the generator
/// does not track (the validator's own tests cover 68 to 1279).
fn mtu() -> impl Strategy<Value = Option<u32>> {
    proptest::option::of(1280u32..=65535)
}

fn impairment() -> impl Strategy<Value = Impairment> {
    let time = || {
        proptest::option::of(prop_oneof![
            (1u64..=60_000_000).prop_map(Duration::from_micros),
            (1u64..=60).prop_map(Duration::from_secs),
            (1u64..=60_000).prop_map(Duration::from_millis),
        ])
    };
    let percent =
        || proptest::option::of((0u32..=100_000).prop_map(|m| Percent::from_milli(m).unwrap()));
    let rate = proptest::option::of(prop_oneof![
        1u64..=u64::MAX / 1_000_000_000,
        (1u64..10_000).prop_map(|n| n * 1000),
        (1u64..10_000).prop_map(|n| n * 1_000_000),
    ]);
    let distribution = prop_oneof![
        Just(Distribution::Uniform),
        Just(Distribution::Normal),
        Just(Distribution::Pareto),
    ];
    // A mean burst length, and a loss it can reach (at most N / (N + 1)).
    let bursty = (1u32..=10_000, 0u32..=100_000).prop_map(|(n, m)| {
        let most = (100_000 * u64::from(n) / u64::from(n + 1)) as u32;
        (Percent::from_milli(m.min(most)).unwrap(), n)
    });
    let loss = prop_oneof![
        percent().prop_map(|p| (p, None)),
        bursty.prop_map(|(p, n)| (Some(p), Some(n))),
    ];
    (
        (time(), time(), distribution),
        loss,
        (percent(), percent(), percent()),
        rate,
    )
        .prop_map(
            |(
                (delay, jitter, distribution),
                (loss, loss_burst),
                (duplicate, reorder, corrupt),
                rate,
            )| {
                // jitter and reorder need a delay, a distribution needs jitter
                let jitter = jitter.filter(|_| delay.is_some());
                Impairment {
                    delay,
                    jitter,
                    distribution: if jitter.is_some() {
                        distribution
                    } else {
                        Distribution::Uniform
                    },
                    loss,
                    loss_burst,
                    duplicate,
                    reorder: reorder.filter(|_| delay.is_some()),
                    corrupt,
                    rate,
                }
            },
        )
}

fn impairments() -> impl Strategy<Value = [Impairment; 2]> {
    prop_oneof![
        Just([Impairment::default(); 2]),
        impairment().prop_map(|i| [i, i]),
        (impairment(), impairment()).prop_map(|(x, y)| [x, y]),
    ]
}

pub(crate) fn raw() -> impl Strategy<Value = Raw> {
    let node = (
        name(),
        any::<bool>(),
        prop::collection::vec(("net(\\.[a-z0-9_-]{1,6}){1,3}", "[a-z0-9=,_-]{1,6}"), 0..3),
    )
        .prop_map(|(name, forward, sysctls)| RawNode {
            name,
            forward,
            sysctls,
        });
    let bridge = (
        name(),
        any::<usize>(),
        prop::collection::vec(addr(), 0..3),
        mtu(),
        0usize..10,
    )
        .prop_map(|(name, node, addrs, mtu, links_before)| RawBridge {
            name,
            node,
            addrs,
            mtu,
            links_before,
        });
    let end = || {
        (
            prop::bool::weighted(0.3),
            any::<usize>(),
            proptest::option::of(ifname()),
            prop::collection::vec(addr(), 0..3),
        )
            .prop_map(|(bridge, pick, ifname, addrs)| RawEnd {
                bridge,
                pick,
                ifname,
                addrs,
            })
    };
    let link = (end(), end(), mtu(), impairments()).prop_map(|(a, b, mtu, impair)| RawLink {
        a,
        b,
        mtu,
        impair,
    });
    let route = (any::<usize>(), any::<usize>(), any::<bool>(), addr()).prop_map(
        |(node, addr, default, dest)| RawRoute {
            node,
            addr,
            default,
            dest,
        },
    );
    let expect = (
        any::<usize>(),
        any::<usize>(),
        any::<usize>(),
        proptest::option::weighted(0.2, addr()),
    )
        .prop_map(|(from, kind, target, ip)| RawExpect {
            from,
            kind,
            target,
            ip,
        });
    let nat = (
        any::<usize>(),
        any::<usize>(),
        any::<usize>(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(1u64..=86400),
    )
        .prop_map(
            |(router, iface, kind, hairpin, port_preservation, udp_timeout)| RawNat {
                router,
                iface,
                kind,
                hairpin,
                port_preservation,
                udp_timeout,
            },
        );
    let forward = (
        any::<usize>(),
        any::<bool>(),
        1u16..,
        any::<usize>(),
        any::<bool>(),
        1u16..,
    )
        .prop_map(|(nat, udp, port, target, ip, to_port)| RawForward {
            nat,
            udp,
            port,
            target,
            ip,
            to_port,
        });
    (
        prop::collection::vec(node, 0..6),
        prop::collection::vec(bridge, 0..4),
        prop::collection::vec(link, 0..10),
        prop::collection::vec(route, 0..5),
        prop::collection::vec(expect, 0..5),
        prop::collection::vec(nat, 0..3),
        prop::collection::vec(forward, 0..4),
    )
        .prop_map(
            |(nodes, bridges, links, routes, expects, nats, forwards)| Raw {
                nodes,
                bridges,
                links,
                routes,
                expects,
                nats,
                forwards,
            },
        )
}
