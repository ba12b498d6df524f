//! Every RFC 4787 behaviour of every NAT kind, with real sockets in namespaces: the
//! nine mapping × filtering pairs, each with the default options and with port
//! preservation and hairpinning off. One sandbox per variant, the lab of
//! `netns_test_tests::nat`, the NAT on r1.

use netns_test::reflector;
use netns_test::topology::Behaviour;
use netns_test::{Net, Options};
use netns_test_tests::nat::*;
use std::net::TcpStream;
use std::time::Duration;

/// Runs every check on r1 with `nat r1:wan WORDS`; panics with every failed check and
/// the report (which shows the NAT's mappings and flows).
fn behaves(words: &str) {
    let extra = "forward r1:wan udp 4000 -> c1:4000\nforward r1:wan tcp 4001 -> c2:4001";
    let topo = lab(words, "full-cone", extra);
    let nat = topo.nat("r1").unwrap().clone();
    let result = netns_test::run(&topo, Options::new(), |net| {
        let failed = checks(net, &nat);
        assert!(
            failed.is_empty(),
            "{nat}: {} checks failed:\n  {}",
            failed.len(),
            failed.join("\n  ")
        );
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

fn checks(net: &Net, nat: &netns_test::Nat) -> Vec<String> {
    let srv = Servers::start(net);
    let mut failed = Vec::new();
    let mut check = |what: &str, ok: bool, detail: String| {
        if !ok {
            failed.push(format!("{what}: {detail}"));
        }
    };

    // §4.1 mapping, §4.2.1 port preservation, §4.2.2 no port overloading.
    let m = MappingSeen::new(net, &srv, "c1", 40000);
    check(
        "mapping",
        m.behaviour() == Some(nat.kind.mapping),
        format!("{m:?} shows {:?}, not {}", m.behaviour(), nat.kind.mapping),
    );
    check(
        "port preservation",
        (m.s1a.port() == m.local_port) == nat.port_preservation,
        format!("local port {} mapped to {}", m.local_port, m.s1a),
    );
    let c2 = udp(net, "c2", 40000);
    let c2_mapped = ask(&c2, at(S2, 3479));
    check(
        "no port overloading",
        ![m.s1a, m.s1b, m.s2a].contains(&c2_mapped),
        format!("c2:40000 mapped to {c2_mapped}, one of c1:40000's mappings"),
    );

    // §5 filtering.
    let f = filtering_seen(net, &srv, "c1", 41000);
    check(
        "filtering",
        filtering_behaviour(f) == Some(nat.kind.filtering),
        format!(
            "from s1:3479 delivered {}, from s2:3478 delivered {}: not {}",
            f.0, f.1, nat.kind.filtering
        ),
    );

    // §6 hairpinning: the receiver sees the sender's external endpoint.
    let expected = |h: &Hairpin| match (nat.hairpin, nat.kind.mapping) {
        (false, _) => *h == Hairpin::NotDelivered,
        (true, Behaviour::EndpointIndependent) => *h == Hairpin::SameMapping,
        (true, _) => matches!(h, Hairpin::OtherMapping(_)),
    };
    let h = hairpin(net, &srv, ("c1", 42000), ("c2", 42000));
    check("hairpin c1 -> c2's mapping", expected(&h), format!("{h:?}"));
    let (other, own) = hairpin_self(net, &srv, "c1", 43000);
    check(
        "hairpin to one's own mapping",
        expected(&other),
        format!("{other:?}"),
    );
    check(
        "hairpin from the same socket",
        expected(&own),
        format!("{own:?}"),
    );

    // Static forwards, from outside (the inside host sees the real source) and, with
    // hairpinning, from inside.
    let _c1_4000 = net.node("c1").reflector(4000);
    let _c2_4001 = net.node("c2").reflector(4001);
    let s3 = udp(net, "s3", 0);
    let seen = ask(&s3, at(R1, 4000));
    check(
        "udp forward from outside",
        seen == s3.local_addr().map(|a| at(S3, a.port())).unwrap(),
        format!("c1 saw {seen}"),
    );
    let tcp_seen = net.node("s3").run(|| {
        let mut s = TcpStream::connect_timeout(&at(R1, 4001), Duration::from_secs(2))?;
        reflector::ask_tcp(&mut s)
    });
    check(
        "tcp forward from outside",
        tcp_seen.as_ref().is_ok_and(|a| a.ip() == S3),
        format!("c2 saw {tcp_seen:?}"),
    );
    let from_c2 = udp(net, "c2", 0);
    from_c2.send_to(b"?", at(R1, 4000)).unwrap();
    from_c2.send_to(b"?", at(S1, 3478)).unwrap();
    let got = until_from(&from_c2, at(S1, 3478));
    check(
        "udp forward hairpinned from inside",
        got.iter().any(|(from, _)| *from == at(R1, 4000)) == nat.hairpin,
        format!("c2 got {got:?}"),
    );

    // A forwarded port is never handed out as a mapping, even to the port's own
    // number on another inside host.
    let c2_4000 = udp(net, "c2", 4000);
    let mapped_4000 = ask(&c2_4000, at(S1, 3478));
    check(
        "a forward's port is no mapping",
        mapped_4000.port() != 4000,
        format!("c2:4000 mapped to {mapped_4000}"),
    );

    // Other traffic: TCP out through the NAT, ping through and to it.
    let _s1_80 = net.node("s1").reflector(80);
    let tcp_out = net.node("c1").run(|| {
        let mut s = TcpStream::connect_timeout(&at(S1, 80), Duration::from_secs(2))?;
        Ok::<_, std::io::Error>((s.local_addr()?, reflector::ask_tcp(&mut s)?))
    });
    check(
        "tcp out through the NAT",
        tcp_out.as_ref().is_ok_and(|(local, seen)| {
            seen.ip() == R1 && (seen.port() == local.port()) == nat.port_preservation
        }),
        format!("{tcp_out:?}"),
    );
    let pings = (net.ping("c1", "s1"), net.ping("s1", "203.0.113.1"));
    check(
        "ping through and to the NAT",
        pings.0.is_ok() && pings.1.is_ok(),
        format!("{pings:?}"),
    );

    // Nothing from outside reaches an inside address straight (s3 routes r1's LAN at r1).
    let c1 = udp(net, "c1", 48000);
    let mapped = ask(&c1, at(S1, 3478));
    s3.send_to(b"direct", at(C1, 48000)).unwrap();
    srv.s1a.send_to(b"marker", mapped).unwrap();
    let got = until_marker(&c1, b"marker");
    check(
        "nothing straight to an inside address",
        from_where(&got, b"direct").is_none(),
        format!("c1 got {got:?}"),
    );
    failed
}

/// Two tests per kind: the defaults, and port preservation and hairpinning off.
macro_rules! kinds {
    ($($(#[$doc:meta])* $name:ident: $words:expr;)*) => {$(
        $(#[$doc])*
        mod $name {
            #[test]
            fn defaults() {
                super::behaves($words);
            }

            #[test]
            fn without_port_preservation_and_hairpin() {
                super::behaves(concat!($words, " port-preservation off hairpin off"));
            }
        }
    )*};
}

kinds! {
    full_cone: "full-cone";
    restricted_cone: "restricted-cone";
    port_restricted_cone: "port-restricted-cone";
    symmetric: "symmetric";
    /// Address-dependent mapping, endpoint-independent filtering.
    adm_eif: "mapping address-dependent filtering endpoint-independent";
    /// Address-dependent mapping and filtering.
    adm_adf: "mapping address-dependent filtering address-dependent";
    /// Address-dependent mapping, address-and-port-dependent filtering.
    adm_apdf: "mapping address-dependent filtering address-and-port-dependent";
    /// Address-and-port-dependent mapping, endpoint-independent filtering.
    apdm_eif: "mapping address-and-port-dependent filtering endpoint-independent";
    /// Address-and-port-dependent mapping, address-dependent filtering.
    apdm_adf: "mapping address-and-port-dependent filtering address-dependent";
}
