//! `netns-test graph FILE`

use super::{netns_test, Scratch, TWO_HOMES};
use std::os::unix::fs::PermissionsExt;

const EDGE: &str =
    "  \"a\" -- \"r\" [taillabel=\"eth0 10.0.1.2/24\", headlabel=\"left 10.0.1.1/24\"];";

/// A directory holding a stand-in for Graphviz's `dot` that records its arguments and
/// writes the file `-o` names: what the command asks of `dot`, without Graphviz.
fn fake_dot(s: &Scratch) -> String {
    let bin = s.0.join("bin");
    // Shell builtins only: the PATH holds nothing but this directory.
    let script = s.file(
        "bin/dot",
        &format!(
            "#!/bin/sh\necho \"$@\" > '{}'\n\
             while [ $# -gt 0 ]; do [ \"$1\" = -o ] && echo '<svg/>' > \"$2\"; shift; done\n",
            bin.join("args").display()
        ),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin.display().to_string()
}

#[test]
fn dot_goes_under_cargo_target_dir_and_svg_when_dot_is_there() {
    let s = Scratch::new("graph");
    s.file("two_homes.topo", TWO_HOMES);
    // No `dot` on the PATH: the DOT file alone, and a word about the SVG.
    let r = netns_test(
        &s.0,
        &["graph", "two_homes.topo"],
        &[("PATH", Some("/nonexistent"))],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let dot_file = s.0.join("target-dir/netns-test/graph/two_homes.dot");
    assert_eq!(r.stdout.trim_end(), dot_file.display().to_string(), "{r:?}");
    assert!(
        r.stderr
            .contains("no SVG: Graphviz's `dot` is not installed"),
        "{r:?}"
    );
    let dot = std::fs::read_to_string(&dot_file).unwrap();
    assert!(dot.starts_with("graph topology {\n"), "{dot}");
    assert!(dot.lines().any(|l| l == EDGE), "{dot}");

    // With `dot`: it is asked for an SVG beside the DOT file.
    let path = fake_dot(&s);
    let r = netns_test(&s.0, &["graph", "two_homes.topo"], &[("PATH", Some(&path))]);
    assert_eq!(r.code, 0, "{r:?}");
    let svg = s.0.join("target-dir/netns-test/graph/two_homes.svg");
    assert!(r.has_line(&svg.display().to_string()), "{r:?}");
    assert_eq!(
        std::fs::read_to_string(s.0.join("bin/args"))
            .unwrap()
            .trim_end(),
        format!("-Tsvg {} -o {}", dot_file.display(), svg.display())
    );
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), "<svg/>\n");
}

#[test]
fn without_cargo_target_dir_it_is_the_projects_target_never_elsewhere() {
    let s = Scratch::new("graph-crate");
    s.file(
        "Cargo.toml",
        "[package]\nname = \"mine\"\nversion = \"0.1.0\"\n",
    );
    s.file("tests/topologies/two_homes.topo", TWO_HOMES);
    let r = netns_test(
        &s.0.join("tests/topologies"),
        &["graph", "two_homes.topo"],
        &[("CARGO_TARGET_DIR", None), ("PATH", Some("/nonexistent"))],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        s.0.join("target/netns-test/graph/two_homes.dot").is_file(),
        "{r:?}"
    );
    assert!(!s.0.join("tests/topologies/target").exists());
}

#[test]
fn out_dir_and_stdout() {
    let s = Scratch::new("graph-out");
    s.file("two_homes.topo", TWO_HOMES);
    let env = [("PATH", Some("/nonexistent"))];
    let r = netns_test(
        &s.0,
        &["graph", "two_homes.topo", "--out", "pictures"],
        &env,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(s.0.join("pictures/two_homes.dot").is_file(), "{r:?}");
    let r = netns_test(&s.0, &["graph", "two_homes.topo", "--stdout"], &env);
    assert!(r.has_line(EDGE), "{r:?}");
    assert!(!s.0.join("target-dir").exists(), "--stdout writes no file");
    let bad = s.file("bad.topo", "a -- b 10.0.0.300/24\n");
    let r = netns_test(&s.0, &["graph", bad.to_str().unwrap()], &env);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("bad.topo:1:8: expected an address"),
        "{r:?}"
    );
}
