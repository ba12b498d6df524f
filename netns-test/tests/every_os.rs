//! The whole public API, called the way a user's tests call it. On Linux these are
//! real tests in namespaces; `cargo xtask other-os` compiles this file for macOS
//! (and other targets), where the same API exists so that a crate with netns-test as
//! a dev-dependency builds, and where every run fails at once saying that netns-test
//! needs Linux. A method added to the API belongs here, and its stand-in in
//! `src/elsewhere/`.

use netns_test::reflector::{self, Reflector};
use netns_test::{
    netns_test, run, run_timed, topology, CaptureMode, Cause, CheckError, CheckKind, Error,
    FailedCheck, Iface, Impairment, LinkControl, MacOrNode, Nat, NatControl, NatKind, NatMapping,
    Neighbour, NeighbourStateName, Net, Node, Options, Phase, ProbeError, Proto, Report,
    TestResult, Timings, Topology,
};
use std::net::{IpAddr, TcpStream, UdpSocket};
use std::time::Duration;

const TOPOLOGY: &str = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24 rate 100mbit; c -- d";

/// Every method of `Net`, `Node`, `Iface` and `LinkControl`.
#[netns_test(topology = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24 rate 100mbit; c -- d")]
fn the_network_api(net: &Net) {
    assert_eq!(net.topology().nodes.len(), 4);
    assert_eq!(net.nodes().len(), 5, "host and four nodes");
    let a: &Node = net.node("a");
    assert_eq!(a.name(), "a");
    assert_eq!(a.addr(), "10.0.0.1".parse::<IpAddr>().unwrap());
    assert_eq!(a.addrs().len(), 1);
    let eth0: &Iface = a.iface("eth0");
    assert_eq!(a.ifaces(), std::slice::from_ref(eth0));
    assert_eq!(eth0.mac_string().len(), 17);
    let b_mac = net.node("b").iface("eth0").mac;

    assert!(net.ping("a", "b").is_ok());
    net.assert_reachable("a", "10.0.0.2");
    net.assert_isolated("a", "c");
    let neighbours: Vec<Neighbour> = net.neighbours("a");
    let to_b = neighbours.iter().find(|n| n.mac == Some(b_mac)).unwrap();
    assert!(to_b.state.is_usable() && to_b.state != NeighbourStateName::Failed);
    net.assert_neighbour("a", "10.0.0.2".parse().unwrap(), "b");
    net.assert_neighbour("a", "10.0.0.2".parse().unwrap(), MacOrNode::Mac(b_mac));
    assert!(net.report().contains("node a:"));
    let checked: Result<(), CheckError> = net.check();
    checked.unwrap();

    assert!(net.try_node("zz").is_err() && net.try_link("a", "c").is_err());
    let missing: netns_test::LookupError = net.node("a").try_iface("zz").unwrap_err();
    assert!(missing.to_string().contains("zz"));
    let link: LinkControl<'_> = net.link("a", "b");
    link.down();
    let down = net.ping("a", "b").unwrap_err();
    assert!(matches!(down, ProbeError::Send { .. }) && down.proves_isolation());
    link.up();
    link.impair(Impairment {
        rate: Some(10_000_000),
        ..Default::default()
    });
    let built: Result<Impairment, topology::ParseError> = Impairment::builder()
        .delay(Duration::from_millis(1))
        .loss(0.5)
        .build();
    link.impair_each([built.unwrap(), Impairment::default()]);
    let counters: Option<[netns_test::RelayCounters; 2]> = link.counters();
    assert!(counters.is_some_and(|[ab, _]| ab.lost == 0));
    link.clear();
    net.partition(&["a"], &["b"]);
    net.heal();
    net.assert_reachable("a", "b");

    let listener = a.run(|| std::net::TcpListener::bind("10.0.0.1:7000").unwrap());
    assert_eq!(listener.local_addr().unwrap().port(), 7000);
    let out = a.command("true").status().unwrap();
    assert!(out.success());
    let spawned = a.spawn(async { 7 });
    assert_eq!(net.block_on(spawned).unwrap(), 7);
    assert_eq!(a.runtime().block_on(async { 8 }), 8);
    let status = net.block_on(async { a.tokio_command("true").status().await });
    assert!(status.unwrap().success());
}

/// `NatControl`, `NatMapping` and the reflector.
#[netns_test(topology = "
    node r forward
    c 192.168.1.2/24 -- r:lan 192.168.1.1/24
    r:wan 203.0.113.1/24 -- s 203.0.113.10/24
    route c default via 192.168.1.1
    nat r:wan port-restricted-cone
")]
fn the_nat_api(net: &Net) {
    assert!(net.try_nat("nobody").is_err());
    let server: Reflector = net.node("s").reflector(3478);
    assert_eq!((server.node(), server.port()), ("s", 3478));
    let sock = net
        .node("c")
        .run(|| UdpSocket::bind("0.0.0.0:40000").unwrap());
    let seen = reflector::ask(&sock, "203.0.113.10:3478".parse().unwrap()).unwrap();
    let nat: NatControl<'_> = net.nat("r");
    assert_eq!(nat.router(), "r");
    assert_eq!(seen.ip(), nat.external_addr());
    let mappings: Vec<NatMapping> = nat.wait_until(Duration::from_secs(5), |m| !m.is_empty());
    assert_eq!(mappings[0].proto, Proto::Udp);
    assert!(mappings[0].to_string().starts_with("udp 203.0.113.1:"));
    assert!(nat.ruleset().contains("netns_test_nat"));
    server
        .send_to(&[reflector::QUIET], "203.0.113.1:40000".parse().unwrap())
        .unwrap();
    let mut tcp = net
        .node("c")
        .run(|| TcpStream::connect("203.0.113.10:3478").unwrap());
    assert_eq!(
        reflector::ask_tcp(&mut tcp).unwrap().ip(),
        nat.external_addr()
    );
    nat.flush();
    nat.set_kind(NatKind::FULL_CONE);
    let config: Nat = nat.config();
    assert_eq!(config.kind, NatKind::FULL_CONE);
    nat.configure(config);
}

/// An async body, returning `Result`.
#[netns_test(topology = "a -- b", timeout = "20s", checks = false, node = "a")]
async fn an_async_body(net: &Net) -> Result<(), ProbeError> {
    net.ping("a", "b").map(drop)
}

/// `run` and `run_timed` without the macro, `Options`, and every accessor of `Error`.
#[test]
fn the_run_api() {
    let topo = topology::parse(TOPOLOGY).unwrap();
    let dir = std::env::temp_dir().join(format!("netns-test-every-os-{}", std::process::id()));
    let options = Options::new()
        .timeout(Duration::from_secs(20))
        .checks(false)
        .node("a")
        .name("every_os::the_run_api")
        .keep_on_failure(Duration::ZERO)
        .capture(CaptureMode::Never)
        .forensics_dir(&dir)
        .isolation_timeout(Duration::from_millis(100));
    let (result, timings): (Result<(), Error>, Timings) =
        run_timed(&topo, options, |_: &Net| Err::<(), _>("planned"));
    let e = result.unwrap_err();
    assert!(matches!(e.cause(), Cause::Returned(_)), "{e}");
    assert!(!e.is_unavailable());
    assert_eq!(e.phase(), Phase::Body);
    assert_eq!(e.step(), None);
    assert_eq!(e.location(), None);
    assert!(e.message().contains("planned") && e.headline().contains("planned"));
    assert!(e.backtrace().is_none());
    assert_eq!(e.forensics_dir(), Some(dir.as_path()));
    std::fs::remove_dir_all(&dir).unwrap();
    let report: &Report = e.report().unwrap();
    assert!(report.text().contains("diagram:"));
    assert!(report.html(&e.headline()).contains("<svg"));
    assert!(e.details().contains("in phase body") && timings.total > Duration::ZERO);

    run(&topo, Options::new(), |_: &Net| ()).unwrap();
    let mut built: topology::TopologyBuilder = Topology::builder();
    built
        .node(topology::NodeSpec::new("r").forward())
        .link(topology::EndSpec::new("a").ifname("up"), "r")
        .link_spec(topology::LinkSpec::new("r", "b").mtu(1400));
    let built: Topology = built.build().unwrap();
    run(&built, Options::new(), |net: &Net| {
        net.assert_reachable("r", "b")
    })
    .unwrap();
    let unreachable = topology::parse("a -- b; c -- d; expect a -> c").unwrap();
    let e = run(&unreachable, Options::new().checks(false), |_: &Net| ()).unwrap_err();
    let Cause::Checks(failed) = e.cause() else {
        panic!("the expect fails: {e}");
    };
    let first: &FailedCheck = &failed[0];
    assert_eq!((first.kind, failed.len()), (CheckKind::Expect, 1), "{e}");
    assert!(first.to_string().starts_with("expect a -> c: "), "{e}");
    assert!(().into_result().is_ok());
    assert_eq!(netns_test::LONGEST, Duration::from_secs(24 * 3600));
    let _ = Options::new()
        .occupy_low_indexes(2)
        .inherit_hostile_defaults();
    let _: fn(&'static str) -> ! = netns_test::smoke::main;
    assert!(netns_test::smoke::diagram(&topo).contains("[a]"));
    let missing = netns_test::smoke::discover(&["no/such/dir"]).unwrap_err();
    assert!(matches!(
        missing,
        netns_test::smoke::DiscoverError::Unreadable { .. }
    ));
}
