//! Capture is on by default (`NETNS_TEST_CAPTURE=on-failure`): a failed test leaves one
//! pcapng file, `capture.pcapng`, beside `report.txt` and `report.html`, with one
//! interface per link end named `node:iface` and the frames in time order. Here it
//! holds the packets of the failure: the echo requests that got no reply. The file is
//! read back with the `pcap-file` crate, and by `tshark` where it is installed.

use netns_test::{run, topology, CaptureMode, Net, Options};
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netns-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// What a pcapng file holds: interface names, and (interface, timestamp, frame).
struct Pcapng {
    ifaces: Vec<String>,
    frames: Vec<(usize, Duration, Vec<u8>)>,
}

impl Pcapng {
    fn read(path: &Path) -> Pcapng {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = PcapNgReader::new(file).expect("a pcapng section header");
        let mut out = Pcapng {
            ifaces: Vec::new(),
            frames: Vec::new(),
        };
        while let Some(block) = reader.next_block() {
            match block.expect("a well-formed block") {
                Block::InterfaceDescription(idb) => {
                    assert_eq!(idb.linktype, pcap_file::DataLink::ETHERNET);
                    let name = idb.options.iter().find_map(|o| match o {
                        InterfaceDescriptionOption::IfName(n) => Some(n.to_string()),
                        _ => None,
                    });
                    out.ifaces.push(name.expect("every interface is named"));
                }
                Block::EnhancedPacket(p) => {
                    out.frames
                        .push((p.interface_id as usize, p.timestamp, p.data.into_owned()));
                }
                _ => {}
            }
        }
        out
    }

    fn on(&self, iface: &str) -> Vec<&[u8]> {
        let i = self.ifaces.iter().position(|n| n == iface).unwrap();
        self.frames
            .iter()
            .filter(|(f, ..)| *f == i)
            .map(|(_, _, d)| d.as_slice())
            .collect()
    }
}

/// An Ethernet frame carrying an IPv4 ICMP echo request to `dst`.
fn is_echo_request_to(frame: &[u8], dst: [u8; 4]) -> bool {
    frame.len() >= 34 + 8
        && frame[12..14] == [0x08, 0x00]
        && frame[14 + 9] == 1
        && frame[14 + 16..14 + 20] == dst
        && frame[34] == 8
}

/// b forgets its address; a still knows b's MAC, so the segment check's echo requests go
/// out and nobody answers them.
fn b_goes_silent(net: &Net) {
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
}

#[test]
fn a_failed_test_leaves_one_pcapng_with_the_failed_echo_requests() {
    let dir = scratch("capture");
    let topo = topology::parse("a 10.0.0.1/24 -- b 10.0.0.2/24").unwrap();
    // No capture option: on-failure is the default.
    let err = run(&topo, Options::new().forensics_dir(&dir), b_goes_silent).unwrap_err();
    assert_eq!(err.forensics_dir(), Some(dir.as_path()));
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "forensics: {}/ (report.txt, report.html, capture.pcapng (2 interfaces, ",
            dir.display()
        )),
        "{text}"
    );
    let entries: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["capture.pcapng", "report.html", "report.txt"],
        "one file of packets"
    );

    let pcap = Pcapng::read(&dir.join("capture.pcapng"));
    assert_eq!(
        pcap.ifaces,
        ["a:eth0", "b:eth0"],
        "one interface per link end"
    );
    let requests = pcap
        .on("a:eth0")
        .iter()
        .filter(|f| is_echo_request_to(f, [10, 0, 0, 2]))
        .count();
    assert!(
        requests >= 3,
        "the segment check's 3 echo requests leave a, found {requests}"
    );
    assert!(
        pcap.on("b:eth0")
            .iter()
            .any(|f| is_echo_request_to(f, [10, 0, 0, 2])),
        "and reach b"
    );
    let times: Vec<Duration> = pcap.frames.iter().map(|(_, t, _)| *t).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "frames in time order"
    );

    let report = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    assert_eq!(
        report.trim_end(),
        text.trim_end(),
        "report.txt is the report"
    );

    // A home of its own: run as another user (cargo xtask rootless), tshark cannot
    // read the invoking user's configuration and fails.
    match std::process::Command::new("tshark")
        .env("HOME", &dir)
        .env("XDG_CONFIG_HOME", &dir)
        .arg("-r")
        .arg(dir.join("capture.pcapng"))
        .args([
            "-T",
            "fields",
            "-e",
            "frame.interface_name",
            "-e",
            "_ws.col.Info",
        ])
        .output()
    {
        Ok(out) => {
            let shown = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "tshark: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                shown
                    .lines()
                    .any(|l| l.starts_with("a:eth0\t") && l.contains("Echo (ping) request")),
                "tshark -r shows the requests on a:eth0:\n{shown}"
            );
        }
        Err(_) => eprintln!("note: tshark is not installed: the file was read with pcap-file only"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn passing_tests_write_nothing_unless_asked_and_bridge_ports_are_captured() {
    let topo = topology::parse("bridge br0; a 10.0.0.1/24 -- br0; b 10.0.0.2/24 -- br0").unwrap();
    let quiet = scratch("quiet");
    run(&topo, Options::new().forensics_dir(&quiet), |_| {}).unwrap();
    assert!(
        !quiet.exists(),
        "on-failure capture wrote files for a passing test"
    );

    let always = scratch("always");
    let opts = Options::new()
        .forensics_dir(&always)
        .capture(CaptureMode::Always);
    run(&topo, opts, |_| {}).unwrap();
    let pcap = Pcapng::read(&always.join("capture.pcapng"));
    assert_eq!(
        pcap.ifaces.len(),
        4,
        "a, b and the two bridge ports: {:?}",
        pcap.ifaces
    );
    for end in ["a:eth0", "b:eth0"] {
        assert!(
            !pcap.on(end).is_empty(),
            "the segment check's frames on {end}"
        );
    }
    let ports: Vec<&String> = pcap
        .ifaces
        .iter()
        .filter(|n| n.starts_with("host:"))
        .collect();
    assert_eq!(ports.len(), 2, "{:?}", pcap.ifaces);
    for port in ports {
        assert!(
            !pcap.on(port).is_empty(),
            "frames through the bridge port {port}"
        );
    }
    let _ = std::fs::remove_dir_all(&always);
}

#[test]
fn never_writes_the_report_without_a_capture() {
    let dir = scratch("never");
    std::fs::create_dir_all(&dir).unwrap();
    // A capture left by an earlier run must not pass for this one's.
    std::fs::write(dir.join("capture.pcapng"), b"stale").unwrap();
    let topo = topology::parse("a -- b").unwrap();
    let opts = Options::new()
        .forensics_dir(&dir)
        .capture(CaptureMode::Never);
    let err = run(&topo, opts, |_| Err::<(), _>("planned")).unwrap_err();
    assert!(dir.join("report.txt").exists() && dir.join("report.html").exists());
    assert!(!dir.join("capture.pcapng").exists(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
