//! 200 sandboxed tests with the same topology and the same addresses run side by side;
//! none sees another's links or traffic.

use netns_test::{netns_test, Net};
use std::net::UdpSocket;
use std::time::Duration;

/// Each test sends its own token across the same 10.0.0.0/24 link and must get
/// exactly that token back, and sees only its own two links.
fn exchange_own_token(net: &Net, token: &str) {
    let server: UdpSocket = net
        .node("b")
        .run(|| UdpSocket::bind("10.0.0.2:9000").unwrap());
    let client: UdpSocket = net.node("a").run(|| UdpSocket::bind("10.0.0.1:0").unwrap());
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    client.send_to(token.as_bytes(), "10.0.0.2:9000").unwrap();
    let mut buf = [0u8; 64];
    let (n, _) = server.recv_from(&mut buf).unwrap();
    assert_eq!(
        &buf[..n],
        token.as_bytes(),
        "a packet of another test arrived"
    );
    // No other test's traffic arrives afterwards either.
    server
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    assert!(
        server.recv_from(&mut buf).is_err(),
        "a second packet arrived"
    );
    let dev = std::fs::read_to_string("/proc/thread-self/net/dev").unwrap();
    let ours = dev
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .filter(|name| !netns_test_tests::made_by_the_machine(name.trim()))
        .count();
    assert_eq!(ours, 1, "host sees only lo: {dev}");
    let b = net
        .node("b")
        .run(|| std::fs::read_to_string("/proc/thread-self/net/dev").unwrap());
    let ours = b
        .lines()
        .filter_map(|l| l.split_once(':').map(|(name, _)| name.trim()))
        .filter(|name| !name.contains('|') && !netns_test_tests::made_by_the_machine(name))
        .count();
    assert_eq!(ours, 2, "b sees lo and eth0: {b}");
}

macro_rules! same_network_tests {
    ($($name:ident)*) => {$(
        #[netns_test(topology = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24")]
        fn $name(net: &Net) {
            exchange_own_token(net, stringify!($name));
        }
    )*};
}

netns_test_tests::hundred_tests!(first, same_network_tests);
netns_test_tests::hundred_tests!(second, same_network_tests);

/// The same 200 tests once more, in a run of this binary with 16 test threads.
#[test]
fn all_200_pass_with_16_threads() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--test-threads=16", "::t"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("test result: ok. 200 passed"), "{text}");
}
