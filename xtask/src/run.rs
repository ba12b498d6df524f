//! Running commands from the workspace root, loudly, and reading what cargo built from
//! its JSON messages.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

/// `cargo` with the arguments, from the workspace root.
pub fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args).current_dir(root());
    cmd
}

/// Runs `cmd`, echoing it first; a failure names the command.
pub fn check(cmd: &mut Command) -> Result<(), String> {
    eprintln!("$ {}", show(cmd));
    let status = cmd.status().map_err(|e| format!("{}: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

pub fn show(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether this process runs as root (effective uid 0).
pub fn is_root() -> bool {
    extern "C" {
        fn geteuid() -> u32;
    }
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { geteuid() == 0 }
}

/// Builds one test target of the tests crate with `cargo test --no-run` (plus
/// `extra` arguments) and returns its executable, as cargo names it in its JSON
/// messages.
pub fn test_executable(target: &str, extra: &[&str]) -> Result<PathBuf, String> {
    let mut args = vec![
        "test",
        "--quiet",
        "-p",
        "netns-test-tests",
        "--test",
        target,
    ];
    args.extend_from_slice(extra);
    args.extend(["--no-run", "--message-format=json-render-diagnostics"]);
    built(cargo(&args), target)
}

/// Builds the `netns-test` command (`cargo build -p netns-test-cli`) and returns its
/// executable.
pub fn netns_test_command() -> Result<PathBuf, String> {
    let cmd = cargo(&[
        "build",
        "--quiet",
        "-p",
        "netns-test-cli",
        "--message-format=json-render-diagnostics",
    ]);
    built(cmd, "netns-test")
}

/// Runs a cargo build `cmd` that prints JSON messages (announced, its diagnostics on
/// stderr) and returns the executable of the target named `name`.
fn built(mut cmd: Command, name: &str) -> Result<PathBuf, String> {
    eprintln!("$ {}", show(&cmd));
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("{}: {e}", show(&cmd)))?;
    if !out.status.success() {
        return Err(format!("`{}` failed ({})", show(&cmd), out.status));
    }
    let found = executables(&out.stdout).find(|e| e.name == name);
    found
        .map(|e| e.path)
        .ok_or_else(|| format!("`{}` named no executable", show(&cmd)))
}

/// A built executable, as one `compiler-artifact` message of cargo's
/// `--message-format=json` announces it.
#[derive(Debug, PartialEq)]
pub struct Executable {
    /// The target's name (`smoke`, or `netns_test` for a library's unit tests).
    pub name: String,
    pub path: PathBuf,
    /// Built as a test (`cargo test`'s harness), not as a plain binary.
    pub test: bool,
}

/// The executables in cargo's JSON messages (one JSON object a line); every other
/// message (libraries, build scripts, diagnostics) and any line that is not JSON is
/// passed over.
pub fn executables(stdout: &[u8]) -> impl Iterator<Item = Executable> + '_ {
    stdout
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .filter_map(|message: serde_json::Value| executable(&message))
}

fn executable(message: &serde_json::Value) -> Option<Executable> {
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    Some(Executable {
        name: message["target"]["name"].as_str()?.to_string(),
        path: PathBuf::from(message["executable"].as_str()?),
        test: message["profile"]["test"] == true,
    })
}

#[cfg(test)]
mod tests {
    use super::{executables, Executable};
    use std::path::PathBuf;

    #[test]
    fn reads_the_executables_of_cargo_messages() {
        // Abridged from `cargo test --no-run --message-format=json`: a library (no
        // executable), a test binary whose path needs unescaping, a build script's run, a
        // diagnostic, and a line that is not JSON.
        let stdout = br#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"netns_test","test":true},"profile":{"test":false},"executable":null,"fresh":true}
{"reason":"compiler-artifact","target":{"kind":["test"],"name":"smoke","test":true},"profile":{"test":true},"executable":"/w/t\"x\\/y\u00e9","fresh":true}
{"reason":"build-script-executed","package_id":"x","out_dir":"/w/out"}
{"reason":"compiler-message","message":{"rendered":"warning: \"executable\":\"/nope\""}}
not json
{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"xtask","test":true},"profile":{"test":false},"executable":"/w/xtask"}
"#;
        let found: Vec<Executable> = executables(stdout).collect();
        assert_eq!(
            found,
            [
                Executable {
                    name: "smoke".into(),
                    path: PathBuf::from("/w/t\"x\\/y\u{e9}"),
                    test: true,
                },
                Executable {
                    name: "xtask".into(),
                    path: PathBuf::from("/w/xtask"),
                    test: false,
                },
            ]
        );
    }
}
