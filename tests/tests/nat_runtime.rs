//! A NAT while the test runs: `net.nat("r1")` drops its mappings, changes its kind,
//! lists its mappings and waits for them to expire; failure reports show each NAT;
//! the kernel lists back the table the harness meant; reflectors come and go.

use netns_test::topology::{Behaviour, NatKind, Proto};
use netns_test::{NatMapping, Net, Options};
use netns_test_tests::nat::*;
use std::net::SocketAddrV4;
use std::time::Duration;

fn run(topo: &netns_test::Topology, body: impl FnOnce(&Net)) {
    if let Err(e) = netns_test::run(topo, Options::new(), body) {
        panic!("{e}");
    }
}

/// `flush()` is a reboot of the NAT: a peer let in before is not after, no mapping is
/// left, and the next outbound packet makes a new one.
fn flush_breaks_an_established_mapping(words: &str) {
    let topo = lab(words, "full-cone", "");
    let preserves = topo.nat("r1").unwrap().port_preservation;
    run(&topo, |net| {
        let srv = Servers::start(net);
        let c1 = udp(net, "c1", 44000);
        let mapped = ask(&c1, at(S1, 3478));
        srv.s1a.send_to(b"before", mapped).unwrap();
        until_marker(&c1, b"before");
        assert!(!net.nat("r1").mappings().is_empty());
        net.nat("r1").flush();
        assert_eq!(net.nat("r1").mappings(), []);
        srv.s1a.send_to(b"after", mapped).unwrap();
        let got = nothing_within(&c1, Duration::from_millis(200));
        assert_eq!(got, [], "s1 reached {mapped} after the flush");
        let again = ask(&c1, at(S1, 3478));
        if preserves {
            assert_eq!(
                again, mapped,
                "with port preservation the port is free again"
            );
        }
        assert_eq!(net.nat("r1").mappings().len(), 1, "the new mapping");
    });
}

#[test]
fn flush_full_cone() {
    flush_breaks_an_established_mapping("full-cone");
}

#[test]
fn flush_restricted_cone() {
    flush_breaks_an_established_mapping("restricted-cone");
}

#[test]
fn flush_port_restricted_cone() {
    flush_breaks_an_established_mapping("port-restricted-cone");
}

#[test]
fn flush_symmetric() {
    flush_breaks_an_established_mapping("symmetric");
}

#[test]
fn flush_symmetric_without_port_preservation() {
    flush_breaks_an_established_mapping("symmetric port-preservation off");
}

#[test]
fn set_kind_changes_mapping_and_filtering() {
    run(&lab("symmetric", "full-cone", ""), |net| {
        let srv = Servers::start(net);
        let before = MappingSeen::new(net, &srv, "c1", 45000);
        assert_eq!(before.behaviour(), Some(Behaviour::AddressAndPortDependent));
        net.nat("r1").set_kind(NatKind::FULL_CONE);
        assert_eq!(net.nat("r1").config().kind, NatKind::FULL_CONE);
        assert_eq!(
            net.nat("r1").mappings(),
            [],
            "set_kind drops the old mappings"
        );
        let after = MappingSeen::new(net, &srv, "c1", 45100);
        assert_eq!(after.behaviour(), Some(Behaviour::EndpointIndependent));
        let filtering = filtering_behaviour(filtering_seen(net, &srv, "c1", 45200));
        assert_eq!(filtering, Some(Behaviour::EndpointIndependent));
    });
}

#[test]
fn configure_turns_hairpinning_off() {
    run(&lab("port-restricted-cone", "full-cone", ""), |net| {
        let srv = Servers::start(net);
        assert_eq!(
            hairpin(net, &srv, ("c1", 45300), ("c2", 45300)),
            Hairpin::SameMapping
        );
        let mut nat = net.nat("r1").config();
        nat.hairpin = false;
        net.nat("r1").configure(nat);
        assert!(!net.nat("r1").config().hairpin);
        assert_eq!(
            hairpin(net, &srv, ("c1", 45400), ("c2", 45400)),
            Hairpin::NotDelivered
        );
    });
}

#[test]
fn mappings_list_what_clients_made() {
    run(&lab("symmetric", "full-cone", ""), |net| {
        let srv = Servers::start(net);
        let _ = srv;
        let c1 = udp(net, "c1", 46000);
        let first = ask(&c1, at(S1, 3478));
        let second = ask(&c1, at(S2, 3478));
        assert_ne!(first, second, "symmetric: one mapping per remote endpoint");
        let internal = SocketAddrV4::new(C1, 46000);
        let mine: Vec<NatMapping> = net
            .nat("r1")
            .mappings()
            .into_iter()
            .filter(|m| m.internal == internal)
            .collect();
        let externals: Vec<String> = mine.iter().map(|m| m.external.to_string()).collect();
        let mut expected = vec![first.to_string(), second.to_string()];
        expected.sort_by_key(|a| a.parse::<SocketAddrV4>().unwrap().port());
        assert_eq!(externals, expected);
        for m in &mine {
            assert_eq!(m.proto, Proto::Udp);
            let left = m.expires_in.expect("a dynamic mapping expires");
            assert!(
                left <= Duration::from_secs(120) && left > Duration::from_secs(100),
                "{m}"
            );
        }
        assert_eq!(net.nat("r1").external_addr(), R1);
    });
}

/// `udp-timeout 1s`: a fresh mapping lets its peer in; once it has expired (the
/// kernel's map says so) it does not, for a cone that filters and for one that does
/// not.
fn an_idle_mapping_expires(words: &str) {
    run(&lab(words, "full-cone", ""), |net| {
        let srv = Servers::start(net);
        let c1 = udp(net, "c1", 47000);
        let mapped = ask(&c1, at(S1, 3478));
        srv.s1a.send_to(b"fresh", mapped).unwrap();
        until_marker(&c1, b"fresh");
        net.nat("r1")
            .wait_until(Duration::from_secs(5), |m| m.is_empty());
        srv.s1a.send_to(b"stale", mapped).unwrap();
        let got = nothing_within(&c1, Duration::from_millis(200));
        assert_eq!(got, [], "s1 reached {mapped} after the mapping expired");
    });
}

#[test]
fn udp_timeout_port_restricted_cone() {
    an_idle_mapping_expires("port-restricted-cone udp-timeout 1s");
}

#[test]
fn udp_timeout_full_cone() {
    an_idle_mapping_expires("full-cone udp-timeout 1s");
}

/// Inbound traffic on an established flow keeps its mapping (and the flow) alive past
/// `udp-timeout`, as outbound traffic does.
#[test]
fn inbound_traffic_keeps_a_mapping() {
    run(
        &lab("port-restricted-cone udp-timeout 1s", "full-cone", ""),
        |net| {
            let srv = Servers::start(net);
            let c1 = udp(net, "c1", 47200);
            let mapped = ask(&c1, at(S1, 3478));
            let mut buf = [0u8; 16];
            c1.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            // Six keepalives from s1, 300 ms apart: 1.5 s, longer than the timeout.
            for i in 0..6u8 {
                srv.s1a.send_to(&[b'k', i], mapped).unwrap();
                let (n, _) = c1
                    .recv_from(&mut buf)
                    .expect("a keepalive through the mapping");
                assert_eq!(&buf[..n], [b'k', i]);
                std::thread::sleep(Duration::from_millis(300));
            }
            let left = net.nat("r1").mappings();
            assert!(
                left.iter()
                    .any(|m| m.internal == SocketAddrV4::new(C1, 47200)),
                "the mapping expired although s1 kept sending: {left:?}"
            );
        },
    );
}

#[test]
fn a_failing_test_reports_each_nat_with_its_mappings() {
    let topo = lab("port-restricted-cone", "symmetric udp-timeout 30s", "");
    let e = netns_test::run(&topo, Options::new(), |net| -> () {
        let _s1 = net.node("s1").reflector(3478);
        let c1 = udp(net, "c1", 47500);
        ask(&c1, at(S1, 3478));
        panic!("the peer never answered");
    })
    .expect_err("the body panics");
    let text = e.to_string();
    for line in [
        "  nat: nat r1:wan port-restricted-cone (external address 203.0.113.1; IPv4 only)",
        "      udp 203.0.113.1:47500 -> 192.168.1.2:47500, expires in ",
        "; flows with 203.0.113.10:3478",
        "  nat: nat r2:wan symmetric udp-timeout 30s (external address 203.0.113.2; IPv4 only)",
        "    mappings: (none)",
        "      udp 192.168.1.2:47500 -> 203.0.113.10:3478 | reply 203.0.113.10:3478 -> \
         203.0.113.1:47500 [snat] ",
    ] {
        assert!(text.contains(line), "no {line:?} in\n{text}");
    }
}

#[test]
fn net_report_shows_the_nats() {
    run(&lab("restricted-cone", "full-cone", ""), |net| {
        net.nat("r1").set_kind(NatKind::SYMMETRIC);
        let report = net.report();
        assert!(
            report.contains("  nat: nat r1:wan symmetric (external address 203.0.113.1"),
            "{report}"
        );
        assert!(report.contains("  nat: nat r2:wan full-cone"), "{report}");
    });
}

#[test]
#[should_panic(expected = "no NAT on \"s1\"; NAT routers: r1, r2")]
fn an_unknown_nat_lists_the_nat_routers() {
    run(&lab("full-cone", "full-cone", ""), |net| {
        net.nat("s1");
    });
}

#[test]
fn a_reflector_frees_its_port_when_dropped() {
    run(&lab("full-cone", "full-cone", ""), |net| {
        for round in 0..3 {
            let r = net.node("s1").reflector(3478);
            assert_eq!(r.port(), 3478);
            let c1 = udp(net, "c1", 48500 + round);
            assert_eq!(ask(&c1, at(S1, 3478)).port(), 48500 + round);
        }
    });
}

/// `nft list table` in the router (iproute2's sibling, used here as an independent
/// reader) shows the table the harness meant, rule for rule.
#[test]
fn the_kernel_lists_the_table_we_meant() {
    let forward = "forward r1:wan udp 4000 -> c1:4000\nforward r1:wan tcp 4001 -> c2:4001";
    for kind in NatKind::all() {
        let words = kind.to_string();
        run(&lab(&words, "symmetric hairpin off", forward), |net| {
            for router in ["r1", "r2"] {
                let out = net
                    .node(router)
                    .command("nft")
                    .args(["list", "table", "ip", "netns_test_nat"])
                    .output()
                    .expect("running nft (nftables) for the cross-check");
                assert!(
                    out.status.success(),
                    "nft list: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let listed = String::from_utf8_lossy(&out.stdout);
                let meant = net.nat(router).ruleset();
                assert_eq!(
                    normalized(&listed),
                    normalized(&meant),
                    "{router} ({words}): nft lists\n{listed}\nthe harness meant\n{meant}"
                );
            }
        });
    }
}

/// Both texts in one form: the lines of each block sorted, counters' values and
/// comments gone, and nft's shorthands (`udp sport` for `meta l4proto udp ... th
/// sport`) spelled out.
fn normalized(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .replace(",\n", ", ")
        .lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words: Vec<&str> = Vec::new();
            let mut it = l.split_whitespace().peekable();
            while let Some(w) = it.next() {
                words.push(w);
                if w == "counter" && it.peek() == Some(&"packets") {
                    it.nth(3);
                }
            }
            let mut line = words.join(" ");
            for p in ["udp", "tcp"] {
                let dependency = format!("meta l4proto {p} ");
                if line.contains(&dependency) && line.contains(" th ") {
                    line = line
                        .replace(&dependency, "")
                        .replace(" th ", &format!(" {p} "));
                }
            }
            line
        })
        .collect();
    lines.sort();
    lines
}
