//! `cargo xtask`: the project's task runner (rust-analyzer's pattern: one binary,
//! subcommands; the alias lives in .cargo/config.toml). Its arguments are read with
//! clap's derive, in this file.

mod bench;
mod graph;
mod other_os;
mod rootless;
mod run;
mod smoke;
mod soak;
mod test;
mod tools;

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The project's task runner: the smoke suite, CI's checks, the rootless run, the bench, graphs
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Option<Task>,
}

#[derive(Debug, Subcommand)]
enum Task {
    Smoke(smoke::Args),
    /// Everything CI runs: fmt, clippy, the suite as root and rootless
    Test,
    /// Build the test binaries and run them as an unprivileged user
    Rootless {
        /// The user (and group) id to run as
        #[arg(default_value_t = rootless::NOBODY)]
        uid: u32,
    },
    /// Measure W1/W2/W3 against the shell steps; writes target/netns-test-bench.{json,svg}
    Bench {
        /// Fewer iterations: a smoke check of the bench itself
        #[arg(long)]
        quick: bool,
    },
    /// N sandboxes of every kind (default 10 000), test processes killed mid-test; then
    /// nothing may be left behind
    Soak(soak::Args),
    /// Compile netns-test and its API test for other OSes (default: x86_64-apple-darwin)
    OtherOs {
        /// Rust target triples
        targets: Vec<String>,
    },
    /// A topology as Graphviz: `<target>/netns-test/graph/NAME.dot` (and `.svg` with `dot`), by
    /// `netns-test graph FILE`
    Graph {
        /// The topology file
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let Some(task) = Cli::parse().task else {
        // Bare `cargo xtask` lists the tasks, as `--help` does.
        let _ = Cli::command().print_help();
        return ExitCode::SUCCESS;
    };
    let result = match task {
        Task::Smoke(args) => smoke::run(args),
        Task::Test => test::run(),
        Task::Rootless { uid } => rootless::run(uid),
        Task::Bench { quick } => bench::run(quick),
        Task::Graph { file } => graph::run(&file),
        Task::Soak(args) => soak::run(args),
        Task::OtherOs { targets } if targets.is_empty() => {
            let defaults: Vec<String> = other_os::DEFAULT_TARGETS
                .iter()
                .map(|t| t.to_string())
                .collect();
            other_os::run(&defaults)
        }
        Task::OtherOs { targets } => other_os::run(&targets),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cli, Task};
    use clap::{CommandFactory, Parser};
    use std::path::PathBuf;

    fn parse(args: &[&str]) -> Result<Option<Task>, clap::Error> {
        Cli::try_parse_from(std::iter::once("xtask").chain(args.iter().copied())).map(|c| c.task)
    }

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_task_and_flag_parses() {
        assert!(parse(&[]).unwrap().is_none());
        assert!(matches!(parse(&["test"]), Ok(Some(Task::Test))));
        assert!(matches!(
            parse(&["rootless"]),
            Ok(Some(Task::Rootless { uid: 65534 }))
        ));
        assert!(matches!(
            parse(&["rootless", "1000"]),
            Ok(Some(Task::Rootless { uid: 1000 }))
        ));
        assert!(parse(&["rootless", "nobody"]).is_err());
        assert!(matches!(
            parse(&["bench"]),
            Ok(Some(Task::Bench { quick: false }))
        ));
        assert!(matches!(
            parse(&["bench", "--quick"]),
            Ok(Some(Task::Bench { quick: true }))
        ));
        assert!(parse(&["bench", "--slow"]).is_err());
        match parse(&["graph", "t.topo"]) {
            Ok(Some(Task::Graph { file })) => assert_eq!(file, PathBuf::from("t.topo")),
            other => panic!("{other:?}"),
        }
        assert!(parse(&["graph"]).is_err());
        match parse(&["soak"]) {
            Ok(Some(Task::Soak(a))) => assert_eq!((a.runs, a.rootless), (10_000, None)),
            other => panic!("{other:?}"),
        }
        match parse(&["soak", "300", "--rootless"]) {
            Ok(Some(Task::Soak(a))) => assert_eq!((a.runs, a.rootless), (300, Some(65534))),
            other => panic!("{other:?}"),
        }
        match parse(&["soak", "--rootless", "1000", "--batch", "10"]) {
            Ok(Some(Task::Soak(a))) => assert_eq!((a.rootless, a.batch), (Some(1000), 10)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(&["other-os"]),
            Ok(Some(Task::OtherOs { targets })) if targets.is_empty()
        ));
        assert!(matches!(
            parse(&["other-os", "x86_64-unknown-freebsd", "x86_64-pc-windows-msvc"]),
            Ok(Some(Task::OtherOs { targets })) if targets.len() == 2
        ));
        assert!(parse(&["graph", "a", "b"]).is_err());
        assert!(parse(&["test", "extra"]).is_err());
        assert!(parse(&["nonsense"]).is_err());
    }

    #[test]
    fn smoke_takes_paths_libtest_args_or_one_file_to_explain() {
        let smoke = |args: &[&str]| match parse(args) {
            Ok(Some(Task::Smoke(a))) => Ok(a),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        };
        let a = smoke(&["smoke"]).unwrap();
        assert!(a.paths.is_empty() && a.libtest.is_empty() && a.explain.is_none());
        let a = smoke(&["smoke", "x.topo", "dir", "--", "router", "--exact", "--"]).unwrap();
        assert_eq!(a.paths, [PathBuf::from("x.topo"), PathBuf::from("dir")]);
        assert_eq!(a.libtest, ["router", "--exact", "--"]);
        let a = smoke(&["smoke", "--", "--list", "--format", "terse"]).unwrap();
        assert!(a.paths.is_empty());
        assert_eq!(a.libtest, ["--list", "--format", "terse"]);
        let a = smoke(&["smoke", "--explain", "x.topo"]).unwrap();
        assert_eq!(a.explain, Some(PathBuf::from("x.topo")));
        // libtest's options go after `--`; --explain stands alone.
        assert!(smoke(&["smoke", "--exact", "router"]).is_err());
        assert!(smoke(&["smoke", "--explain"]).is_err());
        assert!(smoke(&["smoke", "--explain", "x.topo", "y.topo"]).is_err());
        assert!(smoke(&["smoke", "--explain", "x.topo", "--", "--list"]).is_err());
    }
}
