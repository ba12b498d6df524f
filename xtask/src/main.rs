//! `cargo xtask`: the project's task runner (rust-analyzer's pattern: one binary,
//! subcommands, std only).

mod bench;
mod graph;
mod rootless;
mod run;
mod smoke;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [args]

tasks:
  smoke [PATH...]   the topology smoke suite (default tests/topologies), then a table of timings;
                    --explain FILE prints a topology's addresses and diagram (see `smoke --help`)
  test              everything CI runs: fmt, clippy, the suite as root and rootless
  rootless [UID]    build the test binaries and run them as an unprivileged user (default 65534)
  bench [--quick]   measure W1/W2/W3 against the shell steps; writes target/netns-test-bench.{json,svg}
  graph FILE        a topology as Graphviz: target/netns-test/graph/NAME.dot (and .svg with `dot`)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        Some("rootless") => rootless::run(&args[1..]),
        Some("smoke") => smoke::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("graph") => graph::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
