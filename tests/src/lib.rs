//! Helpers shared by the integration tests: iproute2 run inside nodes, read as JSON,
//! and real TCP/UDP exchanges between nodes. They cross-check the builder against
//! tools it does not share code with.

pub mod nat;
pub mod process;

use netns_test::Net;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

/// `ip -j ARGS` inside `node`, parsed.
pub fn ip_json(net: &Net, node: &str, args: &[&str]) -> Value {
    let out = net
        .node(node)
        .command("ip")
        .arg("-j")
        .args(args)
        .output()
        .expect("running ip (iproute2)");
    assert!(
        out.status.success(),
        "ip -j {} in {node} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("ip -j prints JSON")
}

/// The addresses `ip -j addr show dev IFNAME` reports in `node`, as `ADDR/LEN`.
pub fn addrs_of(net: &Net, node: &str, ifname: &str) -> Vec<String> {
    let v = ip_json(net, node, &["addr", "show", "dev", ifname]);
    v[0]["addr_info"]
        .as_array()
        .expect("addr_info")
        .iter()
        .filter(|a| a["scope"] != "link")
        .map(|a| format!("{}/{}", a["local"].as_str().unwrap(), a["prefixlen"]))
        .collect()
}

/// Asserts that iproute2 sees exactly `want` (global addresses, any order) on the link.
pub fn assert_addrs(net: &Net, node: &str, ifname: &str, want: &[&str]) {
    let mut got = addrs_of(net, node, ifname);
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "addresses of {node}:{ifname} as iproute2 sees them"
    );
}

/// `ip -j link show dev IFNAME` in `node`: (operstate, mtu, master).
pub fn link_of(net: &Net, node: &str, ifname: &str) -> (String, u64, Option<String>) {
    let v = ip_json(net, node, &["link", "show", "dev", ifname]);
    let l = &v[0];
    (
        l["operstate"].as_str().unwrap_or("").to_string(),
        l["mtu"].as_u64().unwrap_or(0),
        l["master"].as_str().map(str::to_string),
    )
}

/// The routes of `node` as `DST via GW` / `DST dev IFNAME` strings (`ip -j route`).
pub fn routes_of(net: &Net, node: &str) -> Vec<String> {
    let v = ip_json(net, node, &["route", "show"]);
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| match r["gateway"].as_str() {
            Some(gw) => format!("{} via {gw}", r["dst"].as_str().unwrap()),
            None => format!(
                "{} dev {}",
                r["dst"].as_str().unwrap(),
                r["dev"].as_str().unwrap()
            ),
        })
        .collect()
}

/// A real TCP exchange: `server` listens on `addr:port`, `client` connects, sends a
/// line, and the server echoes it back. Each side's socket is made inside its node.
pub fn tcp_exchange(net: &Net, server: &str, addr: IpAddr, client: &str) {
    let at = SocketAddr::new(addr, 7000);
    let listener: TcpListener = net
        .node(server)
        .run(|| TcpListener::bind(at).expect("bind inside the server node"));
    let echo = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        s.write_all(&buf).unwrap();
    });
    let mut c = net.node(client).run(|| {
        TcpStream::connect_timeout(&at, Duration::from_secs(2))
            .expect("connect from the client node")
    });
    c.write_all(b"hello").unwrap();
    let mut back = [0u8; 5];
    c.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"hello");
    echo.join().unwrap();
}

/// A real UDP exchange from `client` to `server`'s `addr`, answered.
pub fn udp_exchange(net: &Net, server: &str, addr: IpAddr, client: &str) {
    let at = SocketAddr::new(addr, 7001);
    let srv: UdpSocket = net.node(server).run(|| UdpSocket::bind(at).unwrap());
    let any: SocketAddr = if addr.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }
    .parse()
    .unwrap();
    let cli: UdpSocket = net.node(client).run(|| UdpSocket::bind(any).unwrap());
    cli.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    srv.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    cli.send_to(b"ping", at).unwrap();
    let mut buf = [0u8; 4];
    let (_, from) = srv.recv_from(&mut buf).unwrap();
    srv.send_to(b"pong", from).unwrap();
    cli.recv_from(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");
}

/// Builds a fixture test target of this crate (`[[test]]` with the `fixtures`
/// feature: its tests fail on purpose) with cargo, in the same target directory, and
/// returns the executable's path.
pub fn fixture_binary(target: &str) -> std::path::PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "test",
            "-p",
            "netns-test-tests",
            "--features",
            "fixtures",
            "--test",
            target,
        ])
        .args(["--no-run", "--message-format=json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo to build the fixture");
    assert!(
        out.status.success(),
        "building the fixture: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"]["name"] == target)
        .find_map(|v| v["executable"].as_str().map(std::path::PathBuf::from))
        .expect("cargo names the fixture's executable")
}

/// `hundred_tests!(NAME, EACH)` makes `mod NAME` with a hundred items `EACH!(t00)` ..
/// `EACH!(t99)` in nested modules: distinct test paths without a name-pasting crate.
/// `EACH` is a `macro_rules!` of the calling file taking a list of names.
#[macro_export]
macro_rules! hundred_tests {
    ($m:ident, $each:ident) => {
        mod $m {
            use super::*;
            $each!(t00 t01 t02 t03 t04 t05 t06 t07 t08 t09);
            mod m1 { use super::*; $each!(t10 t11 t12 t13 t14 t15 t16 t17 t18 t19); }
            mod m2 { use super::*; $each!(t20 t21 t22 t23 t24 t25 t26 t27 t28 t29); }
            mod m3 { use super::*; $each!(t30 t31 t32 t33 t34 t35 t36 t37 t38 t39); }
            mod m4 { use super::*; $each!(t40 t41 t42 t43 t44 t45 t46 t47 t48 t49); }
            mod m5 { use super::*; $each!(t50 t51 t52 t53 t54 t55 t56 t57 t58 t59); }
            mod m6 { use super::*; $each!(t60 t61 t62 t63 t64 t65 t66 t67 t68 t69); }
            mod m7 { use super::*; $each!(t70 t71 t72 t73 t74 t75 t76 t77 t78 t79); }
            mod m8 { use super::*; $each!(t80 t81 t82 t83 t84 t85 t86 t87 t88 t89); }
            mod m9 { use super::*; $each!(t90 t91 t92 t93 t94 t95 t96 t97 t98 t99); }
        }
    };
}

/// Links a new namespace may start with on some machines, which no topology made:
/// the fallback devices of the ipip, gre, sit, ip6_tunnel and vti modules, and the
/// veth pairs of the test hook that plays such a machine
/// (`Options::occupy_low_indexes`, `NETNS_TEST_OCCUPY_LOW_INDEXES`).
pub fn made_by_the_machine(ifname: &str) -> bool {
    const FALLBACK: [&str; 9] = [
        "tunl0", "gre0", "gretap0", "erspan0", "ip_vti0", "sit0", "ip6tnl0", "ip6gre0", "ip6_vti0",
    ];
    FALLBACK.contains(&ifname) || ifname.starts_with("occupied")
}
