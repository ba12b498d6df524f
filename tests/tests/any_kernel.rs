//! Nothing depends on which interface indexes a new namespace leaves free. On hosts
//! with the ipip, sit, gre or ip6_tunnel modules loaded (servers, Kubernetes nodes),
//! every new namespace starts with `tunl0`, `sit0`, `gre0`, `ip6tnl0`, … at indexes
//! 2 and up; this machine's kernel has none of those drivers, so a test hook takes
//! the low indexes of every namespace of the sandbox first, with veth pairs whose
//! indexes the kernel picks, as the tunnels' are.

use netns_test::{run, topology, CaptureMode, Options};
use std::time::Duration;

fn occupied() -> Options {
    Options::new().occupy_low_indexes(5)
}

#[test]
fn every_kind_of_topology_builds_above_occupied_indexes() {
    for src in [
        "a -- b",
        "a 10.0.0.1/24 fd00::1/64 -- b 10.0.0.2/24 fd00::2/64 mtu 1400",
        "bridge br0 10.9.0.254/24
         a 10.9.0.1/24 -- br0
         b 10.9.0.2/24 -- br0
         c 10.9.0.3/24 -- br0",
        "node r forward
         bridge lan @r
         a -- lan
         b -- lan
         r:left 10.7.1.1/24 -- x 10.7.1.2/24
         route x default via 10.7.1.1
         host:veth0 -- a:veth9",
        "node r forward
         a 10.0.1.2/24 -- r:left 10.0.1.1/24
         r:right 10.0.2.1/24 -- b 10.0.2.2/24 rate 10mbit
         route a default via 10.0.1.1
         route b default via 10.0.2.1
         expect a <-> b",
    ] {
        let topo = topology::parse(src).unwrap();
        run(&topo, occupied(), |net| {
            for node in net.nodes() {
                for iface in node.ifaces() {
                    // 5 pairs: lo and the 10 occupied ones hold 1 to 11.
                    assert!(
                        iface.index > 11,
                        "{}:{} got index {}",
                        node.name(),
                        iface.name,
                        iface.index
                    );
                }
            }
        })
        .unwrap_or_else(|e| panic!("{src}:\n{e}"));
    }
}

/// The indexes the builder chose are the kernel's: links found by index (faults,
/// the capture's filter, the report) are the right ones.
#[test]
fn faults_capture_and_reports_find_the_links_above_occupied_indexes() {
    let topo = topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24").unwrap();
    run(&topo, occupied(), |net| {
        net.assert_reachable("a", "b");
        net.link("a", "b").down();
        assert!(net.ping("a", "b").is_err(), "the link is down");
        net.link("a", "b").up();
        net.assert_reachable("a", "b");
        let report = net.report();
        let eth0 = net.node("a").iface("eth0").index;
        assert!(report.contains(&format!("{eth0}: eth0 <UP>")), "{report}");
        assert!(
            report.contains("occupied0"),
            "the hook's links are there:\n{report}"
        );
    })
    .unwrap_or_else(|e| panic!("{e}"));

    // A failure's capture keeps the frames of the topology's links, by index.
    let dir = std::env::temp_dir().join(format!("netns-test-any-kernel-{}", std::process::id()));
    let opts = occupied()
        .capture(CaptureMode::Always)
        .forensics_dir(&dir)
        .timeout(Duration::from_secs(30));
    let err = run(&topo, opts, |net| -> () {
        net.assert_reachable("a", "b");
        panic!("planned");
    })
    .unwrap_err();
    let capture = err.to_string();
    assert!(
        capture.contains("capture.pcapng (2 interfaces") && !capture.contains(" 0 frames"),
        "{capture}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Nothing depends on the machine's sysctls that a new namespace inherits: where it
/// would inherit forwarding, strict reverse-path filtering, proxy ARP, IPv6 turned
/// off and no link-local addresses (a test hook sets them in every namespace first),
/// a node without `forward` still does not route, and IPv6 works, link-local
/// addresses included.
#[test]
fn inherited_forwarding_filtering_and_ipv6_off_change_nothing() {
    let topo = topology::parse(
        "a 10.0.1.2/24 fd01::2/64 -- r:left 10.0.1.1/24 fd01::1/64
         r:right 10.0.2.1/24 fd02::1/64 -- b 10.0.2.2/24 fd02::2/64
         route a default via 10.0.1.1
         route b default via 10.0.2.1
         route a default via fd01::1
         route b default via fd02::1
         expect a -x- 10.0.2.2
         expect a -x- fd02::2
         expect a -> 10.0.1.1
         expect a -> fd01::1
         c -- d",
    )
    .unwrap();
    run(&topo, Options::new().inherit_hostile_defaults(), |net| {
        let forwarding = net
            .node("r")
            .run(|| std::fs::read_to_string("/proc/sys/net/ipv4/conf/all/forwarding").unwrap());
        assert_eq!(forwarding.trim(), "0", "r is no router");
        let inet6 = net
            .node("a")
            .run(|| std::fs::read_to_string("/proc/thread-self/net/if_inet6").unwrap());
        assert!(
            inet6
                .lines()
                .any(|l| l.starts_with("fe80") && l.ends_with(" eth0")),
            "a has no link-local address on eth0:\n{inet6}"
        );
    })
    .unwrap_or_else(|e| panic!("{e}"));
}
