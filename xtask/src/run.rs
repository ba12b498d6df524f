//! Running commands from the workspace root, loudly.

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
/// messages. Paths in this workspace need no JSON unescaping.
pub fn test_executable(target: &str, extra: &[&str]) -> Result<std::path::PathBuf, String> {
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
    let mut cmd = cargo(&args);
    eprintln!("$ {}", show(&cmd));
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("{}: {e}", show(&cmd)))?;
    if !out.status.success() {
        return Err(format!("`{}` failed ({})", show(&cmd), out.status));
    }
    let name = format!("\"name\":\"{target}\"");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(r#""reason":"compiler-artifact""#) && l.contains(&name))
        .find_map(|l| json_string_after(l, r#""executable":""#))
        .map(std::path::PathBuf::from)
        .ok_or_else(|| format!("`{}` named no executable", show(&cmd)))
}

/// The JSON string that follows `key` (which ends with the opening quote), with its
/// escapes undone; None if there is none (e.g. `null`).
pub fn json_string_after(line: &str, key: &str) -> Option<String> {
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
