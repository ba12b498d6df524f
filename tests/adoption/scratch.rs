//! A directory outside the workspace, and commands run loudly in it.

use std::path::PathBuf;
use std::process::Command;

/// A directory of its own under the temporary directory, removed afterwards.
#[derive(Debug)]
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("netns-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `cmd`, panicking with its output unless it succeeds; its stdout and stderr.
pub fn run(cmd: &mut Command) -> String {
    let shown = format!("{cmd:?}");
    eprintln!("$ {shown}");
    let out = cmd.output().unwrap_or_else(|e| panic!("{shown}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{text}",
        out.status
    );
    text
}
