//! A sandbox forked while other threads of the test process are inside std's panic
//! and backtrace machinery (with RUST_BACKTRACE=1) still reports its own panic: the
//! worker's panic hook takes none of std's locks (`sandbox/panics.rs`). With std's
//! default hook in the child, such a body panic waited for a lock that no thread of
//! the child would ever release, and the test failed as a timeout.
//!
//! The only test of its binary: it sets RUST_BACKTRACE before any thread exists.

use netns_test::{run, topology, Cause, Options};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn body_panics_beside_threads_that_panic_and_take_backtraces() {
    // SAFETY (edition 2024 wording): no other thread exists yet.
    std::env::set_var("RUST_BACKTRACE", "1");
    let stop = Arc::new(AtomicBool::new(false));
    let noisy: Vec<_> = (0..2)
        .map(|t| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if t == 0 {
                        // Holds std's backtrace lock while it resolves symbols.
                        let bt = std::backtrace::Backtrace::force_capture();
                        std::hint::black_box(bt.to_string());
                    } else {
                        // std's hook: output lock, backtrace lock.
                        let _ = std::panic::catch_unwind(|| panic!("noise"));
                    }
                }
            })
        })
        .collect();
    let topo = topology::parse("a -- b").unwrap();
    for i in 0..150 {
        let opts = Options::new()
            .checks(false)
            .timeout(Duration::from_secs(20));
        let err = run(&topo, opts, |_| -> () { panic!("planned {i}") }).unwrap_err();
        match err.cause() {
            Cause::Panicked { message, .. } => assert_eq!(message, &format!("planned {i}")),
            other => panic!("run {i}: {other:?}\n{err}"),
        }
        assert!(
            err.backtrace().is_some(),
            "run {i}: RUST_BACKTRACE=1 asks for one"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for t in noisy {
        t.join().unwrap();
    }
}
