//! `netns-test check FILE...`: every file parsed and validated; exit code 1 if any has
//! a mistake.

use crate::read;
use std::path::PathBuf;
use std::process::ExitCode;

/// Prints `FILE: ok (N nodes, M links)` or the mistake, per file.
pub fn run(files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut failed = 0;
    for file in files {
        match read::topology(file) {
            Ok(t) => println!(
                "{}: ok ({}, {}, {})",
                file.display(),
                count(t.node_names().len(), "node"),
                count(t.links.len(), "link"),
                count(t.bridges.len(), "bridge")
            ),
            Err(read::Unusable(e)) => {
                failed += 1;
                eprintln!("{e}");
            }
        }
    }
    if failed == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{failed} of {} files have mistakes", files.len());
    Ok(ExitCode::FAILURE)
}

/// `1 bridge`, `2 bridges`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
