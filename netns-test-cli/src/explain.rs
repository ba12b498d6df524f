//! `netns-test explain FILE`: what the language made of a file, before anything is built.

use crate::read;
use std::path::Path;
use std::process::ExitCode;

/// Prints the file back with every name and address resolved, and a diagram.
pub fn run(file: &Path) -> Result<ExitCode, String> {
    match read::topology(file) {
        Ok(t) => {
            print!("{}", netns_test::smoke::explain(&t));
            Ok(ExitCode::SUCCESS)
        }
        Err(read::Unusable(e)) => {
            eprintln!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
