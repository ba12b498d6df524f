//! The bundled NAT topologies, used the way a peer-to-peer crate would: the README's
//! hole-punching example on `two_homes.topo`, two levels of NAT in
//! `carrier_grade_nat.topo`, and the symmetric NAT with a port forward of
//! `corporate_nat.topo`.

use netns_test::reflector;
use netns_test::{netns_test, Behaviour, NatKind, Net};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

/// The README's example: hole punching through every pair of cone kinds.
#[netns_test(topology_file = "topologies/two_homes.topo")]
fn hole_punching_through_cone_nats(net: &Net) {
    let _stun = net.node("s").reflector(3478); // tells each peer its public endpoint
    let stun: SocketAddr = "203.0.113.10:3478".parse().unwrap();
    let cones = [
        NatKind::FULL_CONE,
        NatKind::RESTRICTED_CONE,
        NatKind::PORT_RESTRICTED_CONE,
    ];
    for (k1, k2) in cones
        .iter()
        .flat_map(|a| cones.iter().map(move |b| (*a, *b)))
    {
        net.nat("r1").set_kind(k1);
        net.nat("r2").set_kind(k2);
        let bind = || UdpSocket::bind("0.0.0.0:0").unwrap();
        let (a, b) = (net.node("c1").run(bind), net.node("c2").run(bind));
        let a_public = reflector::ask(&a, stun).unwrap();
        let b_public = reflector::ask(&b, stun).unwrap();
        // What a p2p crate does: both send to the other's public endpoint.
        a.send_to(b"hello", b_public).unwrap(); // r2 may drop this one ...
        b.send_to(b"hello", a_public).unwrap(); // ... but this one gets through r1
        let mut buf = [0; 8];
        a.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        assert_eq!(a.recv_from(&mut buf).unwrap().1, b_public, "{k1} x {k2}");
        a.send_to(b"hello", b_public).unwrap(); // now r2 lets it in
        b.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        assert_eq!(b.recv_from(&mut buf).unwrap().1, a_public, "{k1} x {k2}");
    }
}

/// Two symmetric NATs: each peer's packets to the other come from a port the other
/// was never told, and neither gets through (RFC 5128 §3.3).
#[netns_test(topology_file = "topologies/two_homes.topo")]
fn hole_punching_fails_between_symmetric_nats(net: &Net) {
    let _stun = net.node("s").reflector(3478);
    let stun: SocketAddr = "203.0.113.10:3478".parse().unwrap();
    net.nat("r1").set_kind(NatKind::SYMMETRIC);
    net.nat("r2").set_kind(NatKind::SYMMETRIC);
    let bind = || UdpSocket::bind("0.0.0.0:0").unwrap();
    let (a, b) = (net.node("c1").run(bind), net.node("c2").run(bind));
    let a_public = reflector::ask(&a, stun).unwrap();
    let b_public = reflector::ask(&b, stun).unwrap();
    for sock in [&a, &b] {
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
    }
    let mut buf = [0; 8];
    for _ in 0..5 {
        a.send_to(b"hello", b_public).unwrap();
        b.send_to(b"hello", a_public).unwrap();
        assert!(a.recv_from(&mut buf).is_err(), "c2 got through to c1");
        assert!(b.recv_from(&mut buf).is_err(), "c1 got through to c2");
    }
}

/// Two levels: the server sees the carrier's address, each home NAT sees its host.
#[netns_test(topology_file = "topologies/carrier_grade_nat.topo")]
fn carrier_grade_nat_maps_twice(net: &Net) {
    let _s = net.node("s").reflector(3478);
    let sock = net
        .node("h1")
        .run(|| UdpSocket::bind("0.0.0.0:40000").unwrap());
    let seen = reflector::ask(&sock, "198.51.100.10:3478".parse().unwrap()).unwrap();
    assert_eq!(seen.ip(), net.nat("cgn").external_addr());
    let home = net.nat("home1").mappings();
    assert!(
        home.iter()
            .any(|m| m.internal.to_string() == "192.168.1.2:40000"),
        "{home:?}"
    );
    let carrier = net.nat("cgn").mappings();
    let home1 = net.nat("home1").external_addr();
    assert!(
        carrier
            .iter()
            .any(|m| *m.internal.ip() == home1 && m.external.port() == seen.port()),
        "the CGN maps home1's external endpoint: {carrier:?}"
    );
}

/// A symmetric NAT gives each remote endpoint its own port; the forward reaches the
/// web server from outside, with the client's real address.
#[netns_test(topology_file = "topologies/corporate_nat.topo")]
fn corporate_symmetric_nat_with_a_forward(net: &Net) {
    assert_eq!(
        net.nat("fw").config().kind.mapping,
        Behaviour::AddressAndPortDependent
    );
    let _a = net.node("s").reflector(3478);
    let _b = net.node("s").reflector(3479);
    let sock = net
        .node("ws1")
        .run(|| UdpSocket::bind("0.0.0.0:40000").unwrap());
    let one = reflector::ask(&sock, "192.0.2.10:3478".parse().unwrap()).unwrap();
    let two = reflector::ask(&sock, "192.0.2.10:3479".parse().unwrap()).unwrap();
    assert_ne!(
        one.port(),
        two.port(),
        "symmetric: a port per remote endpoint"
    );
    let _web = net.node("web").reflector(8443);
    let seen = net.node("s").run(|| {
        let mut s =
            TcpStream::connect_timeout(&"192.0.2.1:443".parse().unwrap(), Duration::from_secs(2))
                .unwrap();
        reflector::ask_tcp(&mut s).unwrap()
    });
    assert_eq!(
        seen.ip().to_string(),
        "192.0.2.10",
        "web sees the client itself"
    );
}

/// The README shows `hole_punching_through_cone_nats` as it is here, with the path a
/// crate of its own would use.
#[test]
fn the_readme_shows_this_example() {
    let readme = include_str!("../../README.md");
    let here = include_str!("nat_topologies.rs");
    let body = |text: &str| -> String {
        let start = text
            .find("#[netns_test(topology_file = \"")
            .expect("the example's attribute");
        let end = start + text[start..].find("\n}\n").expect("the example's end") + 3;
        text[start..end]
            .replace("tests/two_homes.topo", "topologies/two_homes.topo")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let readme_example = &readme[readme.find("# NATs and hole punching").unwrap()..];
    assert_eq!(body(readme_example), body(here));
}
