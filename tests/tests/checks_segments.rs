//! The segment checks on bridges: every member against the segment's hub by default,
//! in frames linear in the number of members; every pair of members on request.
//! Each broken bridge network below must fail them, naming the member.

use netns_test::{netns_test, run, topology, Checks, Net, Options, Phase};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

fn topo(src: &str) -> topology::Topology {
    topology::parse(src).unwrap()
}

/// Four nodes on one bridge; n1 is the hub (the bridge has no address).
const STAR4: &str = "bridge br0
    n1 10.9.0.1/24 -- br0
    n2 10.9.0.2/24 -- br0
    n3 10.9.0.3/24 -- br0
    n4 10.9.0.4/24 -- br0";

fn failure(src: &str, checks: Checks, body: impl FnOnce(&Net)) -> String {
    let err =
        run(&topo(src), Options::new().checks(checks), body).expect_err("the checks must fail");
    assert_eq!(err.phase(), Phase::Checks, "{err}");
    err.to_string()
}

fn sh(net: &Net, node: &str, args: &[&str]) {
    let out = net
        .node(node)
        .command(args[0])
        .args(&args[1..])
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
}

#[test]
fn a_member_whose_port_is_down_fails_against_the_hub() {
    // n3's port on the bridge (the third: br0-p2) goes down in host.
    let msg = failure(STAR4, Checks::Hub, |net| {
        sh(net, "host", &["ip", "link", "set", "br0-p2", "down"])
    });
    assert!(
        msg.contains(
            "reachability check on segment 1 (br0): n3:eth0 10.9.0.3 -> n1:eth0 10.9.0.1: "
        ),
        "{msg}"
    );
    assert!(msg.contains("1 check failed"), "{msg}");
}

#[test]
fn a_member_that_left_the_bridge_fails() {
    let msg = failure(STAR4, Checks::Hub, |net| {
        sh(net, "host", &["ip", "link", "set", "br0-p3", "nomaster"])
    });
    assert!(
        msg.contains("reachability check on segment 1 (br0): n4:eth0 10.9.0.4 -> n1:eth0"),
        "{msg}"
    );
}

#[test]
fn a_member_without_its_address_fails() {
    let msg = failure(STAR4, Checks::Hub, |net| {
        sh(
            net,
            "n2",
            &["ip", "addr", "del", "10.9.0.2/24", "dev", "eth0"],
        )
    });
    // The hub reaches n2 first, by broadcast: that fails, and so does n2 -> hub.
    assert!(
        msg.contains("reachability check on segment 1 (br0): n1:eth0 10.9.0.1 -> n2:eth0 10.9.0.2"),
        "{msg}"
    );
    assert!(
        msg.contains("reachability check on segment 1 (br0): n2:eth0 10.9.0.2 -> n1:eth0"),
        "{msg}"
    );
}

#[test]
fn a_member_whose_mac_changed_is_caught_in_the_hubs_table() {
    let msg = failure(STAR4, Checks::Hub, |net| {
        sh(
            net,
            "n4",
            &["ip", "link", "set", "eth0", "address", "02:00:00:00:00:44"],
        )
    });
    // The hub learns n4's MAC from n4's own ARP request: not the one n4's link had
    // when it was built.
    assert!(
        msg.contains("neighbour check: n1 maps 10.9.0.4 to 02:00:00:00:00:44, but n4's eth0 has "),
        "{msg}"
    );
}

#[test]
fn a_hub_whose_mac_changed_fails_every_member_that_probes_it() {
    let msg = failure(STAR4, Checks::Hub, |net| {
        sh(
            net,
            "n1",
            &["ip", "link", "set", "eth0", "address", "02:00:00:00:00:11"],
        )
    });
    // n3 and n4 ask the MAC the hub's link was built with: nobody has it now.
    for m in ["n3:eth0 10.9.0.3", "n4:eth0 10.9.0.4"] {
        assert!(
            msg.contains(&format!(
                "reachability check on segment 1 (br0): {m} -> n1:eth0 10.9.0.1: "
            )),
            "{m}: {msg}"
        );
    }
}

#[test]
fn a_wrong_permanent_entry_in_the_hub_fails_that_member() {
    let msg = failure(STAR4, Checks::Hub, |net| {
        sh(
            net,
            "n1",
            &[
                "ip",
                "neigh",
                "replace",
                "10.9.0.3",
                "lladdr",
                "02:00:00:00:00:99",
                "dev",
                "eth0",
                "nud",
                "permanent",
            ],
        )
    });
    // The hub's echo reply goes to a MAC nobody has.
    assert!(
        msg.contains("reachability check on segment 1 (br0): n3:eth0 10.9.0.3 -> n1:eth0 10.9.0.1"),
        "{msg}"
    );
}

#[test]
fn the_bridge_is_the_hub_when_it_has_an_address() {
    let src = "bridge br0 10.9.0.254/24
        n1 10.9.0.1/24 -- br0
        n2 10.9.0.2/24 -- br0
        n3 10.9.0.3/24 -- br0";
    run(&topo(src), Options::new(), |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let msg = failure(src, Checks::Hub, |net| {
        sh(net, "n2", &["ip", "link", "set", "eth0", "down"])
    });
    assert!(
        msg.contains(
            "reachability check on segment 1 (br0): n2:eth0 10.9.0.2 -> host:br0 10.9.0.254: "
        ),
        "{msg}"
    );
}

/// Isolated bridge ports may talk to the others, not to each other: n3 and n4 reach
/// the hub, so the default passes; all pairs find them.
#[test]
fn all_pairs_checks_find_isolated_ports_the_default_does_not() {
    let isolate = |net: &Net| {
        for port in ["br0-p2", "br0-p3"] {
            sh(
                net,
                "host",
                &["bridge", "link", "set", "dev", port, "isolated", "on"],
            );
        }
    };
    run(&topo(STAR4), Options::new(), isolate).unwrap_or_else(|e| panic!("{e}"));
    let msg = failure(STAR4, Checks::AllPairs, isolate);
    for pair in [
        "n3:eth0 10.9.0.3 -> n4:eth0 10.9.0.4",
        "n4:eth0 10.9.0.4 -> n3:eth0 10.9.0.3",
    ] {
        assert!(
            msg.contains(&format!("reachability check on segment 1 (br0): {pair}: ")),
            "{pair}: {msg}"
        );
    }
    assert!(msg.contains("2 checks failed"), "{msg}");
}

#[netns_test(
    topology = "bridge br0; a -- br0; b -- br0; c -- br0",
    checks = "all-pairs"
)]
fn all_pairs_checks_pass_on_a_correct_bridge_from_the_macro() {}

#[test]
fn all_pairs_checks_refuse_more_entries_than_the_table_spares() {
    // 24 members: 24 x 23 = 552 IPv4 entries.
    let mut src = String::from("bridge br0\n");
    for i in 1..=24 {
        src.push_str(&format!("n{i} 10.9.0.{i}/24 -- br0\n"));
    }
    let err = run(&topo(&src), Options::new().checks(Checks::AllPairs), |_| {})
        .expect_err("the checks must refuse");
    let netns_test::Cause::Checks(failed) = err.cause() else {
        panic!("a failure of the checks: {err}");
    };
    assert_eq!(failed.len(), 1, "{err}");
    assert_eq!(failed[0].kind, netns_test::CheckKind::Plan);
    assert!(
        failed[0]
            .message
            .starts_with("all-pairs checks need 552 IPv4 neighbour entries"),
        "{err}"
    );
}

/// An AF_PACKET socket in `node` that receives the ARP frames arriving on its `eth0`.
fn arp_listener(net: &Net, node: &str) -> OwnedFd {
    listener(net, node, libc::ETH_P_ARP as u16)
}

/// An AF_PACKET socket in `node` that receives the frames of `ethertype` arriving on
/// its `eth0`.
fn listener(net: &Net, node: &str, ethertype: u16) -> OwnedFd {
    let index = net.node(node).iface("eth0").index as i32;
    let proto = ethertype.to_be();
    net.node(node).run(|| {
        // SAFETY: plain socket calls; the fd is owned at once.
        unsafe {
            let fd = libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                proto as i32,
            );
            assert!(fd >= 0, "{}", std::io::Error::last_os_error());
            let fd = OwnedFd::from_raw_fd(fd);
            let mut sll: libc::sockaddr_ll = std::mem::zeroed();
            sll.sll_family = libc::AF_PACKET as u16;
            sll.sll_protocol = proto;
            sll.sll_ifindex = index;
            let r = libc::bind(
                fd.as_raw_fd(),
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            );
            assert_eq!(r, 0, "{}", std::io::Error::last_os_error());
            fd
        }
    })
}

/// How many ARP requests for an address other than `own` have arrived since the last call.
fn requests_for_others(fd: &OwnedFd, own: [u8; 4]) -> usize {
    count_frames(fd, |frame| {
        let arp = &frame[14..];
        // operation 1 (request), target protocol address at 24..28
        arp.len() >= 28 && arp[6..8] == [0, 1] && arp[24..28] != own
    })
}

/// How many frames that `matches` has arrived since the last call.
fn count_frames(fd: &OwnedFd, matches: impl Fn(&[u8]) -> bool) -> usize {
    let mut n = 0;
    let mut buf = [0u8; 2048];
    loop {
        // SAFETY: reading into a stack buffer of its length.
        let len = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if len < 0 {
            return n;
        }
        if matches(&buf[..len as usize]) {
            n += 1;
        }
    }
}

/// The default checks of a 24-node star reach a member with one broadcast (the hub's
/// first resolution), where a broadcast per member would bring it 23.
#[test]
fn the_default_checks_flood_one_broadcast_per_segment() {
    let mut src = String::from("bridge br0\n");
    for i in 1..=24 {
        src.push_str(&format!("n{i} 10.9.0.{i}/24 -- br0\n"));
    }
    run(&topo(&src), Options::new().checks(false), |net| {
        let fd = arp_listener(net, "n24");
        let own = [10, 9, 0, 24];
        net.check().unwrap();
        let during_checks = requests_for_others(&fd, own);
        // The listener sees broadcasts: a first contact between two others is one.
        net.ping("n5", "n6").unwrap();
        let after_a_first_contact = requests_for_others(&fd, own);
        assert_eq!(after_a_first_contact, 1, "the listener missed a broadcast");
        assert!(
            during_checks <= 2,
            "{during_checks} ARP requests for others reached n24 during the checks"
        );
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The checks give back the neighbour entries their introductions made: the kernel's
/// table is one for the whole machine (1024 entries per family), and a large star's
/// 2(N−1) entries, still counted while the kernel frees its namespaces, overflowed it
/// for the next test. Entries the body made are left alone.
#[test]
fn the_checks_give_back_the_neighbour_entries_they_made() {
    run(&topo(STAR4), Options::new().checks(false), |net| {
        // The body talks to n1 from n4 first: those two entries are the body's.
        net.ping("n4", "n1").unwrap();
        net.check().unwrap();
        let ips = |node: &str| -> Vec<String> {
            let mut ips: Vec<String> = net
                .neighbours(node)
                .iter()
                .filter(|n| n.ip.is_ipv4())
                .map(|n| n.ip.to_string())
                .collect();
            ips.sort();
            ips
        };
        // n1 (the hub) resolved n2 by broadcast (its first probe), and n4 in the body.
        assert_eq!(ips("n1"), ["10.9.0.2", "10.9.0.4"]);
        // n2 learned n1 from that broadcast; n3 was introduced, and is given back.
        assert_eq!(ips("n2"), ["10.9.0.1"]);
        assert_eq!(ips("n3"), Vec::<String>::new());
        assert_eq!(ips("n4"), ["10.9.0.1"]);
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// How many neighbour solicitations for `own` sent to a multicast MAC have arrived
/// since the last call (IPv6 frames: ICMPv6 type 135 right after the fixed header).
fn multicast_solicitations_for(fd: &OwnedFd, own: std::net::Ipv6Addr) -> usize {
    count_frames(fd, |frame| {
        let (ip, icmp) = (14, 54);
        frame.len() >= icmp + 24
            && frame[0..2] == [0x33, 0x33]
            && frame[ip + 6] == 58
            && frame[icmp] == 135
            && frame[icmp + 8..icmp + 24] == own.octets()
    })
}

/// An IPv6 hub learns each member from a unicast solicitation too. The kernel sends
/// a member's re-confirming solicitation from its link-local address, so the hub does
/// not learn the member's global address from it: the checks give the hub a PROBE
/// entry of its own. Without it the hub resolved every member with a multicast
/// solicitation (and the checks waited a second for an entry that never came).
#[test]
fn an_ipv6_hub_resolves_its_members_without_multicast() {
    let src = "bridge br0
        n1 fd00::1/64 -- br0
        n2 fd00::2/64 -- br0
        n3 fd00::3/64 -- br0
        n4 fd00::4/64 -- br0";
    run(&topo(src), Options::new().checks(false), |net| {
        let fd = listener(net, "n3", libc::ETH_P_IPV6 as u16);
        let own: std::net::Ipv6Addr = "fd00::3".parse().unwrap();
        net.check().unwrap();
        let during_checks = multicast_solicitations_for(&fd, own);
        // A first contact does solicit by multicast: the listener sees it.
        net.ping("n4", "n3").unwrap();
        let after_a_first_contact = multicast_solicitations_for(&fd, own);
        assert_eq!(
            after_a_first_contact, 1,
            "the listener missed a solicitation"
        );
        assert_eq!(
            during_checks, 0,
            "the hub solicited n3's address by multicast during the checks"
        );
    })
    .unwrap_or_else(|e| panic!("{e}"));
}
