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
                "{}: ok ({} nodes, {} links, {} bridges)",
                file.display(),
                t.node_names().len(),
                t.links.len(),
                t.bridges.len()
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
