//! Compile-time errors of `#[netns_test]` (tests/ui/fail) and the forms it accepts
//! (tests/ui/pass). Regenerate the `.stderr` files with `TRYBUILD=overwrite`.

use std::path::{Path, PathBuf};

#[test]
fn ui() {
    copy_fixtures();
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}

/// trybuild compiles the cases in a crate of its own under the target directory,
/// so `topology_file` paths (relative to CARGO_MANIFEST_DIR) resolve there: the
/// fixtures are copied to the same relative place.
fn copy_fixtures() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory");
    let project: PathBuf = [
        target,
        Path::new("tests/trybuild"),
        Path::new(env!("CARGO_PKG_NAME")),
    ]
    .iter()
    .collect();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/fixtures");
    let to = project.join("ui/fixtures");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
