//! The forked child takes no lock another thread of the test process may hold: 1000
//! sandboxed runs while other threads allocate and print as fast as they can.

use netns_test::{run, topology, Options};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn a_thousand_runs_beside_threads_that_allocate_and_print() {
    let stop = Arc::new(AtomicBool::new(false));
    // A hang must fail the test, not the CI job: a watchdog ends the process.
    let done = Arc::new(AtomicBool::new(false));
    {
        let done = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(240));
            if !done.load(Ordering::SeqCst) {
                eprintln!("fork safety: the runs hung (a lock held across fork?)");
                std::process::exit(1);
            }
        });
    }
    let noisy: Vec<_> = (0..3)
        .map(|t| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let v: Vec<u64> = (0..256).map(|x| x * n).collect();
                    n = n.wrapping_add(v[255]);
                    match t {
                        0 => println!("noise {n}"),
                        1 => eprintln!("noise {n}"),
                        // Holds std's stdout lock for a while, as a --nocapture run
                        // does (writing nothing: outside libtest's capture it would
                        // flood the terminal).
                        _ => {
                            let out = std::io::stdout().lock();
                            std::hint::black_box(&v);
                            drop(out);
                        }
                    }
                }
            })
        })
        .collect();

    let topo = topology::parse("a -- b").unwrap();
    for i in 0..1000 {
        run(&topo, Options::new().checks(false), |_| {
            let v: Vec<String> = (0..64).map(|x| format!("{x}")).collect();
            println!("child {i} {}", v.len());
        })
        .unwrap_or_else(|e| panic!("run {i}: {e}"));
    }
    done.store(true, Ordering::SeqCst);
    stop.store(true, Ordering::Relaxed);
    for t in noisy {
        t.join().unwrap();
    }
}
