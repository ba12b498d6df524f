//! The workloads, each measured the way a suite meets it.
//!
//! Every workload runs in streams ([`stream`]): an untimed pause until the CPUs are
//! idle ([`settle`]), then runs back to back. The first run of a stream starts on a
//! settled machine (the *idle-settled* sample); the runs after the first sandbox of
//! the stream has let go of its namespaces start while the kernel frees the sandboxes
//! before them, as the tests of a long suite do (the *back-to-back* samples, the
//! headline figures). The difference is what the kernel's asynchronous teardown of a
//! sandbox costs the tests after it.
//!
//! - W1 (`w1.rs`): a 2-node line through `netns_test::run`, capture on and off, vs the
//!   seeds' shell steps.
//! - W2 (`w2.rs`): stars of N nodes on one bridge, vs the shell steps.
//! - One process per test and W3 (`processes.rs`): the `w1x200` fixture binary started
//!   once per test, as nextest does, and whole, as `cargo test` does.
//! - Peak RSS of the sandbox and of this process (`rss.rs`).

/// One process per test (nextest's way), and the whole fixture binary (W3).
pub mod processes;
/// Peak RSS of the sandbox's worker and of this process.
pub mod rss;
/// The 2-node line.
pub mod w1;
/// Stars on one bridge.
pub mod w2;

use netns_test::{Options, Timings, Topology};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

pub const W1_TOPOLOGY: &str = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24";
pub const W2_SIZES: [usize; 4] = [8, 32, 128, 256];
pub const W3_TESTS: usize = 200;

/// How many streams (and measured pairs with the shell) each workload gets; sized so
/// that the full run stays within a few minutes on 2 cores (the shell side of N=256
/// takes seconds per run) and `--quick` under two.
pub struct Plan {
    /// Warm-up streams, then measured ones.
    pub w1_warm: usize,
    pub w1: usize,
    /// (N, warm-up streams, measured streams, measured runs per stream, shell runs).
    /// Each stream also runs, unmeasured, until its first sandbox process has let go
    /// of its namespaces ([`stream`]): a run or two.
    pub w2: Vec<(usize, usize, usize, usize, usize)>,
    /// Streams of one-process-per-test pairs.
    pub processes: usize,
    pub w3_warm: usize,
    pub w3: usize,
    /// W4: pairs of runs (plain, spliced), and MiB per TCP transfer.
    pub w4: usize,
    pub w4_mib: usize,
}

impl Plan {
    pub fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                w1_warm: 1,
                w1: 8,
                w2: vec![
                    (8, 1, 3, 4, 2),
                    (32, 0, 2, 3, 1),
                    (128, 0, 2, 6, 1),
                    (256, 0, 2, 5, 1),
                ],
                processes: 3,
                w3_warm: 0,
                w3: 1,
                w4: 3,
                w4_mib: 256,
            }
        } else {
            Plan {
                w1_warm: 5,
                w1: 60,
                w2: vec![
                    (8, 2, 20, 5, 20),
                    (32, 1, 10, 4, 10),
                    (128, 1, 6, 10, 5),
                    (256, 1, 5, 8, 3),
                ],
                processes: 12,
                w3_warm: 1,
                w3: 5,
                w4: 7,
                w4_mib: 512,
            }
        }
    }
}

pub fn parse(source: &str) -> Result<Topology, String> {
    netns_test::topology::parse(source).map_err(|e| format!("topology {source:?}: {e}"))
}

/// One run through the public path with `options`; wall time around `run_timed` is
/// the total, the phases come from its `Timings`. A failed run is counted and the
/// bench goes on (a long run is not thrown away for one flake); a machine without user
/// namespaces ends it.
pub fn run_with(
    topology: &Topology,
    options: Options,
    failures: &mut usize,
) -> Result<Option<(Duration, Timings)>, String> {
    let start = Instant::now();
    let (result, timings) = netns_test::run_timed(topology, options, |_| ());
    let wall = start.elapsed();
    match result {
        Ok(()) => Ok(Some((wall, timings))),
        Err(e) if e.is_unavailable() => Err(e.to_string()),
        Err(e) => {
            *failures += 1;
            eprintln!("bench: a netns-test run failed: {e}");
            Ok(None)
        }
    }
}

/// A stream of runs as a suite meets them: `first` ran on a settled machine; then
/// `warm_runs` unmeasured runs, until the first run's sandbox process had exited;
/// then `steady`, back to back.
pub struct Stream<T> {
    pub first: T,
    pub warm_runs: usize,
    pub steady: Vec<T>,
}

/// A stream gives up waiting for its first sandbox process after this many runs.
const MAX_WARM_RUNS: usize = 40;

/// Runs `run` once, then until that run's sandbox process has exited, then `runs`
/// times more: those are measured. A sandbox process holds its namespaces for a while
/// after the verdict, while it closes its capture sockets (grace periods), and the
/// kernel frees them only then. The runs before that pay for no teardown, while every
/// test of a long suite pays for one: a stream measured from its second run left out
/// some of the teardown, the more of it the longer the sandbox lingered. It lingered
/// 1.7–2.0 s after a 128-node star and 3.4–3.6 s after a 256-node one, with the
/// sockets closed one after the other; 77–84 and 111–155 ms since they close on many
/// threads at once (`release.rs`). So this wait is a run or two now; it stays, so
/// that a slow close can never make the streams short again.
pub fn stream<T>(
    runs: usize,
    mut run: impl FnMut() -> Result<T, String>,
) -> Result<Stream<T>, String> {
    let before = sandbox_processes();
    let first = run()?;
    let lingering: Vec<String> = sandbox_processes()
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    let mut warm_runs = 0;
    while warm_runs < MAX_WARM_RUNS && {
        let now = sandbox_processes();
        lingering.iter().any(|p| now.contains(p))
    } {
        run()?;
        warm_runs += 1;
    }
    if warm_runs == MAX_WARM_RUNS {
        eprintln!(
            "bench: a stream's first sandbox process still held its namespaces after \
             {MAX_WARM_RUNS} more runs; measuring anyway"
        );
    }
    let steady = (0..runs).map(|_| run()).collect::<Result<_, _>>()?;
    Ok(Stream {
        first,
        warm_runs,
        steady,
    })
}

/// The sandbox processes of this program (its children).
fn sandbox_processes() -> Vec<String> {
    netns_test_tests::process::children()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

pub fn star_topology(n: usize) -> String {
    let mut s = String::from("bridge br0\n");
    for i in 1..=n {
        let _ = writeln!(s, "n{i} {}/16 -- br0", star_addr(i));
    }
    let _ = writeln!(s, "expect n1 -> n{n}");
    s
}

/// 10.1.X.Y for node i (1-based), never a .0 or .255 host part.
pub fn star_addr(i: usize) -> String {
    format!("10.1.{}.{}", i / 250, i % 250 + 1)
}

/// An untimed pause after runs that tore down `namespaces` namespaces: the kernel frees
/// them asynchronously (about 1 ms of CPU each here, on a kernel worker), and without
/// the pause that work would land in the next run. Waits at least a millisecond per
/// namespace and until every sandbox process of this program has exited, then until
/// the CPUs have stayed idle for a while (90 ms, and a millisecond more per namespace
/// up to 300 ms, in whole windows of 30 ms; at most five seconds more, then it says
/// so on stderr): the next run starts on a settled machine.
///
/// A sandbox process outlives its run's verdict while it closes its capture sockets,
/// sleeping through grace periods (3.5 s for a 256-node star when it closed them one
/// after the other): the CPUs look idle, and the namespaces it then lets go of were
/// freed inside the next, "idle-settled", run. And the kernel's `cleanup_net` of them
/// waits for grace periods between its busy stretches: one quiet 30 ms window, the
/// rule before, let the next run start in such a gap. Measured in one binary, alternating, the second of two
/// runs: N=256 took 770–960 ms after one quiet window and 357–473 ms after 300 ms of
/// quiet (the first run of a process, with nothing to tear down before it, 420–560
/// ms); N=128 167–395 ms (median about 290) against 157–237 ms.
pub fn settle(namespaces: usize) {
    std::thread::sleep(Duration::from_millis(2 + namespaces as u64));
    let gone_by = Instant::now() + Duration::from_secs(10);
    while !netns_test_tests::process::children().is_empty() && Instant::now() < gone_by {
        std::thread::sleep(Duration::from_millis(5));
    }
    const WINDOW: Duration = Duration::from_millis(30);
    let quiet_for = Duration::from_millis(90 + namespaces.min(210) as u64);
    let bound = Instant::now() + Duration::from_secs(5);
    let mut quiet = Duration::ZERO;
    let mut last = cpu_ticks();
    while Instant::now() < bound {
        std::thread::sleep(WINDOW);
        let now = cpu_ticks();
        let (busy, all) = (now.0 - last.0, now.1 - last.1);
        last = now;
        // /proc/stat counts in ticks of 10 ms: at most one busy tick in five.
        if all > 0 && busy * 5 <= all {
            quiet += WINDOW;
            if quiet >= quiet_for {
                return;
            }
        } else {
            quiet = Duration::ZERO;
        }
    }
    eprintln!(
        "bench: the CPUs did not stay idle for {} ms within 5 s (another load on the \
         machine?): the next idle-settled run starts on a busy one",
        quiet_for.as_millis()
    );
}

/// (busy, total) ticks of all CPUs since boot, from /proc/stat's first line.
fn cpu_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: u64 = fields.iter().sum();
    // idle and iowait are the 4th and 5th.
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    (total - idle, total)
}
