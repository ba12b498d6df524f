//! Where the command writes files: `<target>/netns-test/...`, `<target>` being
//! `CARGO_TARGET_DIR` or the `target/` directory of the cargo project around the
//! current directory, as cargo itself would choose it. Never the harness's own tree.

use std::path::{Path, PathBuf};

/// `<target>/netns-test/<what>`.
pub fn dir(what: &str) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
    let env = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from);
    let target = target_dir(env, &cwd).ok_or_else(|| {
        format!(
            "{} is in no cargo project (no Cargo.toml here or above) and CARGO_TARGET_DIR \
             is not set: say where the files go (--out DIR, or CARGO_TARGET_DIR)",
            cwd.display()
        )
    })?;
    Ok(target.join("netns-test").join(what))
}

/// `CARGO_TARGET_DIR` (relative to `cwd`, as cargo reads it), else `target/` beside
/// the workspace's `Cargo.toml`: the outermost one above `cwd` that says
/// `[workspace]` and holds the nearest package, else the nearest `Cargo.toml`'s.
/// (A `build.target-dir` in `.cargo/config.toml` is not read.)
fn target_dir(env: Option<PathBuf>, cwd: &Path) -> Option<PathBuf> {
    if let Some(dir) = env.filter(|d| !d.as_os_str().is_empty()) {
        return Some(cwd.join(dir));
    }
    let package = cwd.ancestors().find(|d| d.join("Cargo.toml").is_file())?;
    let workspace = package
        .ancestors()
        .filter(|d| is_workspace(&d.join("Cargo.toml")))
        .last()
        .unwrap_or(package);
    Some(workspace.join("target"))
}

/// Whether a manifest declares a workspace (a line that is `[workspace]`).
fn is_workspace(manifest: &Path) -> bool {
    std::fs::read_to_string(manifest)
        .is_ok_and(|text| text.lines().any(|l| l.trim() == "[workspace]"))
}

#[cfg(test)]
mod tests {
    use super::target_dir;
    use std::path::{Path, PathBuf};

    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!(
                "netns-test-cli-output-{name}-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn manifest(&self, at: &str, text: &str) -> PathBuf {
            let dir = self.0.join(at);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("Cargo.toml"), text).unwrap();
            dir
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn cargo_target_dir_wins_and_is_relative_to_the_current_directory() {
        let cwd = Path::new("/somewhere");
        assert_eq!(
            target_dir(Some("/t".into()), cwd),
            Some(PathBuf::from("/t"))
        );
        assert_eq!(
            target_dir(Some("out".into()), cwd),
            Some(PathBuf::from("/somewhere/out"))
        );
    }

    #[test]
    fn a_package_alone_or_in_a_workspace() {
        let s = Scratch::new("ws");
        let alone = s.manifest("alone", "[package]\nname = \"alone\"\n");
        std::fs::create_dir_all(alone.join("tests/topologies")).unwrap();
        assert_eq!(
            target_dir(None, &alone.join("tests/topologies")),
            Some(alone.join("target"))
        );
        let ws = s.manifest("ws", "[workspace]\nmembers = [\"member\"]\n");
        let member = s.manifest("ws/member", "[package]\nname = \"member\"\n");
        assert_eq!(target_dir(None, &member), Some(ws.join("target")));
        assert_eq!(target_dir(None, &ws), Some(ws.join("target")));
        // No Cargo.toml at all: nothing to choose.
        let outside = s.0.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        if !std::env::temp_dir()
            .ancestors()
            .any(|d| d.join("Cargo.toml").is_file())
        {
            assert_eq!(target_dir(None, &outside), None);
        }
    }
}
