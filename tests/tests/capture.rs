//! With capture on (`NETNS_TEST_CAPTURE=on-failure`), a failed test leaves a pcap
//! file per link end (and the report) in its forensics directory, and the failure
//! message names it. The files hold the packets of the
//! failure: here, the echo requests that got no reply.

use netns_test::{run, topology, CaptureMode, Options};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netns-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// (linktype, frames) of a pcap file, parsed by hand: the format is small and fixed.
fn read_pcap(path: &Path) -> (u32, Vec<Vec<u8>>) {
    let bytes = std::fs::read(path).unwrap();
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(
        word(0),
        0xa1b2_3c4d,
        "nanosecond pcap magic in {}",
        path.display()
    );
    assert_eq!(
        u16::from_le_bytes([bytes[4], bytes[5]]),
        2,
        "pcap major version"
    );
    let linktype = word(20);
    let mut frames = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let len = word(at + 8) as usize;
        assert_eq!(len, word(at + 12) as usize, "frames are stored whole");
        frames.push(bytes[at + 16..at + 16 + len].to_vec());
        at += 16 + len;
    }
    (linktype, frames)
}

/// An Ethernet frame carrying an IPv4 ICMP echo request to `dst`.
fn is_echo_request_to(frame: &[u8], dst: [u8; 4]) -> bool {
    frame.len() >= 34 + 8
        && frame[12..14] == [0x08, 0x00]
        && frame[14 + 9] == 1
        && frame[14 + 16..14 + 20] == dst
        && frame[34] == 8
}

#[test]
fn a_failed_test_leaves_pcaps_with_the_failed_echo_requests() {
    let dir = scratch("capture");
    let topo = topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24").unwrap();
    let on_failure = Options::new()
        .forensics_dir(&dir)
        .capture(CaptureMode::OnFailure);
    let err = run(&topo, on_failure, |net| {
        // b forgets its address; a still knows b's MAC, so echo requests go out and
        // nobody answers them.
        let b_mac = net.node("b").iface("eth0").mac_string();
        let sh = |node: &str, args: &[&str]| {
            assert!(net
                .node(node)
                .command("ip")
                .args(args)
                .status()
                .unwrap()
                .success());
        };
        sh(
            "a",
            &[
                "neigh",
                "replace",
                "10.0.0.2",
                "lladdr",
                &b_mac,
                "dev",
                "eth0",
                "nud",
                "permanent",
            ],
        );
        sh("b", &["addr", "flush", "dev", "eth0"]);
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&format!("forensics: {}", dir.display())),
        "{err}"
    );
    for name in ["a-eth0.pcap", "b-eth0.pcap", "report.txt"] {
        assert!(dir.join(name).exists(), "{name} in {}", dir.display());
    }
    let (linktype, frames) = read_pcap(&dir.join("a-eth0.pcap"));
    assert_eq!(linktype, 1, "Ethernet");
    let requests = frames
        .iter()
        .filter(|f| is_echo_request_to(f, [10, 0, 0, 2]))
        .count();
    assert!(
        requests >= 3,
        "the ring check's 3 echo requests in a-eth0.pcap, found {requests}"
    );
    let (_, at_b) = read_pcap(&dir.join("b-eth0.pcap"));
    assert!(
        at_b.iter().any(|f| is_echo_request_to(f, [10, 0, 0, 2])),
        "and they reached b"
    );
    let report = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    assert!(
        report.contains("ring check") && report.contains("node b:"),
        "{report}"
    );
    if let Ok(out) = std::process::Command::new("tshark")
        .arg("-r")
        .arg(dir.join("a-eth0.pcap"))
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("Echo (ping) request"),
            "tshark: {text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn passing_tests_write_nothing_unless_asked() {
    let topo = topology::parse("a -- b").unwrap();
    let quiet = scratch("quiet");
    let on_failure = Options::new()
        .forensics_dir(&quiet)
        .capture(CaptureMode::OnFailure);
    run(&topo, on_failure, |_| {}).unwrap();
    assert!(
        !quiet.exists(),
        "on-failure capture wrote files for a passing test"
    );
    let always = scratch("always");
    run(
        &topo,
        Options::new()
            .forensics_dir(&always)
            .capture(CaptureMode::Always),
        |_| {},
    )
    .unwrap();
    let (_, frames) = read_pcap(&always.join("a-eth0.pcap"));
    assert!(!frames.is_empty(), "the ring check's packets were captured");
    let _ = std::fs::remove_dir_all(&always);
}
