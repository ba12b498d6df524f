//! A topology-file smoke suite: every `.topo` file under `examples/topologies` built in
//! a sandbox of its own and proven by its `expect` statements and the segment checks:
//! `cargo run -p netns-test --example smoke_suite [-- LIBTEST-ARGS]`.
//!
//! In a crate of your own this is a `harness = false` test target (see the README's
//! "A smoke suite of topology files"), run by `cargo test` with a path relative to the
//! package; an example runs from wherever cargo was invoked, hence the absolute path.

fn main() {
    netns_test::smoke::main(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/topologies"))
}
