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
    assert_eq!(
        dev.lines().count(),
        3,
        "host sees only lo (two header lines): {dev}"
    );
    let b = net
        .node("b")
        .run(|| std::fs::read_to_string("/proc/thread-self/net/dev").unwrap());
    assert_eq!(
        b.lines().filter(|l| l.contains(':')).count(),
        2,
        "b sees lo and eth0: {b}"
    );
}

macro_rules! same_network_tests {
    ($($name:ident)*) => {$(
        #[netns_test(topology = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24")]
        fn $name(net: &Net) {
            exchange_own_token(net, stringify!($name));
        }
    )*};
}

/// `mod NAME { t00 .. t99 }`: nested modules give 200 distinct test paths without a
/// name-pasting crate.
macro_rules! hundred {
    ($p:ident) => {
        mod $p {
            use super::*;
            same_network_tests!(t00 t01 t02 t03 t04 t05 t06 t07 t08 t09);
            mod m1 { use super::*; same_network_tests!(t10 t11 t12 t13 t14 t15 t16 t17 t18 t19); }
            mod m2 { use super::*; same_network_tests!(t20 t21 t22 t23 t24 t25 t26 t27 t28 t29); }
            mod m3 { use super::*; same_network_tests!(t30 t31 t32 t33 t34 t35 t36 t37 t38 t39); }
            mod m4 { use super::*; same_network_tests!(t40 t41 t42 t43 t44 t45 t46 t47 t48 t49); }
            mod m5 { use super::*; same_network_tests!(t50 t51 t52 t53 t54 t55 t56 t57 t58 t59); }
            mod m6 { use super::*; same_network_tests!(t60 t61 t62 t63 t64 t65 t66 t67 t68 t69); }
            mod m7 { use super::*; same_network_tests!(t70 t71 t72 t73 t74 t75 t76 t77 t78 t79); }
            mod m8 { use super::*; same_network_tests!(t80 t81 t82 t83 t84 t85 t86 t87 t88 t89); }
            mod m9 { use super::*; same_network_tests!(t90 t91 t92 t93 t94 t95 t96 t97 t98 t99); }
        }
    };
}

hundred!(first);
hundred!(second);

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
