//! A ready `main` for a `harness = false` test target that proves a directory of
//! `.topo` files: `fn main() { netns_test::smoke::main("tests/topologies") }`.
