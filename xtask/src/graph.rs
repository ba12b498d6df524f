//! `cargo xtask graph FILE`: a topology file as a Graphviz graph,
//! target/netns-test/graph/NAME.dot, and .svg when `dot` is installed.

use crate::run::root;
use crate::smoke::{absolute, smoke_binary};
use std::path::Path;
use std::process::Command;

pub fn run(file: &Path) -> Result<(), String> {
    let file = absolute(file)?;
    // The smoke binary has the language and the drawing: it prints the DOT.
    let out = Command::new(smoke_binary()?)
        .env("NETNS_TEST_SMOKE_GRAPH", &file)
        .output()
        .map_err(|e| format!("running the smoke binary: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let dir = root().join("target").join("netns-test").join("graph");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stem = file
        .file_stem()
        .map_or("topology".into(), |s| s.to_string_lossy().into_owned());
    let dot_file = dir.join(format!("{stem}.dot"));
    std::fs::write(&dot_file, &out.stdout).map_err(|e| format!("{}: {e}", dot_file.display()))?;
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
        Ok(s) => return Err(format!("dot -Tsvg failed ({s})")),
        Err(_) => {
            println!("(no SVG: Graphviz's `dot` is not installed; `apt-get install graphviz`)")
        }
    }
    Ok(())
}
