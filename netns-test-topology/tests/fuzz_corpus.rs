//! The fuzz corpus, replayed on stable: CI fuzzes nothing (that needs nightly and
//! minutes), but every input the fuzzer kept goes through the same target bodies
//! (`fuzz/targets.rs`) here. And the seeds: every example of `docs/topology.md` is a
//! file of `fuzz/corpus/parse/`, extracted by this test, not copied by hand
//! (`NETNS_TEST_WRITE_SEEDS=1 cargo test -p netns-test-topology --test fuzz_corpus`
//! writes the missing ones, for every target).

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};

/// A target's body: panics on a broken promise.
type Body = fn(&[u8]);

const TARGETS: &[(&str, Body)] = &[
    ("parse", targets::parse_bytes),
    ("validate", targets::validate),
    ("roundtrip", targets::roundtrip),
];

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// Every fenced block of the language reference, as written.
fn examples() -> Vec<String> {
    let doc = include_str!("../../docs/topology.md");
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            out.push(body.join("\n"));
        }
    }
    out
}

/// A seed's file name: `doc-` and the FNV-1a hash of its text, so it is stable.
fn seed_name(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("doc-{hash:016x}")
}

#[test]
fn every_example_of_the_reference_is_a_seed() {
    let examples = examples();
    assert!(examples.len() >= 40, "only {} examples", examples.len());
    let write = std::env::var_os("NETNS_TEST_WRITE_SEEDS").is_some();
    let mut missing = Vec::new();
    for (target, _) in TARGETS {
        for text in &examples {
            let file = corpus(target).join(seed_name(text));
            if std::fs::read_to_string(&file).ok().as_deref() == Some(text) {
                continue;
            }
            if write {
                std::fs::create_dir_all(corpus(target)).unwrap();
                std::fs::write(&file, text).unwrap();
            } else {
                missing.push(file.display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "examples of docs/topology.md missing from the fuzz corpus (write them with \
         NETNS_TEST_WRITE_SEEDS=1): {missing:#?}"
    );
}

#[test]
fn the_corpus_replays_through_the_targets() {
    for (target, body) in TARGETS {
        let dir = corpus(target);
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!files.is_empty(), "{} is empty", dir.display());
        for file in &files {
            let data = std::fs::read(file).unwrap();
            let caught = std::panic::catch_unwind(|| body(&data));
            assert!(caught.is_ok(), "{target}: {} fails", file.display());
        }
        eprintln!("{target}: {} inputs", files.len());
    }
}
