//! Link impairments for real, through the relay, rootless on any kernel: accuracy of
//! each impairment, reproducibility by seed, what a node sees of a splice, and
//! impairing at run time.

mod accuracy;
mod runtime;
mod seeds;
mod splice;
mod tcp;
mod udp;

/// Held by a test that measures time: such tests run one at a time, across processes
/// too (nextest runs each test in a process of its own), so that on a 2-core machine
/// they do not load each other's clocks. Taken inside the body; released when the
/// sandbox ends.
#[derive(Debug)]
pub struct OneAtATime(#[allow(dead_code)] std::fs::File);

pub fn one_at_a_time() -> OneAtATime {
    let path = std::env::temp_dir().join("netns-test-impair-timing.lock");
    // Read-only is enough for flock, and works on a file another user (root, in the
    // suite's first run) created.
    let file = std::fs::File::open(&path)
        .or_else(|_| {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
        })
        .unwrap_or_else(|e| panic!("opening {}: {e}", path.display()));
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor we own.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    assert_eq!(rc, 0, "locking {}", path.display());
    OneAtATime(file)
}
