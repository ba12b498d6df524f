//! Killing the test process mid-test (SIGKILL, no chance to clean up) leaves no
//! process of the test behind: the sandbox dies with its parent, and every process a
//! test started dies with the sandbox's PID namespace.

use netns_test::{run, topology, Options};
use std::time::Duration;

#[test]
fn killing_the_test_process_mid_test_leaves_no_process_behind() {
    // This binary, re-run on the helper test below, which starts a background
    // process in a node and then hangs; it is killed with SIGKILL mid-body.
    let marker = format!("netns-test-orphan-{}", std::process::id());
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_hangs_with_a_background_process",
            "--include-ignored",
            "--nocapture",
        ])
        .env("NETNS_TEST_MARKER", &marker)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the background process exists.
    let seen = (0..500).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        pgrep(&marker)
    });
    assert!(seen, "the helper never started its background process");
    child.kill().unwrap();
    child.wait().unwrap();
    let gone = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        !pgrep(&marker)
    });
    assert!(gone, "a process of the killed test is still running");
}

fn pgrep(marker: &str) -> bool {
    let out = std::process::Command::new("pgrep")
        .args(["-f", marker])
        .output()
        .unwrap();
    !out.stdout.is_empty()
}

/// Run only by the test above, which reads it as a process to kill: it never ends.
// Processes left running on purpose: the sandbox must end them.
#[allow(clippy::zombie_processes)]
#[test]
#[ignore = "a helper process for killing_the_test_process_mid_test_leaves_no_process_behind"]
fn helper_hangs_with_a_background_process() {
    let marker = std::env::var("NETNS_TEST_MARKER").expect("run by the killing test");
    let topo = topology::parse("a -- b").unwrap();
    let _ = run(
        &topo,
        Options::new().timeout(Duration::from_secs(600)),
        |net| -> () {
            net.node("a")
                .command("bash")
                .args(["-c", &format!("exec -a {marker} sleep 600")])
                .spawn()
                .unwrap();
            loop {
                std::thread::park();
            }
        },
    );
}
