//! Nothing leaks: after hundreds of runs that pass, panic, return Err, abort, crash,
//! time out and start background processes, the test process has the same fds and
//! threads and no zombies, and the host's links and /run/netns are unchanged.
//!
//! The only test of its binary: another test running beside it would open fds.

use netns_test::{run, topology, Options};
use netns_test_tests::process::{children, fds, threads};
use std::time::Duration;

/// The host's links and addresses as iproute2 shows them, and /run/netns.
fn host_network() -> String {
    let ip = |args: &[&str]| {
        let out = std::process::Command::new("ip")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let netns = std::fs::read_dir("/run/netns")
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    format!(
        "{}\n{}\n{netns}",
        ip(&["-br", "link"]),
        ip(&["-br", "addr"])
    )
}

// Processes left running on purpose: the sandbox must end them.
#[allow(clippy::zombie_processes)]
#[test]
fn five_hundred_runs_leak_nothing() {
    let line = topology::parse("a -- b").unwrap();
    // Five namespaces with links: the sandbox process closes their capture sockets on
    // threads of its own (`release::Closer`), which must leave nothing behind either.
    let star = topology::parse("bridge br0; a -- br0; b -- br0; c -- br0; d -- br0").unwrap();
    // Warm up once: the first run starts std's and tokio's lazily made globals.
    run(&line, Options::new(), |_| {}).unwrap();
    let (fds0, threads0, host0) = (fds(), threads(), host_network());

    for i in 0..500 {
        // Every third decade of runs on the star: each way of ending, with and
        // without checks, on both.
        let topo = if (i / 10) % 3 == 2 { &star } else { &line };
        let opts = Options::new()
            .timeout(Duration::from_secs(20))
            .checks(i % 2 == 0);
        let result = match i % 10 {
            0 => run(topo, opts, |_| -> () { panic!("planned panic") }),
            1 => run(topo, opts, |_| Err::<(), _>("planned error")),
            2 => run(topo, opts, |_| -> () { std::process::abort() }),
            3 => run(topo, opts, |_| {
                // SAFETY: not safe: the crash is the point.
                unsafe { std::ptr::null_mut::<u8>().write_volatile(1) }
            }),
            4 => run(topo, opts.timeout(Duration::from_millis(100)), |_| -> () {
                loop {
                    std::thread::park();
                }
            }),
            5 => run(topo, opts, |net| {
                net.node("a").command("sleep").arg("600").spawn().unwrap();
                net.node("b")
                    .command("sh")
                    .args(["-c", "sleep 600 & sleep 600"])
                    .spawn()
                    .unwrap();
            }),
            _ => run(topo, opts, |net| {
                print!("out {i}");
                eprint!("err {i}");
                net.ping("a", "b").unwrap();
            }),
        };
        assert_eq!(result.is_ok(), i % 10 >= 5, "run {i}: {result:?}");
    }

    assert_eq!(fds(), fds0, "open fds of the test process");
    assert_eq!(threads(), threads0, "threads of the test process");
    // A sandbox says its verdict before it exits (it still closes its capture sockets,
    // which waits for RCU grace periods): the harness's reaper thread waits for it.
    // Wait for the kernel to show none left, a few seconds at most.
    let mut left = children();
    for wait_ms in (0..40).map(|i| 1u64 << (i / 4).min(7)) {
        if left.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(wait_ms));
        left = children();
    }
    assert_eq!(left, "", "children left (zombies or alive)");
    assert_eq!(
        host_network(),
        host0,
        "the host's links, addresses and /run/netns"
    );
}
