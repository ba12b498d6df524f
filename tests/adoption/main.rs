//! The adoption test: a crate author's first five minutes, done by a program.
//!
//! It packages the published crates (`cargo package`, as a release would), unpacks the
//! `.crate` files, makes a crate outside the workspace with `cargo new`, adds the
//! README's marked `Cargo.toml` blocks (the dependency, the profile, tokio) with
//! `[patch.crates-io]` pointing at the unpacked crates (how one tries a release before
//! it is on crates.io), copies the README's first example into `tests/network.rs` and
//! every other README block with `#[netns_test]` into `tests/readme.rs`, and runs
//! `cargo test --offline` there: every `#[netns_test]` must build its network and pass.
//! Then it installs the command from its package and runs it on a topology file.
//!
//! Slow (it builds the crates as a user's crate does): a target of its own behind the
//! `adoption` feature, run by `cargo xtask test`. Its build cache is
//! `target/netns-test/adoption/` (`NETNS_TEST_ADOPTION_TARGET` names another: an
//! empty directory measures a new user's first build).

mod readme;
mod scratch;

use scratch::{run, Scratch};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The published crates, in dependency order.
const CRATES: [&str; 4] = [
    "netns-test-topology",
    "netns-test-macros",
    "netns-test",
    "netns-test-cli",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

/// cargo, without what the cargo running this test set for it.
fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_") && key != "CARGO_HOME" || key == "RUSTFLAGS" {
            cmd.env_remove(&*key);
        }
    }
    cmd
}

#[test]
fn a_new_crate_goes_green_with_the_readmes_lines() {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = readme::Blocks::of(&readme);
    let s = Scratch::new("adoption");

    // The packages a release would upload.
    let mut package = cargo(&root);
    package.args(["package", "--no-verify", "--allow-dirty", "--offline"]);
    for c in CRATES {
        package.args(["-p", c]);
    }
    package.arg("--target-dir").arg(s.path("package"));
    run(&mut package);
    let version = env!("CARGO_PKG_VERSION");
    let unpacked = s.path("crates");
    std::fs::create_dir_all(&unpacked).unwrap();
    for c in CRATES {
        let file = s.path(&format!("package/package/{c}-{version}.crate"));
        run(Command::new("tar")
            .arg("xzf")
            .arg(&file)
            .arg("-C")
            .arg(&unpacked));
    }

    // A new crate, outside any workspace, with the README's lines.
    let started = Instant::now();
    run(cargo(&s.0).args(["new", "--lib", "--vcs", "none", "adopter"]));
    let adopter = s.path("adopter");
    let mut manifest = std::fs::read_to_string(adopter.join("Cargo.toml")).unwrap();
    manifest.push_str(&blocks.cargo_toml());
    manifest.push_str("\n[patch.crates-io]\n");
    // The libraries; the command is installed from its package below.
    for c in &CRATES[..3] {
        let dir = unpacked.join(format!("{c}-{version}"));
        manifest.push_str(&format!(
            "{c} = {{ path = {:?} }}\n",
            dir.display().to_string()
        ));
    }
    std::fs::write(adopter.join("Cargo.toml"), &manifest).unwrap();
    std::fs::create_dir_all(adopter.join("tests")).unwrap();
    std::fs::write(adopter.join("tests/network.rs"), blocks.first_test()).unwrap();
    std::fs::write(adopter.join("tests/readme.rs"), blocks.other_tests()).unwrap();
    for (path, text) in blocks.files() {
        std::fs::write(adopter.join(path), text).unwrap();
    }

    let target = std::env::var_os("NETNS_TEST_ADOPTION_TARGET")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/netns-test/adoption"));
    let out = run(cargo(&adopter)
        .args(["test", "--offline", "--test", "network", "--test", "readme"])
        .env("CARGO_TARGET_DIR", &target));
    let green = started.elapsed();
    let names = blocks.test_names();
    assert!(names.len() >= 5, "too few README tests found: {names:?}");
    for name in &names {
        assert!(
            out.lines()
                .any(|l| l.starts_with("test ") && l.contains(name) && l.ends_with("... ok")),
            "{name} did not pass:\n{out}"
        );
    }
    eprintln!(
        "adoption: from `cargo new` to {} green README tests in {:.1} s (target dir {})",
        names.len(),
        green.as_secs_f64(),
        target.display()
    );

    // The command, installed from its package as `cargo install netns-test-cli` would.
    // `cargo install --path` reads no workspace's [patch]: the same patch as config.
    let install = s.path("install");
    let mut installing = cargo(&adopter);
    installing
        .args(["install", "--offline", "--debug", "--path"])
        .arg(unpacked.join(format!("netns-test-cli-{version}")))
        .arg("--root")
        .arg(&install)
        .env("CARGO_TARGET_DIR", &target);
    for c in &CRATES[..3] {
        let dir = unpacked.join(format!("{c}-{version}"));
        installing.arg("--config").arg(format!(
            "patch.crates-io.{c}.path={:?}",
            dir.display().to_string()
        ));
    }
    run(&mut installing);
    // The README's NAT example network: c1 reaches the public server through its NAT.
    let topo = adopter.join("tests/two_homes.topo");
    assert!(
        topo.is_file(),
        "the README marks no tests/two_homes.topo block"
    );
    let command = install.join("bin/netns-test");
    let checked = run(Command::new(&command).arg("check").arg(&topo));
    assert!(
        checked.contains("two_homes.topo: ok (6 nodes, 5 links, 1 bridge)"),
        "{checked}"
    );
    let up = run(Command::new(&command)
        .args([
            "up",
            "tests/two_homes.topo",
            "c1",
            "--",
            "ping",
            "-c1",
            "-W2",
            "203.0.113.10",
        ])
        .current_dir(&adopter)
        .env("CARGO_TARGET_DIR", &target));
    assert!(up.contains("1 received"), "{up}");
}
