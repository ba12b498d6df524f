//! The workloads W1, W2, W3 and the RSS probes, each run netns-test's way and the shell's.

use crate::shell::{w1_script, w2_script};
use crate::stats::{ShellStats, Stats};
use netns_test::{Options, Timings, Topology};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const W1_TOPOLOGY: &str = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24";
pub const W2_SIZES: [usize; 4] = [8, 32, 128, 256];
pub const W3_TESTS: usize = 200;

/// How many measured pairs each workload gets; sized so that the full run stays within
/// a few minutes on 2 cores (the shell side of N=256 takes seconds per run).
pub struct Plan {
    pub w1_warm: usize,
    pub w1: usize,
    /// (N, warm-up pairs, measured pairs)
    pub w2: Vec<(usize, usize, usize)>,
    pub w3_warm: usize,
    pub w3: usize,
}

impl Plan {
    pub fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                w1_warm: 2,
                w1: 10,
                w2: vec![(8, 1, 3), (32, 1, 2), (128, 0, 1), (256, 0, 1)],
                w3_warm: 0,
                w3: 1,
            }
        } else {
            Plan {
                w1_warm: 5,
                w1: 60,
                w2: vec![(8, 2, 20), (32, 1, 10), (128, 1, 5), (256, 1, 3)],
                w3_warm: 1,
                w3: 5,
            }
        }
    }
}

pub fn parse(source: &str) -> Result<Topology, String> {
    netns_test::topology::parse(source).map_err(|e| format!("topology {source:?}: {e}"))
}

/// One run through the public path; wall time around `run_timed` is the total, the
/// phases come from its `Timings`.
/// A failed run is counted and the bench goes on (a long run is not thrown away for
/// one flake); a machine without user namespaces ends it.
fn run_ours(
    topology: &Topology,
    failures: &mut usize,
) -> Result<Option<(Duration, Timings)>, String> {
    run_with(topology, Options::new(), failures)
}

/// [`run_ours`] with `options`.
fn run_with(
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

/// The sandbox worker's peak RSS in KiB, read inside the body (so: after the build,
/// before the checks) and sent back over a socket pair made before `run`: the body runs
/// in a forked process, so a captured variable could not carry it back.
pub fn child_peak_rss(topology: &Topology) -> Result<Option<u64>, String> {
    let (mut rx, tx) = UnixStream::pair().map_err(|e| format!("socketpair: {e}"))?;
    let (result, _) = netns_test::run_timed(topology, Options::new(), |_| {
        let kib = vm_hwm_kib("/proc/self/status").unwrap_or(0);
        (&tx).write_all(format!("{kib}\n").as_bytes())
    });
    result.map_err(|e| format!("netns-test run for the RSS probe failed: {e}"))?;
    drop(tx);
    // The worker wrote before it ended, so the bytes are already queued.
    rx.set_nonblocking(true)
        .map_err(|e| format!("socket: {e}"))?;
    let mut buf = [0u8; 64];
    let n = rx.read(&mut buf).unwrap_or(0);
    let kib = std::str::from_utf8(&buf[..n])
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&k| k > 0);
    if kib.is_none() {
        eprintln!("bench: the sandbox did not report its peak RSS");
    }
    Ok(kib)
}

pub fn vm_hwm_kib(status: &str) -> Option<u64> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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

/// An untimed pause after a run that tore down `namespaces` namespaces: the kernel frees
/// them asynchronously (about 1 ms of CPU each here, on a kernel worker), and without
/// the pause that work would land in the next run, i.e. in the other side's
/// measurement. Waits at least a millisecond per namespace, then until the CPUs have
/// been idle for a while (at most a second more): every sample starts on a quiet
/// machine. Back-to-back runs, where tests pay for each other's teardown, are what W3
/// measures.
fn settle(namespaces: usize) {
    std::thread::sleep(Duration::from_millis(2 + namespaces as u64));
    let bound = Instant::now() + Duration::from_secs(1);
    let mut last = cpu_ticks();
    while Instant::now() < bound {
        std::thread::sleep(Duration::from_millis(30));
        let now = cpu_ticks();
        let (busy, all) = (now.0 - last.0, now.1 - last.1);
        last = now;
        // /proc/stat counts in ticks of 10 ms: at most one busy tick in five.
        if all > 0 && busy * 5 <= all {
            return;
        }
    }
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

/// W1 runs in bursts: a test suite runs its tests back to back, and so does each
/// netns-test turn of a pair. The first run of a burst starts on a machine idle since
/// the settle pause, where waking the CPUs costs time of its own; it is counted apart.
const W1_BURST: usize = 10;

pub struct W1 {
    /// Runs 2..=W1_BURST of every burst: back to back, as in a suite. With the default
    /// options: packet capture on (written only for a failure).
    pub ours: Stats,
    /// The same with capture off (`CaptureMode::Never`), in bursts alternating with
    /// the ones above: what the default capture costs is the difference.
    pub no_capture: Stats,
    /// The first run of every burst: after an idle pause.
    pub cold: Stats,
    pub failures: usize,
    pub timings: Vec<Timings>,
    pub shell: ShellStats,
}

pub fn bench_w1(plan: &Plan, shell: bool) -> Result<W1, String> {
    let mut w1 = W1 {
        ours: Stats::default(),
        no_capture: Stats::default(),
        cold: Stats::default(),
        failures: 0,
        timings: Vec::new(),
        shell: ShellStats::default(),
    };
    for i in 0..plan.w1_warm + plan.w1 {
        let measured = i >= plan.w1_warm;
        for b in 0..W1_BURST {
            // Parsed per run, as the macro's expansion does.
            let topology = parse(W1_TOPOLOGY)?;
            let mut failures = 0;
            let run = run_ours(&topology, &mut failures)?;
            if !measured {
                continue;
            }
            w1.failures += failures;
            if let Some((wall, timings)) = run {
                if b == 0 {
                    w1.cold.push(wall);
                } else {
                    w1.ours.push(wall);
                    w1.timings.push(timings);
                }
            }
        }
        settle(2 * W1_BURST);
        for b in 0..W1_BURST {
            let topology = parse(W1_TOPOLOGY)?;
            let mut failures = 0;
            let off = Options::new().capture(netns_test::CaptureMode::Never);
            let run = run_with(&topology, off, &mut failures)?;
            if measured && b > 0 {
                w1.failures += failures;
                if let Some((wall, _)) = run {
                    w1.no_capture.push(wall);
                }
            }
        }
        settle(2 * W1_BURST);
        if shell {
            let r = w1_script().run();
            settle(2);
            if measured {
                w1.shell.record(r);
            }
        }
    }
    Ok(w1)
}

pub struct W2 {
    pub n: usize,
    pub failures: usize,
    pub total: Stats,
    pub build: Stats,
    pub checks: Stats,
    pub shell: ShellStats,
}

pub fn bench_w2(n: usize, warm: usize, runs: usize, shell: bool) -> Result<W2, String> {
    let topology = parse(&star_topology(n))?;
    let mut w2 = W2 {
        n,
        failures: 0,
        total: Stats::default(),
        build: Stats::default(),
        checks: Stats::default(),
        shell: ShellStats::default(),
    };
    for i in 0..warm + runs {
        let measured = i >= warm;
        let mut failures = 0;
        let run = run_ours(&topology, &mut failures)?;
        settle(n);
        if measured {
            w2.failures += failures;
            if let Some((_wall, timings)) = run {
                w2.total.push(timings.total);
                w2.build.push(timings.build);
                w2.checks.push(timings.checks);
            }
        }
        // A shell run of a large star takes seconds and is bound by process starts and
        // the kernel, which the smaller stars have warmed up: no shell warm-up there.
        if shell && (measured || n <= 32) {
            let r = w2_script(n).run();
            settle(n + 1);
            if measured {
                w2.shell.record(r);
            }
        }
    }
    Ok(w2)
}

pub struct W3 {
    pub wall: Stats,
}

/// Wall time of the whole fixture binary (not its build) with libtest's default thread
/// count; it must report all its tests passed.
pub fn bench_w3(path: &Path, warm: usize, runs: usize) -> Result<W3, String> {
    let mut w3 = W3 {
        wall: Stats::default(),
    };
    for i in 0..warm + runs {
        let start = Instant::now();
        let out = Command::new(path)
            .env_remove("RUST_TEST_THREADS")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", path.display()))?;
        let wall = start.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expected = format!("{W3_TESTS} passed");
        if !out.status.success() || !stdout.contains(&expected) {
            let tail: Vec<&str> = stdout.lines().rev().take(15).collect();
            return Err(format!(
                "{} did not pass all {W3_TESTS} tests ({}):\n{}\n{}",
                path.display(),
                out.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if i >= warm {
            w3.wall.push(wall);
        }
    }
    Ok(w3)
}

/// W1's median with capture on (the default) minus with capture off, in ms.
pub fn capture_cost(w1: &W1) -> Option<f64> {
    Some(w1.ours.median()? - w1.no_capture.median()?)
}
