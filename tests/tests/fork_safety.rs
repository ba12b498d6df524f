//! The forked child takes no lock another thread of the test process may hold: 1000
//! sandboxed runs while other threads allocate, print, panic with backtraces, set
//! environment variables, spawn commands and run `tokio::process` children; the
//! sandboxes spawn commands, read the environment, take tokio signals and panic.
//! Nothing hangs, and every body's panic is reported as a panic, not a timeout.
//!
//! The only test of its binary: it sets RUST_BACKTRACE before any thread exists.

use netns_test::{run, topology, CaptureMode, Cause, Options};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the other threads of the test process do while sandboxes fork. What they
/// print is captured by libtest for the whole run: they hold std's output locks
/// without printing, and panic (std's hook prints a backtrace) every few ms.
fn noise(t: usize, stop: &AtomicBool, rounds: &AtomicU64) {
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let v: Vec<u64> = (0..256).map(|x| x * n).collect();
        n = n.wrapping_add(v[255]);
        let mut pause = Duration::from_micros(50);
        match t {
            // Hold std's stdout and stderr locks for a while, as a printing or
            // --nocapture run does.
            0 => {
                let out = std::io::stdout().lock();
                std::hint::black_box(&v);
                drop(out);
            }
            1 => {
                let err = std::io::stderr().lock();
                std::hint::black_box(&v);
                drop(err);
            }
            // std's hook with RUST_BACKTRACE=1: output lock, backtrace lock.
            2 => {
                let _ = std::panic::catch_unwind(|| panic!("noise"));
                pause = Duration::from_millis(5);
            }
            // std's backtrace lock, held while symbols are resolved.
            3 => {
                let bt = std::backtrace::Backtrace::force_capture();
                std::hint::black_box(bt.to_string());
            }
            // std's environment lock, for writing.
            // SAFETY (edition 2024 wording): every reader in this process goes
            // through std, which takes the same lock.
            4 => std::env::set_var("NETNS_TEST_NOISE", n.to_string()),
            // ... and for reading, around a fork and exec.
            5 => {
                let _ = std::process::Command::new("true").status();
                pause = Duration::from_millis(1);
            }
            _ => unreachable!(),
        }
        rounds.fetch_add(1, Ordering::Relaxed);
        // A breath between rounds: the machine has two cores, and the sandboxes must
        // still get their share.
        std::thread::sleep(pause);
    }
}

#[test]
fn a_thousand_runs_beside_threads_that_panic_set_the_environment_and_spawn() {
    // SAFETY (edition 2024 wording): no other thread exists yet.
    std::env::set_var("RUST_BACKTRACE", "1");
    let stop = Arc::new(AtomicBool::new(false));
    let rounds = Arc::new(AtomicU64::new(0));
    // A hang must fail the test, not the CI job: a watchdog ends the process.
    let done = Arc::new(AtomicBool::new(false));
    {
        let done = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(600));
            if !done.load(Ordering::SeqCst) {
                eprintln!("fork safety: the runs hung (a lock held across fork?)");
                std::process::exit(1);
            }
        });
    }
    let noisy: Vec<_> = (0..6)
        .map(|t| {
            let (stop, rounds) = (stop.clone(), rounds.clone());
            std::thread::spawn(move || noise(t, &stop, &rounds))
        })
        .collect();
    // tokio::process in the test process: its SIGCHLD handler runs, its children
    // are reaped, and dropped ones are queued as orphans.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let tokio_noise = {
        let stop = stop.clone();
        rt.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let status = tokio::process::Command::new("true").status().await;
                assert!(status.unwrap().success());
            }
        })
    };

    let topo = topology::parse("a -- b").unwrap();
    for i in 0..1000 {
        let opts = Options::new()
            .checks(false)
            .capture(CaptureMode::Never)
            .timeout(Duration::from_secs(30));
        let result = run(&topo, opts, |net| {
            // The environment lock, for reading and around a fork and exec.
            let _ = std::env::var("NETNS_TEST_NOISE");
            if i % 5 == 0 {
                let status = net.node("a").command("true").status().unwrap();
                assert!(status.success(), "run {i}: true failed");
            }
            if i % 10 == 3 {
                net.block_on(async {
                    use tokio::signal::unix::{signal, SignalKind};
                    let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
                    // SAFETY: SIGUSR1 to this process, which tokio handles now.
                    unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
                    usr1.recv().await;
                    let done = net.node("b").tokio_command("true").status().await;
                    assert!(done.unwrap().success());
                });
            }
            if i % 10 == 7 {
                panic!("planned {i}");
            }
            println!("child {i}");
        });
        match (i % 10 == 7, result) {
            (false, Ok(())) => {}
            (true, Err(e)) => match e.cause() {
                Cause::Panicked { message, .. } => {
                    assert_eq!(message, &format!("planned {i}"));
                    assert!(
                        e.backtrace().is_some(),
                        "run {i}: RUST_BACKTRACE=1 asks for one"
                    );
                }
                other => panic!("run {i}: a panic reported as {other:?}\n{e}"),
            },
            (_, result) => panic!("run {i}: {result:?}"),
        }
    }
    done.store(true, Ordering::SeqCst);
    stop.store(true, Ordering::Relaxed);
    for t in noisy {
        t.join().unwrap();
    }
    rt.block_on(tokio_noise).unwrap();
    assert!(rounds.load(Ordering::Relaxed) > 1000, "the noise ran");
}
