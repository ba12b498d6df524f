//! `netns-test up FILE NODE` with an interactive shell on a pseudo-terminal, as a user
//! at a terminal has it: the shell gets the terminal through the sandbox (stdin,
//! output, job control), `ip netns exec` reaches the other nodes, and `exit` ends it all.

use super::{Scratch, TWO_HOMES};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A new pseudo-terminal: (master, slave).
fn openpty() -> (File, OwnedFd) {
    // SAFETY: the calls of posix_openpt(3); every fd is checked and owned once.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(
            master >= 0,
            "posix_openpt: {}",
            std::io::Error::last_os_error()
        );
        assert_eq!(libc::grantpt(master), 0);
        assert_eq!(libc::unlockpt(master), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(master, name.as_mut_ptr(), name.len()), 0);
        let slave = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        assert!(
            slave >= 0,
            "opening the pty's slave: {}",
            std::io::Error::last_os_error()
        );
        (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
    }
}

/// Everything the terminal shows, read on a thread until the last writer closes it.
fn screen(mut master: File) -> Arc<Mutex<String>> {
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // EIO once no process holds the slave any more.
        while let Ok(n @ 1..) = master.read(&mut buf) {
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    seen
}

fn wait_for(seen: &Mutex<String>, text: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while !seen.lock().unwrap().contains(text) {
        assert!(
            Instant::now() < deadline,
            "{text:?} not on the terminal within {within:?}:\n{}",
            seen.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_interactive_shell_gets_the_terminal_and_exit_ends_the_session() {
    let s = Scratch::new("pty");
    s.file("two_homes.topo", TWO_HOMES);
    let (master, slave) = openpty();
    let mut input = master.try_clone().unwrap();
    let stdio = || Stdio::from(slave.try_clone().unwrap());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_netns-test"));
    cmd.args(["up", "two_homes.topo", "a"])
        .current_dir(&s.0)
        .env("SHELL", "/bin/bash")
        // No rc file of the user's.
        .env("HOME", &s.0)
        .env("CARGO_TARGET_DIR", s.0.join("target-dir"))
        .stdin(stdio())
        .stdout(stdio())
        .stderr(stdio());
    // SAFETY: setsid and ioctl are async-signal-safe; the pty becomes the controlling
    // terminal of the new session, as a terminal emulator's shell has it.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("starting netns-test up");
    drop(slave);
    let seen = screen(master);
    wait_for(
        &seen,
        "everything is removed when this shell exits",
        Duration::from_secs(30),
    );
    // Typed at the prompt: the node, a job in the background (job control works when
    // the shell could take the terminal), another node, and the way out.
    input
        .write_all(
            b"echo in-node-$NETNS_TEST_NODE\n\
              test -t 0 && test -t 1 && test -t 2 && echo terminals-$((1+2))\n\
              sleep 600 &\n\
              jobs\n\
              ip netns exec b ip -br addr show dev eth0\n\
              exit 4\n",
        )
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the session did not end:\n{}",
            seen.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let shown = seen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(4), "the shell's exit code:\n{shown}");
    assert!(
        shown.contains("netns-test: two_homes.topo is up"),
        "{shown}"
    );
    assert!(shown.contains("in-node-a"), "{shown}");
    // Not a pipe relaying output: full-screen programs and line editing need this.
    assert!(shown.contains("terminals-3"), "{shown}");
    assert!(
        shown.contains("Running                 sleep 600 &"),
        "{shown}"
    );
    assert!(!shown.contains("no job control"), "{shown}");
    assert!(shown.contains("10.0.2.2/24"), "{shown}");
}
