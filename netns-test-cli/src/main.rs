//! `netns-test`: topology files from the command line, without building a test.
//!
//! Each subcommand has its module, in the order a file meets them: `read` (a file
//! parsed, or its error as the macro would give it), `check`, `explain`, `graph`
//! (with `output`: where files go), `smoke` (the files built and checked in sandboxes)
//! and `up` (one file built, a shell inside it; `terminal` gives the terminal back).
//! The arguments are read with clap's derive, in this file.

mod check;
mod explain;
mod graph;
mod output;
mod read;
mod smoke;
mod terminal;
mod up;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Topology files of netns-test: check, explain, draw and smoke-test them, or build one
/// (rootless) and open a shell inside it
#[derive(Debug, Parser)]
#[command(name = "netns-test", version, bin_name = "netns-test")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and validate topology files; mistakes are printed as FILE:LINE:COL: message
    /// (exit code 1), as #[netns_test] reports them at compile time
    Check {
        /// The topology files
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print a topology back with every name and address resolved (automatic ones
    /// marked), each node's interfaces, and a diagram; nothing is built
    Explain {
        /// The topology file
        file: PathBuf,
    },
    /// Write a topology as Graphviz DOT, and as SVG when `dot` is installed, to
    /// <target>/netns-test/graph/ (CARGO_TARGET_DIR, or the target/ of the cargo
    /// project around the current directory)
    Graph {
        /// The topology file
        file: PathBuf,
        /// Write into this directory instead
        #[arg(long, short, value_name = "DIR", conflicts_with = "stdout")]
        out: Option<PathBuf>,
        /// Print the DOT text instead of writing files
        #[arg(long)]
        stdout: bool,
    },
    /// Build every .topo file under the paths in a sandbox of its own and run its
    /// checks (every `expect`, each segment's pings and neighbour tables), then a table
    /// of timings
    Smoke(smoke::Args),
    /// Build a topology rootless and open $SHELL inside NODE (default: host, the
    /// sandbox's own namespace); `ip netns exec OTHER CMD` reaches the other nodes.
    /// Everything is gone when the shell exits. With `-- CMD ARGS...`, runs CMD instead
    /// and exits with its exit code
    Up(up::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { files } => check::run(&files),
        Command::Explain { file } => explain::run(&file),
        Command::Graph { file, out, stdout } => graph::run(&file, out.as_deref(), stdout),
        Command::Smoke(args) => smoke::run(args),
        Command::Up(args) => up::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("netns-test: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cli, Command};
    use clap::{CommandFactory, Parser};
    use std::path::PathBuf;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("netns-test").chain(args.iter().copied()))
            .map(|c| c.command)
    }

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_and_its_arguments_parse() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["check"]).is_err());
        match parse(&["check", "a.topo", "b.topo"]) {
            Ok(Command::Check { files }) => {
                assert_eq!(files, [PathBuf::from("a.topo"), "b.topo".into()])
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["explain"]).is_err());
        assert!(parse(&["explain", "a", "b"]).is_err());
        match parse(&["graph", "a.topo", "--out", "d"]) {
            Ok(Command::Graph { file, out, stdout }) => {
                assert_eq!(
                    (file, out, stdout),
                    ("a.topo".into(), Some("d".into()), false)
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["graph", "a.topo", "--out", "d", "--stdout"]).is_err());
        match parse(&["smoke", "dir", "x.topo", "--", "router", "--exact"]) {
            Ok(Command::Smoke(a)) => {
                assert_eq!(a.paths, [PathBuf::from("dir"), "x.topo".into()]);
                assert_eq!(a.libtest, ["router", "--exact"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["smoke"]).is_err(), "smoke needs a path");
        match parse(&["up", "t.topo"]) {
            Ok(Command::Up(a)) => {
                assert_eq!(a.file, PathBuf::from("t.topo"));
                assert!(a.node.is_none() && a.command.is_empty());
            }
            other => panic!("{other:?}"),
        }
        match parse(&["up", "t.topo", "a", "--", "ip", "-br", "addr"]) {
            Ok(Command::Up(a)) => {
                assert_eq!(a.node.as_deref(), Some("a"));
                assert_eq!(a.command, ["ip", "-br", "addr"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["up"]).is_err());
        assert!(parse(&["nonsense"]).is_err());
    }
}
