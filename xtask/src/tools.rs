//! Programs and files from Debian's packages that the bench, the suite and the other-OS
//! check need: as root, what is missing is installed with apt-get (announced), so that
//! the README's commands set up a fresh machine; otherwise the caller is told what to
//! install.

use crate::run::{check, is_root};
use std::process::Command;

/// Makes sure `tool` is on PATH, installing `package` with apt-get when this is root;
/// `Err` names the package when it is still missing. `why` says who needs it.
pub fn ensure(tool: &str, package: &str, why: &str) -> Result<(), String> {
    if on_path(tool) {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "`{tool}` is not found on PATH ({why}), and only root may install it here: \
             apt-get install {package}"
        ));
    }
    eprintln!("xtask: `{tool}` is not found on PATH ({why}); installing {package} with apt-get");
    apt_install(&[package])
        .map_err(|e| format!("installing {package} for `{tool}` ({why}): {e}"))?;
    if on_path(tool) {
        Ok(())
    } else {
        Err(format!(
            "{package} is installed, but `{tool}` is still not on PATH ({why}): add its \
             directory (`dpkg -L {package}` lists it)"
        ))
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// `apt-get install` of `packages` (as root). The package lists are refreshed only when
/// the lists at hand do not have them: a failing `apt-get update` (one broken
/// repository) need not stop an install that needs none.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let apt = |args: &[&str]| {
        let mut cmd = Command::new("apt-get");
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    let install = || {
        let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
        args.extend_from_slice(packages);
        check(&mut apt(&args))
    };
    install().or_else(|_| check(&mut apt(&["update", "-q"])).and_then(|()| install()))
}
