//! `cargo xtask test`: what CI runs, usable locally.

use crate::run::{cargo, check};

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!("`cargo xtask test` takes no arguments, got {a:?}"));
    }
    check(&mut cargo(&["fmt", "--all", "--check"]))?;
    check(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    check(&mut cargo(&["test", "--workspace"]))?;
    if crate::run::is_root() {
        crate::rootless::run(&[])?;
    } else {
        eprintln!(
            "xtask: not root: the suite above already ran unprivileged; skipping the rootless pass"
        );
    }
    Ok(())
}
