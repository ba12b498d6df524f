//! `netns-test up FILE [NODE] [-- CMD ARGS...]`: the topology built rootless, as a test
//! builds it, and a shell (or CMD) inside NODE, on this terminal.
//!
//! It is `netns_test::run` with a body that starts the program through
//! `Node::command` (in the node's network namespace, and in a mount namespace where
//! `/run/netns/<node>` exists for every node, so `ip netns exec OTHER ...` works) and
//! waits for it. The sandbox's output is not relayed (`Options::relay_output(false)`):
//! the program has this process's stdin, stdout and stderr, the terminal. When it
//! exits the body returns, the sandbox ends and the kernel removes every namespace,
//! link and process of the session (the sandbox's PID namespace takes the program's
//! children along).

use crate::{output, read, terminal};
use netns_test::{Net, Options};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The arguments of `netns-test up`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topology file
    pub file: PathBuf,
    /// The node to start in [default: host, the sandbox's own namespace]
    pub node: Option<String>,
    /// End the session after this long (`90s`, `30m`) [default: no limit]
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub timeout: Option<Duration>,
    /// Skip the checks (every `expect`, each segment's pings and neighbour tables)
    /// before the shell
    #[arg(long)]
    pub no_checks: bool,
    /// A command to run instead of $SHELL; the exit code is its
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// No deadline, as far as a session at a terminal goes.
const NO_LIMIT: Duration = Duration::from_secs(30 * 24 * 3600);

fn duration(text: &str) -> Result<Duration, String> {
    netns_test::topology::duration::parse(text).map_err(|e| e.to_string())
}

/// Builds the topology, runs the shell or command inside the node, tears it all down;
/// the exit code is the program's.
pub fn run(args: Args) -> Result<ExitCode, String> {
    let topology = match read::topology(&args.file) {
        Ok(t) => t,
        Err(read::Unusable(e)) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let node = args
        .node
        .unwrap_or_else(|| netns_test::topology::HOST.to_string());
    if !topology.has_node(&node) {
        return Err(format!(
            "{} has no node {node:?}; nodes: {}",
            args.file.display(),
            topology.node_names().join(", ")
        ));
    }
    let interactive = args.command.is_empty();
    // Read here, in this process: the sandbox never reads the environment.
    let (program, program_args) = match args.command.split_first() {
        Some((p, rest)) => (p.clone(), rest.to_vec()),
        None => (
            std::env::var("SHELL")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
            Vec::new(),
        ),
    };
    let name = args
        .file
        .file_stem()
        .map_or("topology".into(), |s| s.to_string_lossy().into_owned());
    let mut options = Options::new()
        .name(format!("up.{name}"))
        .timeout(args.timeout.unwrap_or(NO_LIMIT))
        .checks(false)
        .expects(false)
        .relay_output(false);
    if let Ok(dir) = output::dir("up") {
        options = options.forensics_dir(dir.join(&name));
    }
    // The body runs in the sandbox, another process that gets none of this process's
    // descriptors: its program's exit code comes back in a file (the same filesystem).
    let code_file = CodeFile::new()?;
    let code_path = code_file.0.clone();
    let checks = !args.no_checks;
    let file = args.file.display().to_string();
    let saved = terminal::Saved::take();
    let result = netns_test::run(&topology, options, move |net: &Net| {
        if checks {
            if let Err(failed) = net.check() {
                eprintln!(
                    "netns-test: {file}: the checks failed (the session opens anyway):\n{failed}"
                );
            }
        }
        if interactive {
            eprint!("{}", banner(net, &file, &node, &program));
        }
        let code = match net
            .node(&node)
            .command(&program)
            .args(&program_args)
            .env("NETNS_TEST_NODE", &node)
            .status()
        {
            Ok(status) => exit_code(status),
            Err(e) => {
                eprintln!("netns-test: {program}: {e}");
                127
            }
        };
        std::fs::write(&code_path, code.to_string())
            .map_err(|e| format!("passing the exit code on: {e}"))
    });
    // An interactive shell took the terminal for its own process group.
    saved.restore();
    match result {
        Ok(()) => {
            let code: i32 = std::fs::read_to_string(&code_file.0)
                .ok()
                .and_then(|text| text.trim().parse().ok())
                .ok_or("the program's exit code did not come back")?;
            Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
        }
        Err(e) if e.is_unavailable() => Err(e.message()),
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Where the body leaves the program's exit code: a new file of this process's own in
/// the temporary directory, removed afterwards.
struct CodeFile(std::path::PathBuf);

impl CodeFile {
    fn new() -> Result<CodeFile, String> {
        let path = std::env::temp_dir().join(format!("netns-test-up-{}.code", std::process::id()));
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| format!("a file for the exit code, {}: {e}", path.display()))?;
        Ok(CodeFile(path))
    }
}

impl Drop for CodeFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The program's exit code, or 128 + the signal that ended it, as shells say it.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

/// What the session is: the nodes with their addresses, and how to reach the others.
fn banner(net: &Net, file: &str, node: &str, program: &str) -> String {
    use std::fmt::Write as _;
    let mut out = format!("netns-test: {file} is up\n");
    for n in net.nodes() {
        let addrs: Vec<String> = n
            .ifaces()
            .iter()
            .map(|i| {
                let a: Vec<String> = i.addrs.iter().map(ToString::to_string).collect();
                format!("{} {}", i.name, a.join(" ")).trim_end().to_string()
            })
            .collect();
        let _ = writeln!(out, "  {:<10} {}", n.name(), addrs.join(", "));
    }
    let _ = writeln!(
        out,
        "netns-test: {program} in node {node} (NETNS_TEST_NODE); `ip netns exec NODE CMD` \
         runs CMD in another node; everything is removed when this shell exits"
    );
    out
}
