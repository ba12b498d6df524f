//! Peak RSS (VmHWM): of the sandbox's worker, read inside the body, and of this process.

use netns_test::{Options, Topology};

/// The sandbox worker's peak RSS in KiB, read inside the body (so: after the build,
/// before the checks) and written to a file the bench names: the body runs in a forked
/// process, so a captured variable could not carry it back, and it gets none of the
/// test process's descriptors (a socket pair made before `run` is closed in it).
pub fn child_peak_rss(topology: &Topology) -> Result<Option<u64>, String> {
    let path = std::env::temp_dir().join(format!("netns-test-bench-rss-{}", std::process::id()));
    std::fs::write(&path, "").map_err(|e| format!("{}: {e}", path.display()))?;
    let target = path.clone();
    let (result, _) = netns_test::run_timed(topology, Options::new(), move |_| {
        let kib = vm_hwm_kib("/proc/self/status").unwrap_or(0);
        std::fs::write(&target, format!("{kib}\n"))
    });
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    result.map_err(|e| format!("netns-test run for the RSS probe failed: {e}"))?;
    let kib = text.trim().parse::<u64>().ok().filter(|&k| k > 0);
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
