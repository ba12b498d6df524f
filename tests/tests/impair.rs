//! Link impairments, for real: a rate caps a TCP transfer (from the topology and at
//! run time), `clear` makes it fast again, and a kernel without netem fails the
//! build with a message that names the module.

use netns_test::topology::parse;
use netns_test::{netns_test, Impairment, Net, Options};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Sends `bytes` over TCP from a (10.0.0.1) to b (10.0.0.2); returns how long the
/// receiver took from the first byte to the last, so that connecting is not counted.
fn transfer(net: &Net, bytes: usize) -> Duration {
    let at: SocketAddr = "10.0.0.2:7100".parse().unwrap();
    let listener: TcpListener = net.node("b").run(|| TcpListener::bind(at).unwrap());
    let receiver = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = s.read(&mut buf).unwrap();
        let first = Instant::now();
        loop {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got += n;
        }
        (got, first.elapsed())
    });
    let mut c = net
        .node("a")
        .run(|| TcpStream::connect_timeout(&at, Duration::from_secs(2)).unwrap());
    c.write_all(&vec![7u8; bytes]).unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let (got, took) = receiver.join().unwrap();
    assert_eq!(got, bytes);
    took
}

/// `took` is within ±20% of `bytes` at `bits` per second.
fn assert_paced(took: Duration, bytes: usize, bits: u64) {
    let expected = bytes as f64 * 8.0 / bits as f64;
    let ratio = took.as_secs_f64() / expected;
    assert!(
        (0.8..=1.2).contains(&ratio),
        "{bytes} bytes at {bits} bit/s took {took:?}, expected {expected:.2}s ±20%"
    );
}

#[netns_test(
    topology = "a 10.0.0.1/24 -- b 10.0.0.2/24 rate 1mbit",
    timeout = "20s"
)]
fn a_rate_caps_a_tcp_transfer(net: &Net) {
    assert_paced(transfer(net, 250_000), 250_000, 1_000_000);
}

#[netns_test(topology = "a 10.0.0.1/24 -- b 10.0.0.2/24", timeout = "20s")]
fn impair_at_run_time_caps_the_rate_and_clear_lifts_it(net: &Net) {
    let link = net.link("b", "a");
    link.impair(Impairment {
        rate: Some(2_000_000),
        ..Impairment::default()
    });
    assert_paced(transfer(net, 250_000), 250_000, 2_000_000);
    link.clear();
    let took = transfer(net, 250_000);
    assert!(
        took < Duration::from_millis(200),
        "250 KB took {took:?} once the link was cleared"
    );
}

#[netns_test(
    topology = "a 10.0.0.1/24 -- b 10.0.0.2/24 a->b: rate 1gbit",
    timeout = "20s"
)]
fn impair_replaces_the_topologys_rate(net: &Net) {
    net.link("a", "b").impair(Impairment {
        rate: Some(2_000_000),
        ..Impairment::default()
    });
    assert_paced(transfer(net, 125_000), 125_000, 2_000_000);
}

const NO_NETEM: &str = "the kernel has no netem qdisc (module sch_netem, \
                        CONFIG_NET_SCH_NETEM): load it with `modprobe sch_netem`";

/// Where the kernel has netem, a 20 ms delay each way shows in the ping; where it
/// has none (this machine), the failure names the module and the fix.
fn delay_or_no_netem(topo: &str, impair_in_body: bool) {
    let topo = parse(topo).unwrap();
    let result = netns_test::run(&topo, Options::new(), |net| {
        if impair_in_body {
            net.link("a", "b").impair(Impairment {
                delay: Some(Duration::from_millis(20)),
                ..Impairment::default()
            });
        }
        let rtt = net.ping("a", "b").unwrap();
        assert!(
            rtt >= Duration::from_millis(40),
            "RTT {rtt:?} with 20 ms each way"
        );
    });
    if netns_test::qdisc_available("netem") {
        if let Err(e) = result {
            panic!("{e}");
        }
        return;
    }
    let e = result
        .expect_err("no netem in this kernel: the impairment must fail")
        .to_string();
    // Both ends are impaired at once: whichever answers first is named.
    let want = format!("impairing eth0 (delay 20ms): {NO_NETEM}");
    assert!(
        (e.contains("node a: ") || e.contains("node b: ")) && e.contains(&want),
        "error:\n{e}\nexpected:\n{want}"
    );
}

#[test]
fn a_delay_needs_netem() {
    delay_or_no_netem("a 10.0.0.1/24 -- b 10.0.0.2/24 delay 20ms", false);
}

#[test]
fn a_delay_at_run_time_needs_netem() {
    delay_or_no_netem("a 10.0.0.1/24 -- b 10.0.0.2/24", true);
}
