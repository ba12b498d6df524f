//! `cargo xtask soak [N]`: N sandboxes (default 10 000) through the harness, mixing
//! passing bodies, panics, `Err`s, aborts, segfaults, timeouts, `exit()` from the
//! body and background processes, in test processes of a few hundred runs each (the
//! fixture `tests/fixtures/soak.rs`, two threads each, as libtest runs tests), and
//! every few hundred runs a test process killed with SIGKILL mid-test. Afterwards
//! nothing may be left: no process of the soak, no fd of this process, no mount, no
//! link in the host's namespace, no `/run/netns` entry, no temp file; no run may
//! have hung (a deadline per run); every run must have earned its own verdict.
//! Prints the tally. `--rootless` runs the test processes as `nobody` (setpriv).

use crate::run::{is_root, root, test_executable};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod host;

/// Arguments of `cargo xtask soak`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// How many sandboxes
    #[arg(default_value_t = 10_000)]
    pub runs: u64,
    /// Run the test processes as this unprivileged user (65534, nobody, by default)
    #[arg(long, num_args = 0..=1, default_missing_value = "65534", value_name = "UID")]
    pub rootless: Option<u32>,
    /// Runs per test process
    #[arg(long, default_value_t = 250)]
    pub batch: u64,
    /// A test process killed mid-test after every this many runs
    #[arg(long, default_value_t = 300)]
    pub kill_every: u64,
}

/// The longest a run may take before the soak calls it hung: the fixture's deadline
/// (20 s) and the harness's grace after it, with room for a loaded machine.
const HUNG: Duration = Duration::from_secs(60);

pub fn run(args: Args) -> Result<(), String> {
    if args.rootless.is_some() && !is_root() {
        return Err("--rootless drops privileges with setpriv and must run as root".into());
    }
    let exe = test_executable("soak", &["--features", "fixtures"])?;
    let marker = format!(
        "netns-test-soak-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    );
    let scratch = Scratch::new(args.rootless)?;
    let before = host::State::read(&scratch.tmp)?;
    let mut tally = Tally::default();
    let started = Instant::now();
    let mut next = 0;
    let mut next_kill = args.kill_every;
    while next < args.runs {
        let count = args.batch.min(args.runs - next).min(next_kill - next);
        let mut cmd = fixture(&exe, &marker, &scratch, args.rootless);
        cmd.args(["--first", &next.to_string(), "--count", &count.to_string()]);
        batch(cmd, &mut tally)?;
        next += count;
        if next == next_kill && next < args.runs {
            kill_mid_test(fixture(&exe, &marker, &scratch, args.rootless), &marker)?;
            tally.killed += 1;
            next_kill += args.kill_every;
        }
        eprintln!(
            "soak: {next}/{} runs, {:.0} s",
            args.runs,
            started.elapsed().as_secs_f64()
        );
    }
    let wall = started.elapsed();
    // Nothing of the soak may run on: wait until the kernel shows none (sandboxes
    // still closing their capture sockets take a moment).
    let left = host::wait_for_no_process(&marker, Duration::from_secs(10));
    let after = host::State::read(&scratch.tmp)?;
    let changes = before.changes(&after, &left);
    println!("{}", tally.table(args.runs, wall, args.rootless, &changes));
    scratch.remove();
    let unexpected: u64 = tally.kinds.values().map(|k| k.unexpected).sum();
    let done: u64 = tally.kinds.values().map(|k| k.runs).sum();
    if unexpected > 0
        || tally.hung > 0
        || done != args.runs
        || !tally.leaks.is_empty()
        || !changes.is_empty()
    {
        return Err("the soak found problems (above)".into());
    }
    Ok(())
}

/// The fixture's command: as `uid` when rootless, in the soak's scratch directories.
fn fixture(exe: &Path, marker: &str, scratch: &Scratch, uid: Option<u32>) -> Command {
    let mut cmd = match uid {
        Some(uid) => {
            let mut c = Command::new("setpriv");
            c.args([
                format!("--reuid={uid}"),
                format!("--regid={uid}"),
                "--clear-groups".to_string(),
            ])
            .arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args(["--marker", marker, "--forensics"])
        .arg(&scratch.forensics)
        .env("TMPDIR", &scratch.tmp)
        .current_dir(&scratch.tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

/// Runs one test process to its end, reading its lines with a deadline per run.
fn batch(mut cmd: Command, tally: &mut Tally) -> Result<(), String> {
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("starting the soak's test process: {e}"))?;
    let lines = lines_of(&mut child);
    let mut in_flight: BTreeMap<u64, String> = BTreeMap::new();
    let mut ended = false;
    loop {
        match lines.recv_timeout(HUNG) {
            Ok(line) => {
                let words: Vec<&str> = line.splitn(5, ' ').collect();
                match words.as_slice() {
                    ["start", i, kind] => {
                        in_flight.insert(i.parse().unwrap_or(0), kind.to_string());
                    }
                    ["done", i, kind, ms, verdict] => {
                        in_flight.remove(&i.parse().unwrap_or(0));
                        tally.done(kind, ms.parse().unwrap_or(0.0), verdict, &line);
                    }
                    ["body", ..] => {}
                    ["batch", "ok"] => ended = true,
                    ["batch", ..] => {
                        tally.leaks.push(line.clone());
                        ended = true;
                    }
                    _ => tally.leaks.push(format!("unexpected output: {line}")),
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                tally.hung += in_flight.len().max(1) as u64;
                eprintln!("\nsoak: HUNG: no run ended within {HUNG:?}: {in_flight:?}");
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !ended || !in_flight.is_empty() {
        tally.leaks.push(format!(
            "a test process ended ({status}) with runs in flight: {in_flight:?}"
        ));
    }
    Ok(())
}

/// Starts a test process whose sandbox hangs with a background process, waits until
/// that process exists, SIGKILLs the test process, and waits until every process of
/// the soak is gone.
fn kill_mid_test(mut cmd: Command, marker: &str) -> Result<(), String> {
    let mut child = cmd
        .arg("--hang")
        .spawn()
        .map_err(|e| format!("starting the soak's test process: {e}"))?;
    let hang = format!("{marker}-hang");
    let seen = host::wait_until(Duration::from_secs(20), || host::pgrep(&hang));
    let _ = child.kill();
    let _ = child.wait();
    if !seen {
        return Err("the test process to be killed never started its background process".into());
    }
    let left = host::wait_for_no_process(marker, Duration::from_secs(10));
    if !left.is_empty() {
        return Err(format!(
            "processes of a test killed mid-test outlived it: {left:?}"
        ));
    }
    Ok(())
}

/// The child's stdout, line by line, on a channel.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The soak's own directories: TMPDIR of the test processes (must end empty) and
/// where failed runs write their reports and captures.
struct Scratch {
    dir: PathBuf,
    tmp: PathBuf,
    forensics: PathBuf,
}

impl Scratch {
    fn new(uid: Option<u32>) -> Result<Scratch, String> {
        let dir = root().join("target/soak");
        let _ = std::fs::remove_dir_all(&dir);
        let (tmp, forensics) = (dir.join("tmp"), dir.join("forensics"));
        for d in [&tmp, &forensics] {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
            if let Some(uid) = uid {
                std::os::unix::fs::chown(d, Some(uid), Some(uid))
                    .map_err(|e| format!("chown {}: {e}", d.display()))?;
            }
        }
        Ok(Scratch {
            dir,
            tmp,
            forensics,
        })
    }

    fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Counts per kind of run, and what went wrong.
#[derive(Debug, Default)]
struct Tally {
    kinds: BTreeMap<String, Kind>,
    hung: u64,
    killed: u64,
    /// `batch LEAK` lines and test processes that ended badly.
    leaks: Vec<String>,
}

#[derive(Debug, Default)]
struct Kind {
    runs: u64,
    unexpected: u64,
    ms: Vec<f64>,
    first_unexpected: Option<String>,
}

impl Tally {
    fn done(&mut self, kind: &str, ms: f64, verdict: &str, line: &str) {
        let k = self.kinds.entry(kind.to_string()).or_default();
        k.runs += 1;
        k.ms.push(ms);
        if verdict != "ok" {
            k.unexpected += 1;
            k.first_unexpected.get_or_insert_with(|| line.to_string());
        }
    }

    fn table(&mut self, runs: u64, wall: Duration, uid: Option<u32>, changes: &[String]) -> String {
        use std::fmt::Write;
        let done: u64 = self.kinds.values().map(|k| k.runs).sum();
        let who = uid.map_or("root".to_string(), |u| format!("uid {u} (rootless)"));
        let mut out = format!(
            "soak: {done} of {runs} runs in {:.1} s ({:.0} runs/s) as {who}; {} test processes killed mid-test\n",
            wall.as_secs_f64(),
            done as f64 / wall.as_secs_f64(),
            self.killed
        );
        let _ = writeln!(
            out,
            "  {:<11} {:>6} {:>11} {:>10} {:>10} {:>10}",
            "kind", "runs", "as expected", "unexpected", "median ms", "max ms"
        );
        for (name, k) in &mut self.kinds {
            k.ms.sort_by(f64::total_cmp);
            let _ = writeln!(
                out,
                "  {name:<11} {:>6} {:>11} {:>10} {:>10.1} {:>10.1}",
                k.runs,
                k.runs - k.unexpected,
                k.unexpected,
                k.ms.get(k.ms.len() / 2).copied().unwrap_or(0.0),
                k.ms.last().copied().unwrap_or(0.0)
            );
        }
        for k in self.kinds.values() {
            if let Some(line) = &k.first_unexpected {
                let _ = writeln!(out, "  first unexpected: {line}");
            }
        }
        let _ = writeln!(out, "  hung: {}", self.hung);
        let _ = writeln!(out, "  leaks in the test processes: {}", self.leaks.len());
        for l in self.leaks.iter().take(5) {
            let _ = writeln!(out, "    {l}");
        }
        let _ = writeln!(
            out,
            "  left behind (processes, fds of this process, mounts, host links, /run/netns, temp files): {}",
            if changes.is_empty() { "nothing".to_string() } else { changes.len().to_string() }
        );
        for c in changes {
            let _ = writeln!(out, "    {c}");
        }
        if done != runs {
            let _ = writeln!(out, "  runs that never reported: {}", runs - done);
        }
        out
    }
}
