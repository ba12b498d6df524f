//! Where a run's files go: the test binary's target directory (cargo's, never the
//! current directory), the forensics root under it, and a test's name as a directory.

use std::path::PathBuf;

/// A test's name as a directory name: `tests::a b` → `tests.a-b`.
pub(crate) fn dir_name(name: &str) -> String {
    name.replace("::", ".")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Where forensics directories go: `<target dir>/netns-test`, or, when this user may
/// not write there (a test binary built by root and run as another user),
/// `$TMPDIR/netns-test-<uid>`. Decided once per process.
#[cfg(target_os = "linux")]
pub(super) fn forensics_root() -> PathBuf {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let target = target_dir();
        let root = target.join("netns-test");
        let writable = |p: &std::path::Path| {
            use std::os::unix::ffi::OsStrExt;
            let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
                return false;
            };
            // SAFETY: a valid C string; access only reads it.
            unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
        };
        if writable(&root) || (!root.exists() && writable(&target)) {
            root
        } else {
            // SAFETY: getuid cannot fail.
            let uid = unsafe { libc::getuid() };
            std::env::temp_dir().join(format!("netns-test-{uid}"))
        }
    })
    .clone()
}

/// The target directory of the running test binary, where cargo puts its own
/// artifacts: CARGO_TARGET_DIR when it is an absolute path, else the ancestor of the
/// executable that holds cargo's `CACHEDIR.TAG` (or is called `target`), else the
/// executable's own directory. Never the current directory: a binary started from
/// elsewhere must not scatter `target/` directories there.
pub(crate) fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        if dir.is_absolute() {
            return dir;
        }
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let ancestors = || exe.ancestors().skip(1);
    ancestors()
        .find(|a| a.join("CACHEDIR.TAG").is_file())
        .or_else(|| ancestors().find(|a| a.file_name().is_some_and(|n| n == "target")))
        .or_else(|| exe.parent())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_dir_is_the_executables() {
        // Under cargo, this unit test binary lives in <target>/debug/deps.
        let exe = std::env::current_exe().unwrap();
        let dir = target_dir();
        assert!(
            exe.starts_with(&dir),
            "{} in {}",
            exe.display(),
            dir.display()
        );
        assert!(
            dir.join("CACHEDIR.TAG").is_file() || std::env::var_os("CARGO_TARGET_DIR").is_some()
        );
    }
}
