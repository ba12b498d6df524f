//! The seed scenarios of the classic network-namespace tutorials, built by the harness
//! and cross-checked with iproute2 inside the nodes and real TCP/UDP traffic.

use netns_test::{netns_test, Net};
use netns_test_tests::{assert_addrs, link_of, routes_of, tcp_exchange, udp_exchange};

// seed 000: the host and one namespace over a named veth pair.
#[netns_test(topology = "
    host:veth-a 192.168.1.1/24 -- test1:veth-b 192.168.1.2/24
    expect test1 <-> host
")]
fn seed_000_host_and_test1(net: &Net) {
    assert_addrs(net, "host", "veth-a", &["192.168.1.1/24"]);
    assert_addrs(net, "test1", "veth-b", &["192.168.1.2/24"]);
    assert_eq!(link_of(net, "test1", "veth-b").0, "UP");
    tcp_exchange(net, "host", "192.168.1.1".parse().unwrap(), "test1");
    tcp_exchange(net, "test1", "192.168.1.2".parse().unwrap(), "host");
}

// seed 001: a bridge in the host with a gateway address, two namespaces on it.
#[netns_test(topology = "
    bridge mydocker0 172.16.1.254/16
    ns1 172.16.1.1/16 -- mydocker0
    ns2 172.16.1.2/16 -- mydocker0
    route ns1 default via 172.16.1.254
    route ns2 default via 172.16.1.254
    expect ns1 <-> ns2
    expect ns1 -> 172.16.1.254
")]
fn seed_001_bridge_in_host(net: &Net) {
    assert_addrs(net, "host", "mydocker0", &["172.16.1.254/16"]);
    assert_addrs(net, "ns1", "eth0", &["172.16.1.1/16"]);
    assert!(routes_of(net, "ns1").contains(&"default via 172.16.1.254".to_string()));
    let ports: Vec<String> = net
        .node("host")
        .ifaces()
        .iter()
        .filter(|i| i.name != "mydocker0")
        .map(|i| i.name.clone())
        .collect();
    assert_eq!(ports.len(), 2);
    for port in &ports {
        assert_eq!(
            link_of(net, "host", port).2.as_deref(),
            Some("mydocker0"),
            "{port} is a port of the bridge"
        );
    }
    udp_exchange(net, "ns2", "172.16.1.2".parse().unwrap(), "ns1");
    tcp_exchange(net, "host", "172.16.1.254".parse().unwrap(), "ns2");
}

// seed 002, first half: red and blue over one veth pair.
#[netns_test(topology = "red 192.168.15.1/24 -- blue 192.168.15.2/24; expect red <-> blue")]
fn seed_002_red_blue_veth(net: &Net) {
    tcp_exchange(net, "blue", "192.168.15.2".parse().unwrap(), "red");
}

// seed 002, second half: red and blue on the bridge v-net-0 with an address in the host.
#[netns_test(topology = "
    bridge v-net-0 192.168.15.5/24
    red 192.168.15.1/24 -- v-net-0
    blue 192.168.15.2/24 -- v-net-0
    expect red <-> blue
    expect host -> red
")]
fn seed_002_red_blue_bridge(net: &Net) {
    assert_eq!(link_of(net, "host", "v-net-0").0, "UP");
    udp_exchange(net, "red", "192.168.15.1".parse().unwrap(), "host");
    tcp_exchange(net, "blue", "192.168.15.2".parse().unwrap(), "red");
}

// seed 003: an isolated namespace whose default route points at its host-side peer.
#[netns_test(topology = "
    host:veth-host 10.200.1.1/24 -- isolated:veth-iso 10.200.1.2/24
    route isolated default via 10.200.1.1
    expect isolated <-> host
")]
fn seed_003_isolated_with_default_route(net: &Net) {
    assert_eq!(routes_of(net, "isolated")[0], "default via 10.200.1.1");
    tcp_exchange(net, "host", "10.200.1.1".parse().unwrap(), "isolated");
}

// seed 003's "more complex example": a router node between two subnets.
#[netns_test(topology = "
    node r forward
    a 10.0.1.2/24 -- r:left 10.0.1.1/24
    r:right 10.0.2.1/24 -- b 10.0.2.2/24
    route a default via 10.0.1.1
    route b default via 10.0.2.1
    expect a <-> b
")]
fn seed_003_router_between_subnets(net: &Net) {
    let fwd = net
        .node("r")
        .command("cat")
        .arg("/proc/sys/net/ipv4/ip_forward")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&fwd.stdout).trim(), "1");
    let routes = routes_of(net, "r");
    assert!(
        routes.contains(&"10.0.1.0/24 dev left".to_string()),
        "{routes:?}"
    );
    assert!(
        routes.contains(&"10.0.2.0/24 dev right".to_string()),
        "{routes:?}"
    );
    tcp_exchange(net, "b", "10.0.2.2".parse().unwrap(), "a");
}

// seed 004: ns0/ns1 over one veth, and ns0 on a bridge with its end named eth0.
#[netns_test(topology = "
    ns0:veth0 10.0.1.1/24 -- ns1:veth1 10.0.1.2/24
    bridge br0 10.0.2.254/24
    ns0:eth0 10.0.2.1/24 -- br0
    expect ns0 <-> ns1
    expect ns0 -> 10.0.2.254
")]
fn seed_004_veth_and_bridge(net: &Net) {
    assert_addrs(net, "ns0", "eth0", &["10.0.2.1/24"]);
    assert_addrs(net, "ns0", "veth0", &["10.0.1.1/24"]);
    udp_exchange(net, "ns1", "10.0.1.2".parse().unwrap(), "ns0");
}

// The seeds' own commands work inside the sandbox.
#[netns_test(topology = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24", checks = false)]
fn seed_commands_ip_netns(net: &Net) {
    let host = net.node("host");
    let list = host.command("ip").args(["netns", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains('a') && list.contains('b'),
        "ip netns list: {list}"
    );
    // `ip netns exec` enters the node and remounts /sys for it: /sys/class/net shows
    // b's links, not the host's.
    let sys = host
        .command("ip")
        .args(["netns", "exec", "b", "ls", "/sys/class/net"])
        .output()
        .unwrap();
    assert!(
        sys.status.success(),
        "ip netns exec b: {}",
        String::from_utf8_lossy(&sys.stderr)
    );
    let links = String::from_utf8_lossy(&sys.stdout);
    assert_eq!(
        links
            .split_whitespace()
            .filter(|l| !netns_test_tests::made_by_the_machine(l))
            .collect::<Vec<_>>(),
        ["eth0", "lo"],
        "{links}"
    );
    let addr = host
        .command("ip")
        .args(["-n", "b", "-br", "addr"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&addr.stdout).contains("10.0.0.2/24"));
}

// Commands start in the test's working directory (entering the mount namespace that
// holds /run/netns would move them to its root), or in the one given.
#[netns_test(topology = "a -- b", checks = false)]
fn commands_start_in_the_working_directory(net: &Net) {
    let pwd = |cmd: &mut std::process::Command| {
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{:?}", out);
        std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim_end())
    };
    let here = std::env::current_dir().unwrap();
    assert_eq!(pwd(&mut net.node("a").command("pwd")), here);
    assert_eq!(
        pwd(net.node("b").command("pwd").current_dir("/proc")),
        std::path::Path::new("/proc")
    );
    // `ip netns exec` is itself a command, in the same directory.
    assert_eq!(
        pwd(net
            .node("host")
            .command("ip")
            .args(["netns", "exec", "b", "pwd"])),
        here
    );
}

// A 64-node star on one bridge.
#[netns_test(topology_file = "topologies/star64.topo")]
fn star_of_64_nodes(net: &Net) {
    assert_eq!(net.nodes().len(), 65);
    tcp_exchange(net, "n64", net.node("n64").addr(), "n1");
}

// IPv6 only.
#[netns_test(topology = "a fd00:1::1/64 -- b fd00:1::2/64; expect a <-> b")]
fn ipv6_only(net: &Net) {
    assert_addrs(net, "a", "eth0", &["fd00:1::1/64"]);
    tcp_exchange(net, "b", "fd00:1::2".parse().unwrap(), "a");
}

// Dual stack.
#[netns_test(topology = "a 10.1.0.1/24 fd00:2::1/64 -- b 10.1.0.2/24 fd00:2::2/64")]
fn dual_stack(net: &Net) {
    assert_addrs(net, "b", "eth0", &["10.1.0.2/24", "fd00:2::2/64"]);
    udp_exchange(net, "b", "fd00:2::2".parse().unwrap(), "a");
    udp_exchange(net, "b", "10.1.0.2".parse().unwrap(), "a");
}

// Automatic addresses, exactly as the language assigns them.
#[netns_test(topology = "a -- b; c -- d")]
fn automatic_addressing(net: &Net) {
    assert_addrs(net, "a", "eth0", &["10.0.1.1/24", "fd00:1::1/64"]);
    assert_addrs(net, "b", "eth0", &["10.0.1.2/24", "fd00:1::2/64"]);
    assert_addrs(net, "d", "eth0", &["10.0.2.2/24", "fd00:2::2/64"]);
    tcp_exchange(net, "b", "10.0.1.2".parse().unwrap(), "a");
}

// MTU and sysctl options reach the kernel.
#[netns_test(topology = "
    node a sysctl net.ipv4.ip_default_ttl=7
    a 10.3.0.1/24 -- b 10.3.0.2/24 mtu 1400
    bridge br9 mtu 1300
    c 10.4.0.1/24 -- br9
")]
fn mtu_and_sysctls(net: &Net) {
    assert_eq!(link_of(net, "a", "eth0").1, 1400);
    assert_eq!(link_of(net, "b", "eth0").1, 1400);
    assert_eq!(link_of(net, "host", "br9").1, 1300);
    let ttl = net
        .node("a")
        .command("cat")
        .arg("/proc/sys/net/ipv4/ip_default_ttl")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&ttl.stdout).trim(), "7");
    let ttl_b = net
        .node("b")
        .command("cat")
        .arg("/proc/sys/net/ipv4/ip_default_ttl")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ttl_b.stdout).trim(),
        "64",
        "only node a changed"
    );
}
