//! What a failed test leaves for its developer: the report (`report.txt`,
//! `report.html`) beside the capture (`capture.pcapng`, written by the sandbox
//! process), and the sandbox itself, kept alive to be entered (NETNS_TEST_KEEP).

use crate::{error, sandbox, topology, Error, Net};

/// AF_PACKET capture of every namespace's link ends.
pub(crate) mod capture;
/// The capture file's format.
pub(crate) mod pcapng;
use std::time::Instant;

/// Writes `report.txt` (the whole failure as the test prints it) and `report.html`
/// into `dir`, and records `dir` in the error's report first, so both name it.
pub(crate) fn write_report(dir: &std::path::Path, error: &mut Error) -> Result<(), String> {
    let Some(report) = error.report.as_mut() else {
        return Ok(());
    };
    report.forensics = Some(Ok(dir.to_path_buf()));
    let captured = report.capture.is_some();
    let text = format!("{error}\n");
    let html = error
        .report
        .as_ref()
        .map(|r| r.html(&error.headline()))
        .unwrap_or_default();
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        if !captured {
            // An earlier failure's packets would pass for this one's.
            let _ = std::fs::remove_file(dir.join(pcapng::CAPTURE_FILE));
        }
        std::fs::write(dir.join("report.txt"), text)?;
        std::fs::write(dir.join("report.html"), html)
    };
    write().map_err(|e| format!("writing to {}: {e}", dir.display()))
}

/// NETNS_TEST_KEEP: the failed sandbox stays up (until the bound, or until the test
/// process is interrupted, which takes the sandbox with it) and says how to enter it.
pub(crate) fn keep_for_a_developer(
    net: &Net,
    reporter: &sandbox::Reporter,
    test: Option<&str>,
    why: &str,
    keep: std::time::Duration,
) {
    // The worker's pid as the host sees it: the first of /proc/self/status's NSpid.
    let pid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("NSpid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .unwrap_or_else(|| "?".into());
    let enter = format!("nsenter --target {pid} --user --mount --preserve-credentials");
    let mut how = format!(
        "\nnetns-test: NETNS_TEST_KEEP: the sandbox of failed test {} stays up for {} (Ctrl-C ends it).\n\
         failure: {}\nenter a node:\n",
        test.unwrap_or("(unnamed)"),
        error::human(keep),
        why.lines().next().unwrap_or("")
    );
    for node in net.nodes() {
        let net_ns = if node.name() == topology::HOST {
            "--net".to_string()
        } else {
            format!("--net=/proc/{pid}/fd/{}", node.ns_fd())
        };
        how.push_str(&format!("  {:<8} {enter} {net_ns}\n", node.name()));
    }
    reporter.keep(keep.as_secs(), how);
    let until = Instant::now() + keep;
    while Instant::now() < until {
        std::thread::sleep(until - Instant::now());
    }
}
