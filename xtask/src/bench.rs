//! `cargo xtask bench [--quick]`: prepares what the measuring program needs (the `ping`
//! of the shell side, the W3 fixture binary) and runs it in release.
//!
//! The measuring itself lives in tests/benches/perf.rs; this only sets the stage, so
//! that one command from the README does everything.

use crate::run::{cargo, check, is_root, root, show};
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub fn run(args: &[String]) -> Result<(), String> {
    let mut quick = false;
    for a in args {
        match a.as_str() {
            "--quick" => quick = true,
            other => return Err(format!("bench: unknown argument {other:?} (only --quick)")),
        }
    }
    ensure_ping();
    let fixture = build_fixture()?;
    let out = root().join("target");
    let mut cmd = cargo(&["bench", "-p", "netns-test-tests", "--bench", "perf", "--"]);
    cmd.arg("--fixture").arg(&fixture).arg("--out").arg(&out);
    if quick {
        cmd.arg("--quick");
    }
    check(&mut cmd)
}

/// The seeds' shell steps end with `ip netns exec a ping …`; this machine may lack
/// `ping`. As root it is installed (announced, with apt-get); otherwise the measuring
/// program skips the shell side and says why.
fn ensure_ping() {
    if on_path("ping") {
        return;
    }
    if !is_root() {
        eprintln!(
            "bench: `ping` is not installed and this is not root: the shell side will be skipped"
        );
        return;
    }
    eprintln!(
        "bench: `ping` is not installed; installing iputils-ping with apt-get for the shell side"
    );
    let apt = |args: &[&str]| {
        let mut cmd = Command::new("apt-get");
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    let installed = check(&mut apt(&["update"]))
        .and_then(|()| check(&mut apt(&["install", "-y", "iputils-ping"])));
    if let Err(e) = installed {
        eprintln!("bench: installing ping failed ({e}): the shell side will be skipped");
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Builds the `w1x200` fixture (200 empty two-node tests) in release and returns its
/// executable, as cargo reports it in its JSON messages.
fn build_fixture() -> Result<PathBuf, String> {
    let mut cmd = cargo(&[
        "test",
        "--release",
        "-p",
        "netns-test-tests",
        "--features",
        "fixtures",
        "--test",
        "w1x200",
        "--no-run",
        "--message-format=json",
    ]);
    eprintln!("$ {}", show(&cmd));
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{}: {e}", show(&cmd)))?;
    if !out.status.success() {
        return Err(format!("`{}` failed ({})", show(&cmd), out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(r#""reason":"compiler-artifact""#))
        .filter(|l| l.contains(r#""name":"w1x200""#))
        .find_map(|l| json_string_after(l, r#""executable":""#))
        .map(PathBuf::from)
        .ok_or_else(|| "cargo did not report the w1x200 fixture's executable".into())
}

/// The JSON string value that starts right after `key` in `line` (xtask has no
/// dependencies, and this is the one field it needs from cargo's messages).
fn json_string_after(line: &str, key: &str) -> Option<String> {
    let rest = &line[line.find(key)? + key.len()..];
    let mut value = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                other => value.push(other), // \" \\ \/
            },
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::json_string_after;

    #[test]
    fn reads_the_executable_of_a_cargo_message() {
        let line = r#"{"reason":"compiler-artifact","target":{"name":"w1x200"},"executable":"/w/t\"x\\/y","fresh":true}"#;
        assert_eq!(
            json_string_after(line, r#""executable":""#).as_deref(),
            Some(r#"/w/t"x\/y"#)
        );
        assert_eq!(
            json_string_after(r#"{"executable":null}"#, r#""executable":""#),
            None
        );
    }
}
