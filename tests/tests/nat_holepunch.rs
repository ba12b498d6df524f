//! UDP hole punching (RFC 5128 §3.3) between c1 behind r1 and d1 behind r2, for every
//! pair of the four familiar kinds and a few pairs of the others: each side learns its
//! mapping from a reflector, both send to the other's mapping, and a side that hears
//! the peer answers where it heard it from. Both send orders, in one sandbox a pair.

use netns_test::topology::{Behaviour, NatKind};
use netns_test::Options;
use netns_test_tests::nat::*;
use std::time::Duration;

/// What RFC 5128's reasoning predicts, with filtering kept per mapping and peers that
/// answer the source they saw: a punch works when both map independently of the
/// endpoint (each side's mapping is the one the other was told), or when one side
/// maps independently and filters by address only (the other's new port comes from
/// an address it sent to), or when either side filters independently of the endpoint
/// (it lets the first packet in; when that packet's flow clashes with the host's own
/// outbound flow to the peer, Linux rewrites the peer's source port to keep its
/// tuples unique, the host answers that port, and the answer goes out as a reply).
fn predicted(a: NatKind, b: NatKind) -> bool {
    let eim = |k: NatKind| k.mapping == Behaviour::EndpointIndependent;
    let open = |k: NatKind| k.filtering != Behaviour::AddressAndPortDependent;
    let eif = |k: NatKind| k.filtering == Behaviour::EndpointIndependent;
    (eim(a) && eim(b)) || (eim(a) && open(a)) || (eim(b) && open(b)) || eif(a) || eif(b)
}

/// Punches between `nat r1:wan A` and `nat r2:wan B`, c1 first then d1 first, and
/// checks both against the prediction.
fn punches(a: &str, b: &str) {
    let topo = lab(a, b, "");
    let (ka, kb) = (topo.nat("r1").unwrap().kind, topo.nat("r2").unwrap().kind);
    let expected = predicted(ka, kb);
    let result = netns_test::run(&topo, Options::new(), |net| {
        let _rendezvous = net.node("s1").reflector(3478);
        for (port, c1_first) in [(50000, true), (51000, false)] {
            let (worked, what) = punch(net, port, c1_first);
            let first = if c1_first { "c1" } else { "d1" };
            assert_eq!(
                worked,
                expected,
                "{a} x {b}, {first} sending first: the punch {} but RFC 5128 predicts it \
                 {}; {what}",
                if worked { "worked" } else { "failed" },
                if expected { "works" } else { "fails" },
            );
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_classic_table() {
    use NatKind as K;
    let row = |a| {
        [
            K::FULL_CONE,
            K::RESTRICTED_CONE,
            K::PORT_RESTRICTED_CONE,
            K::SYMMETRIC,
        ]
        .map(|b| predicted(a, b))
    };
    // Cone to cone always; symmetric only to full and restricted cones.
    assert_eq!(row(K::FULL_CONE), [true; 4]);
    assert_eq!(row(K::RESTRICTED_CONE), [true; 4]);
    assert_eq!(row(K::PORT_RESTRICTED_CONE), [true, true, true, false]);
    assert_eq!(row(K::SYMMETRIC), [true, true, false, false]);
}

/// One test per pair: `pairs!(r1_kind: "words" => [r2_name: "words", ...])`.
macro_rules! pairs {
    ($($a:ident: $aw:expr => [$($b:ident: $bw:expr),*];)*) => {$(
        mod $a {
            $(
                #[test]
                fn $b() {
                    super::punches($aw, $bw);
                }
            )*
        }
    )*};
}

pairs! {
    full_cone: "full-cone" => [
        full_cone: "full-cone",
        restricted_cone: "restricted-cone",
        port_restricted_cone: "port-restricted-cone",
        symmetric: "symmetric"
    ];
    restricted_cone: "restricted-cone" => [
        full_cone: "full-cone",
        restricted_cone: "restricted-cone",
        port_restricted_cone: "port-restricted-cone",
        symmetric: "symmetric"
    ];
    port_restricted_cone: "port-restricted-cone" => [
        full_cone: "full-cone",
        restricted_cone: "restricted-cone",
        port_restricted_cone: "port-restricted-cone",
        symmetric: "symmetric"
    ];
    symmetric: "symmetric" => [
        full_cone: "full-cone",
        restricted_cone: "restricted-cone",
        port_restricted_cone: "port-restricted-cone",
        symmetric: "symmetric"
    ];
    // Beyond the familiar names: endpoint-independent filtering lets a symmetric peer
    // in; address-dependent mapping and filtering on both sides does not.
    adm_eif: "mapping address-dependent filtering endpoint-independent" => [
        symmetric: "symmetric"
    ];
    adm_adf: "mapping address-dependent filtering address-dependent" => [
        adm_adf: "mapping address-dependent filtering address-dependent",
        full_cone: "full-cone"
    ];
}

/// A punched session dies when one NAT drops its mappings: d1 no longer hears c1.
#[test]
fn a_flush_ends_a_punched_session() {
    let topo = lab("port-restricted-cone", "port-restricted-cone", "");
    let result = netns_test::run(&topo, Options::new(), |net| {
        let _rendezvous = net.node("s1").reflector(3478);
        let (worked, what) = punch(net, 52000, true);
        assert!(worked, "the punch before the flush: {what}");
        let c1 = udp(net, "c1", 52001);
        let d1 = udp(net, "d1", 52002);
        let d1_mapped = ask(&d1, at(S1, 3478));
        let c1_mapped = ask(&c1, at(S1, 3478));
        // Open d1's side toward c1's mapping, then c1 reaches d1.
        d1.send_to(b"open", c1_mapped).unwrap();
        c1.send_to(b"through", d1_mapped).unwrap();
        d1.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 16];
        let (n, _) = d1
            .recv_from(&mut buf)
            .expect("c1's packet through the hole");
        assert_eq!(&buf[..n], b"through");
        net.nat("r2").flush();
        assert_eq!(net.nat("r2").mappings(), []);
        c1.send_to(b"after the flush", d1_mapped).unwrap();
        assert_eq!(
            nothing_within(&d1, Duration::from_millis(200)),
            [],
            "d1 heard c1 after r2 dropped its mappings"
        );
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Two port-restricted cones punch although c1's first packets reach r2 before d1
/// has sent anything: r2 drops them before conntrack records them (a recorded
/// unsolicited flow would hold the very tuple d1's mapping needs).
#[test]
fn early_packets_do_not_spoil_a_punch() {
    let topo = lab("port-restricted-cone", "port-restricted-cone", "");
    let result = netns_test::run(&topo, Options::new(), |net| {
        let _rendezvous = net.node("s1").reflector(3478);
        let c1 = udp(net, "c1", 53000);
        let d1 = udp(net, "d1", 53000);
        let c1_mapped = ask(&c1, at(S1, 3478));
        let d1_mapped = ask(&d1, at(S1, 3478));
        for _ in 0..3 {
            c1.send_to(b"too early", d1_mapped).unwrap();
        }
        // They must not reach d1, which has not sent to c1 yet.
        assert_eq!(nothing_within(&d1, Duration::from_millis(100)), []);
        // Now d1 sends: its packet opens its side and reaches c1, whose side is open.
        d1.send_to(b"from d1", c1_mapped).unwrap();
        c1.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = c1.recv_from(&mut buf).expect("d1's packet");
        assert_eq!((&buf[..n], from), (&b"from d1"[..], d1_mapped));
        c1.send_to(b"from c1", d1_mapped).unwrap();
        d1.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let (n, from) = d1.recv_from(&mut buf).expect("c1's packet after the punch");
        assert_eq!((&buf[..n], from), (&b"from c1"[..], c1_mapped));
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
