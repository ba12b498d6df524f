//! Where user namespaces cannot be made, a test fails at once with one message that
//! names the cause and the fix. Both refusals are made for real: a child user
//! namespace whose `user.max_user_namespaces` is 0, and a seccomp filter that denies
//! `unshare`, as container runtimes install.

use netns_test::{run, topology, Options};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs one of the helper tests below in a fresh process (optionally wrapped) and
/// returns what it printed.
fn helper(name: &str, wrap: &[&str]) -> String {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match wrap.split_first() {
        Some((prog, args)) => {
            let mut c = Command::new(prog);
            c.args(args).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    let started = Instant::now();
    let out = cmd
        .args(["--exact", name, "--include-ignored", "--nocapture"])
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(20), "no hang");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

#[test]
fn max_user_namespaces_zero_is_named_with_its_fix() {
    // `unshare -Ur`: a child user namespace where we may lower the limit to 0.
    let text = helper(
        "helper_reports_unavailable",
        &[
            "unshare",
            "-Ur",
            "sh",
            "-c",
            "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\"",
        ],
    );
    assert!(
        text.contains("netns-test cannot run here: user namespaces are unavailable"),
        "{text}"
    );
    assert!(text.contains("user.max_user_namespaces is 0"), "{text}");
    assert!(
        text.contains("Fix: `sudo sysctl -w user.max_user_namespaces=15000`"),
        "{text}"
    );
}

#[test]
fn a_seccomp_filter_denying_unshare_is_named_with_its_fix() {
    let text = helper("helper_under_seccomp_reports_unavailable", &[]);
    assert!(text.contains("a seccomp filter denies unshare"), "{text}");
    assert!(
        text.contains("Fix: run the container with `--security-opt seccomp=unconfined`"),
        "{text}"
    );
}

#[test]
#[ignore = "a helper process for the tests above"]
fn helper_reports_unavailable() {
    report_unavailable();
}

#[test]
#[ignore = "a helper process for the tests above"]
fn helper_under_seccomp_reports_unavailable() {
    deny_unshare_with_seccomp();
    report_unavailable();
}

fn report_unavailable() {
    let err = run(&topology::parse("a -- b").unwrap(), Options::new(), |_| {}).unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    println!("{err}");
}

/// Installs a seccomp filter on this thread (inherited by the processes it forks):
/// `unshare` fails with EPERM, everything else is allowed.
fn deny_unshare_with_seccomp() {
    use libc::{sock_filter, sock_fprog};
    const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
    let stmt = |code, k| sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    };
    let filter = [
        stmt(LD_W_ABS, 0), // seccomp_data.nr
        sock_filter {
            code: JEQ_K,
            jt: 0,
            jf: 1,
            k: libc::SYS_unshare as u32,
        },
        stmt(RET_K, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32),
        stmt(RET_K, libc::SECCOMP_RET_ALLOW),
    ];
    let prog = sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut sock_filter,
    };
    // SAFETY: a valid filter program; no_new_privs first, as unprivileged seccomp requires.
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        assert_eq!(
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &prog as *const sock_fprog
            ),
            0,
            "installing the seccomp filter: {}",
            std::io::Error::last_os_error()
        );
    }
}
