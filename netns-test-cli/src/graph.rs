//! `netns-test graph FILE`: the topology as Graphviz DOT, and SVG when `dot` is
//! installed, under `<target>/netns-test/graph/` (or `--out DIR`, or on stdout).

use crate::{output, read};
use std::path::Path;
use std::process::{Command, ExitCode};

/// Writes `<stem>.dot` (and `<stem>.svg`) and prints their paths.
pub fn run(file: &Path, out: Option<&Path>, stdout: bool) -> Result<ExitCode, String> {
    let t = match read::topology(file) {
        Ok(t) => t,
        Err(read::Unusable(e)) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let dot = netns_test::smoke::dot(&t);
    if stdout {
        print!("{dot}");
        return Ok(ExitCode::SUCCESS);
    }
    let dir = match out {
        Some(dir) => dir.to_path_buf(),
        None => output::dir("graph")?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stem = file
        .file_stem()
        .map_or("topology".into(), |s| s.to_string_lossy().into_owned());
    let dot_file = dir.join(format!("{stem}.dot"));
    std::fs::write(&dot_file, dot).map_err(|e| format!("{}: {e}", dot_file.display()))?;
    println!("{}", dot_file.display());
    let svg = dir.join(format!("{stem}.svg"));
    match Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_file)
        .arg("-o")
        .arg(&svg)
        .status()
    {
        Ok(s) if s.success() => println!("{}", svg.display()),
        Ok(s) => return Err(format!("dot -Tsvg {} failed ({s})", dot_file.display())),
        Err(_) => {
            eprintln!("(no SVG: Graphviz's `dot` is not installed; `apt-get install graphviz`)")
        }
    }
    Ok(ExitCode::SUCCESS)
}
