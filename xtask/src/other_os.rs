//! `cargo xtask other-os`: the runtime crate, its API test and its dependencies
//! compiled for operating systems other than Linux (macOS by default), without a
//! warning: a crate with netns-test as a dev-dependency must build on a
//! contributor's Mac, and its tests there fail at once, saying that netns-test needs
//! Linux (`netns-test/src/elsewhere/`).
//!
//! rustup ships no standard library for another OS here, so the check builds one
//! from source (`cargo check -Zbuild-std`): with nightly's own `rust-src` when it is
//! installed, else with Debian's `rustc-web` compiler and its matching source
//! (`rust-web-src`, installed with apt-get when this is root), driven by nightly's
//! cargo. Nothing is linked: a check, as far as a compiler can go without the other
//! OS's SDK. The standard library is built once into `target/other-os/`.

use crate::run::{is_root, root, show};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What `cargo xtask other-os` checks with no argument, and `cargo xtask test` runs.
pub const DEFAULT_TARGETS: &[&str] = &["x86_64-apple-darwin"];

/// A compiler and the standard library's source of the same version.
#[derive(Debug)]
struct Toolchain {
    /// `None`: nightly's own rustc.
    rustc: Option<PathBuf>,
    /// `None`: nightly's own rust-src.
    library: Option<PathBuf>,
}

pub fn run(targets: &[String]) -> Result<(), String> {
    let toolchain = toolchain(true)?;
    for target in targets {
        check(&toolchain, target)?;
    }
    Ok(())
}

/// Whether the check can run here without installing anything: `cargo xtask test`
/// runs it when it can or may install (as root), and says so when it cannot.
pub fn available() -> bool {
    is_root() || toolchain(false).is_ok()
}

fn toolchain(install: bool) -> Result<Toolchain, String> {
    if nightly_has_rust_src() {
        return Ok(Toolchain {
            rustc: None,
            library: None,
        });
    }
    if let Some(t) = debian() {
        return Ok(t);
    }
    let missing = "no standard library source for the compiler: neither nightly's \
                   rust-src component nor Debian's rustc-web with rust-web-src";
    if !install || !is_root() {
        return Err(format!(
            "{missing}; as root this task installs the Debian packages \
             (`apt-get install rustc-web rust-web-src`)"
        ));
    }
    eprintln!("xtask: {missing}; installing rustc-web and rust-web-src with apt-get");
    crate::tools::apt_install(&["rustc-web", "rust-web-src"])?;
    debian().ok_or_else(|| format!("{missing}, even after installing them"))
}

fn nightly_has_rust_src() -> bool {
    let out = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--print", "sysroot"])
        .output();
    let Some(out) = out.ok().filter(|o| o.status.success()) else {
        return false;
    };
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    sysroot
        .join("lib/rustlib/src/rust/library/Cargo.toml")
        .is_file()
}

/// Debian's compiler (`/usr/bin/rustc`) and the library source of its version
/// (`/usr/src/rustc-VERSION/library`).
fn debian() -> Option<Toolchain> {
    let rustc = PathBuf::from("/usr/bin/rustc");
    let out = Command::new(&rustc).arg("-V").output().ok()?;
    // `rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)`
    let version = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)?
        .to_string();
    let library = PathBuf::from(format!("/usr/src/rustc-{version}/library"));
    library.join("Cargo.toml").is_file().then_some(Toolchain {
        rustc: Some(rustc),
        library: Some(library),
    })
}

/// `cargo check -Zbuild-std` of the runtime crate's lib, unit tests and
/// `tests/every_os.rs` for `target`; any warning in the workspace's crates fails it.
fn check(toolchain: &Toolchain, target: &str) -> Result<(), String> {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", "nightly", "cargo", "check", "--quiet"])
        .args(["-Zbuild-std=std,core,alloc,panic_abort", "--target", target])
        .args(["-p", "netns-test", "--lib", "--tests"])
        .arg("--target-dir")
        .arg(root().join("target/other-os"))
        .arg("--message-format=json")
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(rustc) = &toolchain.rustc {
        // A stable compiler builds the standard library only with its unstable
        // features unlocked, as the Rust project's own bootstrap does.
        cmd.env("RUSTC", rustc).env("RUSTC_BOOTSTRAP", "1");
    }
    if let Some(library) = &toolchain.library {
        // Where cargo's build-std takes the source from, instead of the sysroot.
        cmd.env("__CARGO_TESTS_ONLY_SRC_ROOT", library);
    }
    eprintln!("$ {}", show(&cmd));
    let out = cmd.output().map_err(|e| format!("{}: {e}", show(&cmd)))?;
    let ours = diagnostics(&out.stdout, &root());
    for d in &ours {
        eprint!("{d}");
    }
    if !out.status.success() {
        return Err(format!("the crates do not compile for {target}"));
    }
    if !ours.is_empty() {
        return Err(format!(
            "{} warning(s) in the workspace's crates for {target}",
            ours.len()
        ));
    }
    eprintln!("xtask: netns-test and its API test compile for {target} without a warning");
    Ok(())
}

/// The rendered warnings and errors that cargo's JSON messages give for packages
/// under `workspace` (the standard library's own are not ours to fix).
fn diagnostics(stdout: &[u8], workspace: &Path) -> Vec<String> {
    let prefix = format!("path+file://{}/", workspace.display());
    stdout
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-message")
        .filter(|m| {
            m["package_id"]
                .as_str()
                .is_some_and(|p| p.starts_with(&prefix))
        })
        .filter(|m| matches!(m["message"]["level"].as_str(), Some("warning" | "error")))
        .filter_map(|m| m["message"]["rendered"].as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::diagnostics;
    use std::path::Path;

    #[test]
    fn only_the_workspaces_warnings_and_errors_count() {
        let stdout = br#"{"reason":"compiler-message","package_id":"path+file:///w/netns-test#0.1.0","message":{"level":"warning","rendered":"warning: ours\n"}}
{"reason":"compiler-message","package_id":"path+file:///rust/library/std#0.0.0","message":{"level":"warning","rendered":"warning: std's\n"}}
{"reason":"compiler-message","package_id":"registry+https://x#tokio@1","message":{"level":"error","rendered":"error: theirs\n"}}
{"reason":"compiler-message","package_id":"path+file:///w/netns-test#0.1.0","message":{"level":"note","rendered":"note\n"}}
{"reason":"compiler-message","package_id":"path+file:///work/x#0.1.0","message":{"level":"warning","rendered":"beside\n"}}
{"reason":"compiler-artifact","package_id":"path+file:///w/netns-test#0.1.0"}
not json
"#;
        assert_eq!(diagnostics(stdout, Path::new("/w")), ["warning: ours\n"]);
    }
}
