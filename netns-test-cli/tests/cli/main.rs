//! The `netns-test` command, run as a user runs it: the built binary, in scratch
//! directories, its output and exit code read. One module per subcommand.

mod check;
mod explain;
mod graph;
mod pty;
mod smoke;
mod up;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The router between two homes of the README, with its expectation.
pub const TWO_HOMES: &str = "\
# a router between two homes
node r forward
a 10.0.1.2/24 -- r:left 10.0.1.1/24
r:right 10.0.2.1/24 -- b 10.0.2.2/24
route a default via 10.0.1.1
route b default via 10.0.2.1
expect a <-> b
";

/// A directory of its own under the temporary directory, removed afterwards.
#[derive(Debug)]
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("netns-test-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `text` to `name` (directories made as needed) and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `netns-test ARGS` in `dir`, with CARGO_TARGET_DIR set to `dir/target-dir` (unless
/// `env` sets or removes it) and no NETNS_TEST_* of the caller's.
pub fn netns_test(dir: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_netns-test"));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target-dir"))
        .env_remove("NETNS_TEST_KEEP")
        .env_remove("NETNS_TEST_CAPTURE");
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    Run::from(cmd.output().expect("running netns-test"))
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Whether stdout has `line` as a whole line (trailing spaces aside).
    pub fn has_line(&self, line: &str) -> bool {
        self.stdout.lines().any(|l| l.trim_end() == line)
    }

    /// Whether stdout has a line of these words, however they are spaced (libtest
    /// pads test names to one width).
    pub fn has_words(&self, line: &str) -> bool {
        self.stdout
            .lines()
            .any(|l| l.split_whitespace().eq(line.split_whitespace()))
    }
}
