//! The README's blocks that a new user copies: the marked `Cargo.toml` blocks, merged
//! table by table, and the Rust blocks that hold `#[netns_test]` tests.

/// What the adoption test takes from the README.
#[derive(Debug)]
pub struct Blocks {
    /// The blocks marked for Cargo.toml, in order.
    toml: Vec<String>,
    /// Every ```rust block with a `#[netns_test]`, in order; the first is the example
    /// at the top. `rust,ignore` ones too: rustdoc cannot build an example that reads
    /// a file of the user's crate, so this test runs it.
    tests: Vec<String>,
    /// The blocks marked as files of the new crate: (path, text).
    files: Vec<(String, String)>,
}

/// The comment that marks a block for Cargo.toml.
const TOML_MARK: &str = "appends this block to a new crate's Cargo.toml";
/// The comment that marks a block as a file of the new crate: the path follows it.
const FILE_MARK: &str = "writes this block to a new crate's ";

impl Blocks {
    pub fn of(readme: &str) -> Blocks {
        let mut blocks = Blocks {
            toml: Vec::new(),
            tests: Vec::new(),
            files: Vec::new(),
        };
        let mut lines = readme.lines();
        let mut marked = false;
        let mut file: Option<String> = None;
        while let Some(line) = lines.next() {
            if line.contains(TOML_MARK) {
                marked = true;
                continue;
            }
            if let Some((_, rest)) = line.split_once(FILE_MARK) {
                let path = rest.split_whitespace().next().unwrap_or_default();
                file = Some(path.trim_end_matches('.').to_string());
                continue;
            }
            let Some(info) = line.strip_prefix("```") else {
                if !line.trim().is_empty() {
                    marked = false;
                    file = None;
                }
                continue;
            };
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            let body = body.join("\n") + "\n";
            if let Some(path) = file.take() {
                blocks.files.push((path, body));
            } else if info == "toml" && marked {
                blocks.toml.push(body);
            } else if (info == "rust" || info == "rust,ignore") && body.contains("#[netns_test(") {
                blocks.tests.push(body);
            }
            marked = false;
        }
        assert!(
            !blocks.toml.is_empty(),
            "no Cargo.toml block is marked in the README"
        );
        assert!(
            !blocks.tests.is_empty(),
            "no #[netns_test] example in the README"
        );
        blocks
    }

    /// The marked blocks as one piece of Cargo.toml: the lines of each table together,
    /// under one header (two blocks may both say `[dev-dependencies]`).
    pub fn cargo_toml(&self) -> String {
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for block in &self.toml {
            let mut current = String::new();
            for line in block.lines() {
                if line.starts_with('[') {
                    current = line.to_string();
                    if !tables.iter().any(|(h, _)| *h == current) {
                        tables.push((current.clone(), Vec::new()));
                    }
                } else if let Some((_, lines)) = tables.iter_mut().find(|(h, _)| *h == current) {
                    lines.push(line.to_string());
                }
            }
        }
        let mut out = String::new();
        for (header, lines) in tables {
            out.push_str(&format!("\n{header}\n"));
            for line in lines.iter().filter(|l| !l.trim().is_empty()) {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The files the README's examples read, (path in the crate, text).
    pub fn files(&self) -> &[(String, String)] {
        &self.files
    }

    /// The example at the top, as the user pastes it.
    pub fn first_test(&self) -> &str {
        &self.tests[0]
    }

    /// The other examples, each in a module of its own (their imports would clash).
    pub fn other_tests(&self) -> String {
        self.tests[1..]
            .iter()
            .enumerate()
            .map(|(i, block)| format!("mod block_{} {{\n{block}}}\n", i + 2))
            .collect()
    }

    /// The names of every test function in the examples.
    pub fn test_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for block in &self.tests {
            let mut after_attribute = false;
            for line in block.lines() {
                if line.starts_with("#[netns_test(") {
                    after_attribute = true;
                } else if after_attribute {
                    let name = line
                        .trim_start_matches("async ")
                        .strip_prefix("fn ")
                        .and_then(|rest| rest.split('(').next());
                    if let Some(name) = name {
                        names.push(name.to_string());
                        after_attribute = false;
                    }
                }
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::Blocks;

    #[test]
    fn marked_toml_merges_by_table_and_tests_are_found() {
        let readme = "\
intro
```rust
#[netns_test(topology = \"a -- b\")]
fn first(net: &Net) {}
```
<!-- x appends this block to a new crate's Cargo.toml. -->
```toml
[dev-dependencies]
netns-test = \"0.1\"
```
```toml
[not-marked]
```
<!-- x appends this block to a new crate's Cargo.toml. -->
```toml
[profile.dev]
debug = 1

[dev-dependencies]
tokio = \"1\"
```
```rust
use x;
#[netns_test(topology = \"a -- b\")]
async fn second() {}
```
```rust
fn not_a_test() {}
```
<!-- x writes this block to a new crate's tests/x.topo. -->
```text
a -- b
```
```rust,ignore
#[netns_test(topology_file = \"tests/x.topo\")]
fn third() {}
```
";
        let b = Blocks::of(readme);
        assert_eq!(
            b.cargo_toml(),
            "\n[dev-dependencies]\nnetns-test = \"0.1\"\ntokio = \"1\"\n\n[profile.dev]\ndebug = 1\n"
        );
        assert_eq!(b.test_names(), ["first", "second", "third"]);
        assert_eq!(
            b.files(),
            [("tests/x.topo".to_string(), "a -- b\n".to_string())]
        );
        assert!(b.first_test().contains("fn first"));
        assert!(b.other_tests().starts_with(
            "mod block_2 {\nuse x;\n#[netns_test(topology = \"a -- b\")]\nasync fn second() {}\n}\n"
        ));
    }
}
