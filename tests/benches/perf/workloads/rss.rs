//! Peak RSS (VmHWM): of the sandbox's worker, read inside the body, and of this process.

use netns_test::{Options, Topology};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

/// The sandbox worker's peak RSS in KiB, read inside the body (so: after the build,
/// before the checks) and sent back over a socket pair made before `run`: the body runs
/// in a forked process, so a captured variable could not carry it back.
pub fn child_peak_rss(topology: &Topology) -> Result<Option<u64>, String> {
    let (mut rx, tx) = UnixStream::pair().map_err(|e| format!("socketpair: {e}"))?;
    let (result, _) = netns_test::run_timed(topology, Options::new(), |_| {
        let kib = vm_hwm_kib("/proc/self/status").unwrap_or(0);
        (&tx).write_all(format!("{kib}\n").as_bytes())
    });
    result.map_err(|e| format!("netns-test run for the RSS probe failed: {e}"))?;
    drop(tx);
    // The worker wrote before it ended, so the bytes are already queued.
    rx.set_nonblocking(true)
        .map_err(|e| format!("socket: {e}"))?;
    let mut buf = [0u8; 64];
    let n = rx.read(&mut buf).unwrap_or(0);
    let kib = std::str::from_utf8(&buf[..n])
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&k| k > 0);
    if kib.is_none() {
        eprintln!("bench: the sandbox did not report its peak RSS");
    }
    Ok(kib)
}

pub fn vm_hwm_kib(status: &str) -> Option<u64> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
