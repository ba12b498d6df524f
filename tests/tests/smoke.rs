//! The topology smoke suite: every `.topo` file under `tests/topologies` is one trial,
//! built in a sandbox of its own and proven by its `expect` statements and the
//! segment checks (pings and neighbour tables). `cargo xtask smoke` runs the same
//! suite through the `netns-test` command, with other paths and a table of timings
//! (see `netns_test::smoke`).

fn main() {
    // cargo test and nextest run test binaries in the package's directory.
    netns_test::smoke::main("topologies")
}
