//! How the sandbox reports every way a body can end, through `netns_test::run`.

use netns_test::{run, topology, Cause, Options, Phase};
use std::time::Duration;

fn pair() -> topology::Topology {
    topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24").unwrap()
}

#[test]
fn a_passing_body_passes() {
    run(&pair(), Options::new(), |net| {
        assert_eq!(net.node("a").addr().to_string(), "10.0.0.1");
    })
    .unwrap();
}

#[test]
fn a_panic_fails_in_phase_body_with_its_message() {
    let err = run(&pair(), Options::new(), |_| -> () {
        panic!("boom at the server")
    })
    .unwrap_err();
    assert_eq!(err.phase(), Phase::Body);
    let here = format!("{}:{}:9", file!(), line!() - 4);
    assert_eq!(
        err.cause(),
        &Cause::Panicked {
            message: "boom at the server".into(),
            location: here.clone()
        }
    );
    assert_eq!(
        err.headline(),
        format!("the body panicked at {here}:\nboom at the server")
    );
    assert!(
        err.details().starts_with("in phase body\ndiagram:\n"),
        "{err}"
    );
}

/// A panic inside `node.run` is reported where it happened, and a panic of another
/// thread of the sandbox is listed beside it.
#[test]
fn panics_of_other_threads_are_reported_where_they_happened() {
    let err = run(&pair(), Options::new(), |net| {
        let _ = std::thread::spawn(|| panic!("a helper gave up")).join();
        net.node("b").run(|| -> () { panic!("inside b") });
    })
    .unwrap_err();
    let line = line!() - 4;
    assert_eq!(
        err.cause(),
        &Cause::Panicked {
            message: "inside b".into(),
            location: format!("{}:{}:38", file!(), line + 1),
        }
    );
    let also = format!(
        "also: thread '<unnamed>' panicked at {}:{line}:39: a helper gave up",
        file!()
    );
    assert!(err.to_string().contains(&also), "{err}");
}

#[test]
fn an_err_fails_with_its_debug_form() {
    let err = run(&pair(), Options::new(), |_| {
        Err::<(), _>(std::io::Error::other("refused"))
    })
    .unwrap_err();
    assert_eq!(err.phase(), Phase::Body);
    assert!(
        err.to_string()
            .contains(r#"the body returned Err: Custom { kind: Other, error: "refused" }"#),
        "{err}"
    );
}

#[test]
fn abort_is_reported_as_sigabrt() {
    let err = run(&pair(), Options::new(), |_| -> () { std::process::abort() }).unwrap_err();
    assert_eq!(
        err.cause(),
        &Cause::Killed {
            signal: "SIGABRT".into()
        }
    );
    assert_eq!(err.phase(), Phase::Body);
}

#[test]
fn a_segfault_is_reported_as_sigsegv() {
    let err = run(&pair(), Options::new(), |_| {
        // SAFETY: not safe at all: this test wants the crash.
        unsafe { std::ptr::null_mut::<u8>().write_volatile(1) };
    })
    .unwrap_err();
    assert_eq!(
        err.cause(),
        &Cause::Killed {
            signal: "SIGSEGV".into()
        }
    );
    assert_eq!(err.phase(), Phase::Body);
}

#[test]
fn process_exit_is_reported_with_its_code() {
    for code in [3, 0] {
        let err = run(&pair(), Options::new(), |_| -> () {
            std::process::exit(code)
        })
        .unwrap_err();
        assert_eq!(
            err.cause(),
            &Cause::Exited { code },
            "exit({code}) is no pass: the body never returned"
        );
        assert_eq!(err.phase(), Phase::Body);
    }
}

#[test]
fn a_hang_times_out_in_its_phase() {
    let started = std::time::Instant::now();
    let err = run(
        &pair(),
        Options::new().timeout(Duration::from_millis(300)),
        |_| -> () {
            loop {
                std::thread::park();
            }
        },
    )
    .unwrap_err();
    assert_eq!(err.headline(), "timed out after 300ms in phase body");
    assert!(started.elapsed() < Duration::from_secs(5));
}

// Processes left running on purpose: the sandbox must end them.
#[allow(clippy::zombie_processes)]
#[test]
fn background_processes_die_with_the_sandbox() {
    // A process that would outlive the test by a minute, started inside a node.
    let marker = format!("netns-test-bg-{}", std::process::id());
    run(&pair(), Options::new(), |net| {
        net.node("a")
            .command("bash")
            .args(["-c", &format!("exec -a {marker} sleep 60")])
            .spawn()
            .unwrap();
        let running = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(5));
            let ps = std::process::Command::new("pgrep")
                .args(["-f", &marker])
                .output()
                .unwrap();
            !ps.stdout.is_empty()
        });
        assert!(running, "the background process started");
    })
    .unwrap();
    let ps = std::process::Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .unwrap();
    assert!(
        ps.stdout.is_empty(),
        "left behind: {}",
        String::from_utf8_lossy(&ps.stdout)
    );
}

#[test]
fn a_build_error_names_the_node_the_object_and_the_step() {
    // The language accepts any `net.*` key; the kernel knows which exist.
    let topo = topology::parse("node a sysctl net.ipv4.no_such_knob=1; a -- b").unwrap();
    let err = run(&topo, Options::new(), |_| {}).unwrap_err();
    assert_eq!(err.phase(), Phase::Build);
    let msg = err.to_string();
    assert!(msg.contains("building node a"), "{msg}");
    assert!(msg.contains("/proc/sys/net/ipv4/no_such_knob"), "{msg}");
}

#[test]
fn the_body_runs_in_host_by_default_and_in_the_chosen_node_with_node() {
    fn links_here() -> String {
        std::fs::read_to_string("/proc/thread-self/net/dev").unwrap()
    }
    run(&pair(), Options::new(), |_| {
        let dev = links_here();
        assert!(!dev.contains("eth0"), "host has no eth0: {dev}");
    })
    .unwrap();
    run(&pair(), Options::new().node("b"), |_| {
        let dev = links_here();
        assert!(dev.contains("eth0"), "inside b: {dev}");
    })
    .unwrap();
}

#[test]
fn node_api_run_spawn_command_netlink() {
    run(&pair(), Options::new(), |net| {
        let b = net.node("b");
        assert_eq!(b.iface("eth0").addrs[0].to_string(), "10.0.0.2/24");
        assert_ne!(b.iface("eth0").mac, [0; 6]);
        // After lo (and after any link the machine gives a new namespace).
        assert!(b.iface("eth0").index >= 2, "{}", b.iface("eth0").index);
        // run: a thread inside b sees b's links.
        let dev = b.run(|| std::fs::read_to_string("/proc/thread-self/net/dev").unwrap());
        assert!(dev.contains("eth0"));
        // spawn: a future on b's runtime binds b's address.
        let joined = net
            .block_on(b.spawn(async { tokio::net::UdpSocket::bind("10.0.0.2:9").await.is_ok() }));
        assert!(joined.unwrap(), "a socket bound to b's address inside b");
        // netlink: the handle lists b's links.
        let handle = b.netlink();
        let names = net.block_on(async move {
            use futures_util::TryStreamExt;
            handle
                .link()
                .get()
                .execute()
                .try_collect::<Vec<_>>()
                .await
                .unwrap()
                .iter()
                .filter(|l| !l.attributes.iter().any(|a| matches!(a, netlink_packet_route::link::LinkAttribute::IfName(n) if netns_test_tests::made_by_the_machine(n))))
                .count()
        });
        assert_eq!(names, 2, "lo and eth0");
        // command: starts inside b.
        let out = b.command("cat").arg("/proc/net/dev").output().unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("eth0"));
    })
    .unwrap();
}

/// The handle `Node::netlink` gives out is served by the node's own runtime: it
/// answers on another thread and runtime while the body's thread only waits.
#[test]
fn a_netlink_handle_answers_while_the_body_blocks() {
    run(&pair(), Options::new(), |net| {
        let handle = net.node("b").netlink();
        let links = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                use futures_util::TryStreamExt;
                handle.link().get().execute().try_collect::<Vec<_>>().await
            })
        })
        .join()
        .unwrap()
        .unwrap();
        let ours = links
            .iter()
            .filter(|l| {
                let name = l.attributes.iter().find_map(|a| match a {
                    netlink_packet_route::link::LinkAttribute::IfName(n) => Some(n.as_str()),
                    _ => None,
                });
                !name.is_some_and(netns_test_tests::made_by_the_machine)
            })
            .count();
        assert_eq!(ours, 2, "lo and eth0");
    })
    .unwrap();
}

#[test]
#[should_panic(expected = "no node \"zz\" in this topology; nodes: host, a, b")]
fn an_unknown_node_name_lists_the_nodes() {
    if let Err(e) = run(&pair(), Options::new(), |net| {
        net.node("zz");
    }) {
        panic!("{e}");
    }
}

/// A sandbox's bridges are plain bridges whether or not the host loaded br_netfilter
/// (Docker does): their frames skip netfilter unless a node's `sysctl` asks for it.
#[test]
fn bridges_skip_netfilter_unless_a_node_asks() {
    let topo = topology::parse(
        "bridge br0\n\
         bridge br1 @n\n\
         a -- br0\n\
         b -- br1",
    )
    .unwrap();
    let hooks = |net: &netns_test::Net, node: &str| {
        net.node(node).run(|| {
            std::fs::read_to_string("/proc/sys/net/bridge/bridge-nf-call-iptables")
                .map(|s| s.trim().to_string())
        })
    };
    let loaded = std::path::Path::new("/proc/sys/net/bridge").exists();
    run(&topo, Options::new(), |net| {
        for node in ["host", "n"] {
            match hooks(net, node) {
                Ok(on) => assert_eq!(on, "0", "bridge-nf-call-iptables in {node}"),
                Err(e) => assert!(!loaded, "br_netfilter is loaded, yet: {e}"),
            }
        }
    })
    .unwrap();
    // The half that needs the module fails where it is missing, rather than passing
    // without having run.
    assert!(
        loaded,
        "br_netfilter is not loaded on this machine, so a node's own \
         net.bridge.bridge-nf-call-iptables cannot be tested: `modprobe br_netfilter`"
    );
    let asked = topology::parse(
        "node n sysctl net.bridge.bridge-nf-call-iptables=1\n\
         bridge br1 @n\n\
         b -- br1",
    )
    .unwrap();
    run(&asked, Options::new(), |net| {
        assert_eq!(hooks(net, "n").unwrap(), "1");
    })
    .unwrap();
}

/// A node gets IPv6 link-local addresses where the topology gives it IPv6, or where
/// its own `sysctl` asks for them; an IPv4-only node keeps IPv6 on (a test may add an
/// address) but sends no link-local chatter: no MLD report floods a bridge.
#[test]
fn link_local_addresses_only_where_ipv6_is_declared() {
    let topo = topology::parse(
        "node e sysctl net.ipv6.conf.default.addr_gen_mode=0\n\
         bridge br0\n\
         a 10.0.0.1/24 -- br0\n\
         b 10.0.0.2/24 -- br0\n\
         c fd00::1/64 -- d fd00::2/64\n\
         e 10.0.1.1/24 -- f 10.0.1.2/24",
    )
    .unwrap();
    run(&topo, Options::new(), |net| {
        let eth0 = |node: &str| {
            net.node(node).run(|| {
                let inet6 = std::fs::read_to_string("/proc/thread-self/net/if_inet6").unwrap();
                let link_local = inet6
                    .lines()
                    .any(|l| l.starts_with("fe80") && l.ends_with(" eth0"));
                let disabled =
                    std::fs::read_to_string("/proc/sys/net/ipv6/conf/eth0/disable_ipv6").unwrap();
                (link_local, disabled.trim() == "1")
            })
        };
        for (node, link_local) in [
            ("a", false),
            ("b", false),
            ("c", true),
            ("e", true),
            ("f", false),
        ] {
            assert_eq!(
                eth0(node),
                (link_local, false),
                "{node}: (link-local, IPv6 disabled)"
            );
        }
        // The bridge's own namespace has no address of the topology's either.
        let bridge = net.node("host").run(|| {
            std::fs::read_to_string("/proc/thread-self/net/if_inet6")
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("fe80"))
                .count()
        });
        assert_eq!(bridge, 0, "link-local addresses in the bridges' namespace");
    })
    .unwrap();
}

/// Every node's `lo` is up, the sandbox's own (`host`) included: a TCP exchange over
/// 127.0.0.1 and ::1 works inside each.
#[test]
fn every_node_has_loopback_up() {
    run(&pair(), Options::new(), |net| {
        for node in net.nodes() {
            node.run(|| {
                for ip in ["127.0.0.1", "[::1]"] {
                    let server = std::net::TcpListener::bind(format!("{ip}:0"))
                        .unwrap_or_else(|e| panic!("{}: bind {ip}: {e}", node.name()));
                    let to = server.local_addr().unwrap();
                    let mut client = std::net::TcpStream::connect(to)
                        .unwrap_or_else(|e| panic!("{}: connect {to}: {e}", node.name()));
                    let (mut accepted, _) = server.accept().unwrap();
                    use std::io::{Read, Write};
                    client.write_all(b"lo").unwrap();
                    let mut got = [0u8; 2];
                    accepted.read_exact(&mut got).unwrap();
                    assert_eq!(&got, b"lo");
                }
            });
        }
    })
    .unwrap();
}
