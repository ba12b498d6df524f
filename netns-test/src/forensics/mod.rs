//! What a failed test leaves for its developer: the capture and the report on disk
//! (NETNS_TEST_CAPTURE), and the sandbox itself, kept alive to be entered
//! (NETNS_TEST_KEEP).

use crate::{error, sandbox, topology, Net};

/// AF_PACKET capture of every link end, written as pcap files.
pub(crate) mod capture;
use std::time::Instant;

/// Writes the capture (a pcap file per link end) and the report under `dir`; returns
/// the line the failure message ends with.
pub(crate) fn save(
    net: &Net,
    capture: &capture::Capture,
    dir: &std::path::Path,
    failure: Option<&str>,
) -> String {
    let report = match failure {
        // A failed check's message already carries every node's state.
        Some(f) if f.contains("\nnode host:") => f.to_string(),
        Some(f) => format!("{f}\n\n{}", net.report()),
        None => net.report(),
    };
    let written = capture
        .write(dir)
        .and_then(|files| std::fs::write(dir.join("report.txt"), report).map(|()| files.len()));
    match written {
        Ok(n) => format!(
            "\n\nforensics: {} ({n} pcap files, one per link end, and report.txt)",
            dir.display()
        ),
        Err(e) => format!("\n\nforensics: could not write to {}: {e}", dir.display()),
    }
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
