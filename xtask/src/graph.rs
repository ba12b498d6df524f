//! `cargo xtask graph FILE`: `netns-test graph FILE`, built from this workspace: the
//! topology as Graphviz DOT (and SVG when `dot` is installed) under the target
//! directory of the project you are in (or CARGO_TARGET_DIR).

use crate::run::{check, netns_test_command};
use std::path::Path;
use std::process::Command;

pub fn run(file: &Path) -> Result<(), String> {
    check(Command::new(netns_test_command()?).arg("graph").arg(file))
}
