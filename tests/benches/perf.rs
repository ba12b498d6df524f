//! The measuring program behind `cargo xtask bench`: netns-test against the classic
//! shell steps (`ip netns add`, …) that the seeds run, interleaved A B A B after a
//! warm-up, so that drift of the machine (other load, the kernel freeing namespaces in
//! the background) hits both sides alike.
//!
//! ```text
//! cargo bench -p netns-test-tests --bench perf -- [--quick] [--fixture PATH] [--out DIR]
//! ```
//!
//! - W1: a 2-node line through `netns_test::run` with the checks on, in bursts of ten
//!   back-to-back runs (the first of each, after an idle pause, reported apart), vs
//!   one bash script per burst (root and `ping` needed; skipped with a message
//!   otherwise).
//! - W2: a star of N nodes on one bridge, N = 8, 32, 128, 256: build, checks and total
//!   from `run_timed`, vs the same steps in bash with the bridge in a namespace of its
//!   own (the host's namespace must not keep links).
//! - W3: the `w1x200` fixture binary (`--fixture`, built by xtask) run with libtest's
//!   default thread count: wall time and tests per second.
//! - Peak RSS (VmHWM) of this process after W1, and of the sandbox's worker for W1 and
//!   W2 N=256, read inside the body and sent back over a socket made before `run`.
//!
//! Results go to `DIR/netns-test-bench.json` and `DIR/netns-test-bench.svg`
//! (DIR defaults to the workspace's `target`).

use netns_test::{Options, Timings, Topology};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const W1_TOPOLOGY: &str = "a:eth0 10.0.0.1/24 -- b:eth0 10.0.0.2/24";
const W2_SIZES: [usize; 4] = [8, 32, 128, 256];
const W3_TESTS: usize = 200;

// The issue's targets.
const W1_MAX_MS: f64 = 3.0;
const W1_MIN_RATIO: f64 = 25.0;
const W2_128_MAX_MS: f64 = 100.0;
const W2_MIN_RATIO: f64 = 10.0;
const W2_256_MAX_FACTOR: f64 = 2.2;
const W3_MAX_MS: f64 = 2000.0;
const CHILD_RSS_MAX_KIB: u64 = 16 * 1024;
/// What packet capture, on by default, may add to W1's median.
const CAPTURE_MAX_MS: f64 = 0.3;

// Peers' published figures (not measured here), for context.
const PATCHBAY_W1_MS: f64 = 144.0;
const PATCHBAY_W2_128_MS: f64 = 5306.0;
const GATEFLOW_W1_MS: f64 = 3.0;

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    quick: bool,
    fixture: Option<PathBuf>,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        fixture: None,
        out: Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => args.quick = true,
            "--fixture" => args.fixture = Some(it.next().ok_or("--fixture needs a path")?.into()),
            "--out" => args.out = it.next().ok_or("--out needs a directory")?.into(),
            // `cargo bench` passes `--bench` to harness = false targets.
            "--bench" => {}
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: perf [--quick] [--fixture PATH] [--out DIR]"
                ))
            }
        }
    }
    Ok(args)
}

/// How many measured pairs each workload gets; sized so that the full run stays within
/// a few minutes on 2 cores (the shell side of N=256 takes seconds per run).
struct Plan {
    w1_warm: usize,
    w1: usize,
    /// (N, warm-up pairs, measured pairs)
    w2: Vec<(usize, usize, usize)>,
    w3_warm: usize,
    w3: usize,
}

impl Plan {
    fn new(quick: bool) -> Plan {
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

fn real_main() -> Result<(), String> {
    let args = parse_args()?;
    let plan = Plan::new(args.quick);
    let load_start = loadavg();
    let shell = shell_availability();
    if let Err(why) = &shell {
        eprintln!("bench: the shell side is skipped: {why}");
    }
    let shell_ok = shell.is_ok();

    eprintln!(
        "bench: W1, {} warm-up + {} measured pairs",
        plan.w1_warm, plan.w1
    );
    let w1 = bench_w1(&plan, shell_ok)?;
    let w1_topology = parse(W1_TOPOLOGY)?;
    let child_rss_w1 = child_peak_rss(&w1_topology)?;
    // After W1 only, as the issue asks: the parent's own peak while running sandboxes,
    // before the large stars and their bigger topologies are parsed.
    let parent_rss = vm_hwm_kib("/proc/self/status");

    let mut w2 = Vec::new();
    for &(n, warm, runs) in &plan.w2 {
        eprintln!("bench: W2 N={n}, {warm} warm-up + {runs} measured pairs");
        w2.push(bench_w2(n, warm, runs, shell_ok)?);
    }
    let child_rss_w2 = child_peak_rss(&parse(&star_topology(256))?)?;

    let w3 = match &args.fixture {
        Some(path) => {
            eprintln!(
                "bench: W3, {} warm-up + {} runs of {}",
                plan.w3_warm,
                plan.w3,
                path.display()
            );
            Some(bench_w3(path, plan.w3_warm, plan.w3)?)
        }
        None => {
            eprintln!("bench: W3 is skipped: no --fixture PATH (cargo xtask bench builds it)");
            None
        }
    };

    let report = Report {
        quick: args.quick,
        load: [load_start, loadavg()],
        shell_skipped: shell.err(),
        w1,
        w2,
        w3,
        parent_rss,
        child_rss_w1,
        child_rss_w2,
    };
    print!("{}", report.table());
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("creating {}: {e}", args.out.display()))?;
    let json_path = args.out.join("netns-test-bench.json");
    let svg_path = args.out.join("netns-test-bench.svg");
    let json = serde_json::to_string_pretty(&report.json()).expect("JSON of plain values");
    std::fs::write(&json_path, json + "\n")
        .map_err(|e| format!("writing {}: {e}", json_path.display()))?;
    std::fs::write(&svg_path, report.svg())
        .map_err(|e| format!("writing {}: {e}", svg_path.display()))?;
    println!("\nwritten: {}", canonical(&json_path));
    println!("         {}", canonical(&svg_path));
    Ok(())
}

fn canonical(p: &Path) -> String {
    p.canonicalize()
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

fn parse(source: &str) -> Result<Topology, String> {
    netns_test::topology::parse(source).map_err(|e| format!("topology {source:?}: {e}"))
}

// ---------------------------------------------------------------- statistics

/// Samples in milliseconds.
#[derive(Debug, Clone, Default)]
struct Stats(Vec<f64>);

impl Stats {
    fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64() * 1e3);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }

    fn median(&self) -> Option<f64> {
        let v = self.sorted();
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(v[n / 2]),
            _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
        }
    }

    /// Nearest rank: with few samples this is the largest, which is the honest answer.
    fn p90(&self) -> Option<f64> {
        let v = self.sorted();
        if v.is_empty() {
            return None;
        }
        let rank = ((v.len() as f64) * 0.9).ceil() as usize;
        Some(v[rank.clamp(1, v.len()) - 1])
    }

    fn json(&self) -> Value {
        if self.0.is_empty() {
            return Value::Null;
        }
        json!({
            "runs": self.0.len(),
            "median_ms": round3(self.median().unwrap_or(f64::NAN)),
            "p90_ms": round3(self.p90().unwrap_or(f64::NAN)),
            "samples_ms": self.0.iter().map(|&x| round3(x)).collect::<Vec<_>>(),
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// The shell side's samples and how many of its runs failed (a lost first ping is a
/// failure of the seeds' script, so it is counted, not hidden).
#[derive(Debug, Default)]
struct ShellStats {
    ran: bool,
    times: Stats,
    failures: usize,
    last_error: Option<String>,
}

impl ShellStats {
    fn record(&mut self, r: Result<Duration, String>) {
        self.ran = true;
        match r {
            Ok(d) => self.times.push(d),
            Err(e) => {
                self.failures += 1;
                eprintln!("bench: a shell run failed: {e}");
                self.last_error = Some(e);
            }
        }
    }

    fn json(&self) -> Value {
        if !self.ran {
            return Value::Null;
        }
        let mut v = self.times.json();
        if v.is_null() {
            v = json!({});
        }
        v["failures"] = json!(self.failures);
        if let Some(e) = &self.last_error {
            v["last_error"] = json!(e);
        }
        v
    }
}

// ---------------------------------------------------------------- netns-test side

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
fn child_peak_rss(topology: &Topology) -> Result<Option<u64>, String> {
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

fn vm_hwm_kib(status: &str) -> Option<u64> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn star_topology(n: usize) -> String {
    let mut s = String::from("bridge br0\n");
    for i in 1..=n {
        let _ = writeln!(s, "n{i} {}/16 -- br0", star_addr(i));
    }
    let _ = writeln!(s, "expect n1 -> n{n}");
    s
}

/// 10.1.X.Y for node i (1-based), never a .0 or .255 host part.
fn star_addr(i: usize) -> String {
    format!("10.1.{}.{}", i / 250, i % 250 + 1)
}

// ---------------------------------------------------------------- shell side

/// The seeds' steps run as root in the host's namespace set: they need root, bash, ip
/// and ping.
fn shell_availability() -> Result<(), String> {
    // SAFETY: geteuid takes nothing and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err("the seeds' shell steps need root (`ip netns add`)".into());
    }
    for tool in ["bash", "ip", "ping"] {
        if find_in_path(tool).is_none() {
            let hint = if tool == "ping" {
                " (apt-get install -y iputils-ping; `cargo xtask bench` does this as root)"
            } else {
                ""
            };
            return Err(format!("`{tool}` is not installed{hint}"));
        }
    }
    Ok(())
}

fn find_in_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

/// Distinguishes the namespaces of successive runs, so that a namespace the kernel is
/// still freeing never meets a new one of the same name.
static ITERATION: AtomicUsize = AtomicUsize::new(0);

/// Names for one shell run: namespaces carry pid and iteration; veth names must fit
/// 15 bytes and only live in the host's namespace between `ip link add` and the move,
/// so pid and index make them unique enough.
struct Names {
    pid: u32,
    iter: usize,
}

impl Names {
    fn new() -> Names {
        Names {
            pid: std::process::id(),
            iter: ITERATION.fetch_add(1, Ordering::Relaxed),
        }
    }
    fn ns(&self, node: &str) -> String {
        format!("nb{}-{}-{node}", self.pid, self.iter)
    }
    fn veth(&self, side: char, k: usize) -> String {
        format!("nb{}{side}{k}", self.pid)
    }
}

/// A script with the steps, the cleanup it runs itself when a step fails (`set -e` +
/// an EXIT trap, cleared after the deletes), and the same cleanup for the caller in
/// case bash itself dies.
struct Script {
    steps: String,
    cleanup: String,
}

impl Script {
    fn new(namespaces: &[String], host_veths: &[String], steps: &str) -> Script {
        let mut cleanup = String::new();
        for ns in namespaces {
            let _ = writeln!(cleanup, "ip netns delete {ns} 2>/dev/null || true");
        }
        for v in host_veths {
            let _ = writeln!(cleanup, "ip link delete {v} 2>/dev/null || true");
        }
        let mut s = String::from("set -e\ncleanup() {\n");
        s.push_str(&cleanup);
        s.push_str("true\n}\ntrap cleanup EXIT\n");
        s.push_str(steps);
        for ns in namespaces {
            let _ = writeln!(s, "ip netns delete {ns}");
        }
        s.push_str("trap - EXIT\n");
        Script { steps: s, cleanup }
    }

    /// Wall time of `bash FILE`, from spawn to exit. A file, not `bash -c`: the script
    /// of a 256-node star is larger than one argument may be (128 KiB).
    fn run(&self) -> Result<Duration, String> {
        let file = std::env::temp_dir().join(format!("netns-test-bench-{}.sh", std::process::id()));
        std::fs::write(&file, &self.steps)
            .map_err(|e| format!("writing {}: {e}", file.display()))?;
        let start = Instant::now();
        let out = Command::new("bash")
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let elapsed = start.elapsed();
        let result = match out {
            Ok(o) if o.status.success() => Ok(elapsed),
            Ok(o) => Err(format!(
                "{}: {}",
                o.status,
                String::from_utf8_lossy(&o.stderr).trim()
            )),
            Err(e) => Err(format!("starting bash: {e}")),
        };
        if result.is_err() {
            // The script cleans up after itself; this is for a bash that died.
            let _ = std::fs::write(&file, &self.cleanup);
            let _ = Command::new("bash")
                .arg(&file)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_file(&file);
        result
    }
}

/// W1 in the tutorials' classic form: the pair is made in the host's namespace and each
/// end moved into its node.
fn w1_script() -> Script {
    let n = Names::new();
    let (a, b) = (n.ns("a"), n.ns("b"));
    let (va, vb) = (n.veth('a', 0), n.veth('b', 0));
    let steps = format!(
        "ip netns add {a}
ip netns add {b}
ip link add {va} type veth peer name {vb}
ip link set {va} netns {a}
ip link set {vb} netns {b}
ip -n {a} addr add 10.0.0.1/24 dev {va}
ip -n {b} addr add 10.0.0.2/24 dev {vb}
ip -n {a} link set {va} up
ip -n {b} link set {vb} up
ip netns exec {a} ping -c1 -W1 10.0.0.2
"
    );
    Script::new(&[a, b], &[va, vb], &steps)
}

/// W2: the bridge in a namespace of its own (`hub`), each node's veth made in the host's
/// namespace and its ends moved into the node and the hub; then a ping first → last.
fn w2_script(count: usize) -> Script {
    let n = Names::new();
    let hub = n.ns("hub");
    let mut namespaces = vec![hub.clone()];
    let mut veths = Vec::new();
    let mut steps = format!(
        "ip netns add {hub}\nip -n {hub} link add br0 type bridge\nip -n {hub} link set br0 up\n"
    );
    for i in 1..=count {
        let node = n.ns(&format!("n{i}"));
        let (v, p) = (n.veth('v', i), n.veth('p', i));
        let addr = star_addr(i);
        let _ = write!(
            steps,
            "ip netns add {node}
ip link add {v} type veth peer name {p}
ip link set {v} netns {node}
ip link set {p} netns {hub}
ip -n {hub} link set {p} master br0
ip -n {hub} link set {p} up
ip -n {node} addr add {addr}/16 dev {v}
ip -n {node} link set {v} up
"
        );
        namespaces.push(node);
        veths.push(v);
        veths.push(p);
    }
    let _ = writeln!(
        steps,
        "ip netns exec {} ping -c1 -W1 {}",
        namespaces[1],
        star_addr(count)
    );
    Script::new(&namespaces, &veths, &steps)
}

// ---------------------------------------------------------------- workloads

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

struct W1 {
    /// Runs 2..=W1_BURST of every burst: back to back, as in a suite. With the default
    /// options: packet capture on (written only for a failure).
    ours: Stats,
    /// The same with capture off (`CaptureMode::Never`), in bursts alternating with
    /// the ones above: what the default capture costs is the difference.
    no_capture: Stats,
    /// The first run of every burst: after an idle pause.
    cold: Stats,
    failures: usize,
    timings: Vec<Timings>,
    shell: ShellStats,
}

fn bench_w1(plan: &Plan, shell: bool) -> Result<W1, String> {
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

/// W1's median with capture on (the default) minus with capture off, in ms.
fn capture_cost(w1: &W1) -> Option<f64> {
    Some(w1.ours.median()? - w1.no_capture.median()?)
}

struct W2 {
    n: usize,
    failures: usize,
    total: Stats,
    build: Stats,
    checks: Stats,
    shell: ShellStats,
}

fn bench_w2(n: usize, warm: usize, runs: usize, shell: bool) -> Result<W2, String> {
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

struct W3 {
    wall: Stats,
}

/// Wall time of the whole fixture binary (not its build) with libtest's default thread
/// count; it must report all its tests passed.
fn bench_w3(path: &Path, warm: usize, runs: usize) -> Result<W3, String> {
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

// ---------------------------------------------------------------- report

struct Report {
    quick: bool,
    /// /proc/loadavg at the start and the end: other work on the machine skews both sides.
    load: [String; 2],
    shell_skipped: Option<String>,
    w1: W1,
    w2: Vec<W2>,
    w3: Option<W3>,
    parent_rss: Option<u64>,
    child_rss_w1: Option<u64>,
    child_rss_w2: Option<u64>,
}

/// One target: its words, and whether it was met (None: not measured).
struct Check {
    name: &'static str,
    target: String,
    measured: String,
    ok: Option<bool>,
}

fn ratio(shell: &ShellStats, ours: &Stats) -> Option<f64> {
    Some(shell.times.median()? / ours.median()?)
}

fn fmt_ms(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

fn med_p90(s: &Stats) -> String {
    match (s.median(), s.p90()) {
        (Some(m), Some(p)) => format!("{} / {} ms", fmt_ms(m), fmt_ms(p)),
        _ => "–".into(),
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("–".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn mark(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "–",
    }
}

impl Report {
    fn w2(&self, n: usize) -> Option<&W2> {
        self.w2.iter().find(|w| w.n == n)
    }

    fn checks(&self) -> Vec<Check> {
        let mut v = Vec::new();
        let w1_med = self.w1.ours.median();
        v.push(Check {
            name: "W1 median",
            target: format!("≤ {W1_MAX_MS} ms"),
            measured: w1_med.map_or("–".into(), |m| format!("{} ms", fmt_ms(m))),
            ok: w1_med.map(|m| m <= W1_MAX_MS),
        });
        let cost = capture_cost(&self.w1);
        v.push(Check {
            name: "W1 capture cost",
            target: format!("≤ {CAPTURE_MAX_MS} ms"),
            measured: cost.map_or("–".into(), |c| format!("{c:+.2} ms")),
            ok: cost.map(|c| c <= CAPTURE_MAX_MS),
        });
        let r1 = ratio(&self.w1.shell, &self.w1.ours);
        v.push(Check {
            name: "W1 vs shell",
            target: format!("≥ {W1_MIN_RATIO}×"),
            measured: r1.map_or("–".into(), |r| format!("{r:.0}×")),
            ok: r1.map(|r| r >= W1_MIN_RATIO),
        });
        let w128 = self.w2(128);
        let m128 = w128.and_then(|w| w.total.median());
        v.push(Check {
            name: "W2 N=128 total",
            target: format!("≤ {W2_128_MAX_MS} ms"),
            measured: m128.map_or("–".into(), |m| format!("{} ms", fmt_ms(m))),
            ok: m128.map(|m| m <= W2_128_MAX_MS),
        });
        let r128 = w128.and_then(|w| ratio(&w.shell, &w.total));
        v.push(Check {
            name: "W2 N=128 vs shell",
            target: format!("≥ {W2_MIN_RATIO}×"),
            measured: r128.map_or("–".into(), |r| format!("{r:.0}×")),
            ok: r128.map(|r| r >= W2_MIN_RATIO),
        });
        let f256 = self
            .w2(256)
            .and_then(|w| w.total.median())
            .zip(m128)
            .map(|(a, b)| a / b);
        v.push(Check {
            name: "W2 N=256 / N=128",
            target: format!("≤ {W2_256_MAX_FACTOR}×"),
            measured: f256.map_or("–".into(), |f| format!("{f:.2}×")),
            ok: f256.map(|f| f <= W2_256_MAX_FACTOR),
        });
        let w3 = self.w3.as_ref().and_then(|w| w.wall.median());
        v.push(Check {
            name: "W3 200 tests wall",
            target: format!("≤ {} s", W3_MAX_MS / 1e3),
            measured: w3.map_or("–".into(), |m| format!("{} ms", fmt_ms(m))),
            ok: w3.map(|m| m <= W3_MAX_MS),
        });
        v.push(Check {
            name: "child RSS W1",
            target: format!("≤ {} MiB", CHILD_RSS_MAX_KIB / 1024),
            measured: mib(self.child_rss_w1),
            ok: self.child_rss_w1.map(|k| k <= CHILD_RSS_MAX_KIB),
        });
        v
    }

    fn table(&self) -> String {
        let checks = self.checks();
        let ok = |name: &str| checks.iter().find(|c| c.name == name).and_then(|c| c.ok);
        let mut t = String::new();
        let row = |t: &mut String, cells: [&str; 6]| {
            let line = format!(
                "{:<22} {:>21}  {:>21}  {:>7}  {:<26} {}",
                cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
            );
            let _ = writeln!(t, "{}", line.trim_end());
        };
        let _ = writeln!(
            t,
            "\nnetns-test bench{} — {} cores, kernel {}",
            if self.quick { " (--quick)" } else { "" },
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            kernel()
        );
        let _ = writeln!(
            t,
            "load average (1, 5, 15 min): {} at the start, {} at the end",
            self.load[0], self.load[1]
        );
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let busy = self.load.iter().any(|l| {
            l.split_whitespace()
                .next()
                .and_then(|x| x.parse::<f64>().ok())
                .is_some_and(|x| x > cores)
        });
        if busy {
            let _ = writeln!(
                t,
                "note: the machine was busy (1-min load above {cores} cores): both sides are skewed, ratios less so"
            );
        }
        if let Some(why) = &self.shell_skipped {
            let _ = writeln!(t, "shell side skipped: {why}");
        }
        t.push('\n');
        row(
            &mut t,
            [
                "workload",
                "netns-test med / p90",
                "shell med / p90",
                "ratio",
                "target",
                "ok",
            ],
        );
        let _ = writeln!(t, "{}", "─".repeat(112));
        let ratio_s = |r: Option<f64>| r.map_or(String::new(), |r| format!("{r:.0}×"));
        let shell_s = |s: &ShellStats| {
            let mut out = med_p90(&s.times);
            if !s.ran {
                out = "skipped".into();
            } else if s.failures > 0 {
                out = format!("{out} ({} failed)", s.failures);
            }
            out
        };

        let ours_s = |s: &Stats, failures: usize| {
            if failures > 0 {
                format!("{} ({failures} failed)", med_p90(s))
            } else {
                med_p90(s)
            }
        };
        let w1 = &self.w1;
        row(
            &mut t,
            [
                "W1 2 nodes + checks",
                &ours_s(&w1.ours, w1.failures),
                &shell_s(&w1.shell),
                &ratio_s(ratio(&w1.shell, &w1.ours)),
                &format!("≤ {W1_MAX_MS} ms, ≥ {W1_MIN_RATIO}×"),
                &format!("{} {}", mark(ok("W1 median")), mark(ok("W1 vs shell"))),
            ],
        );
        let phase = |f: fn(&Timings) -> Duration| {
            let mut s = Stats::default();
            w1.timings.iter().for_each(|t| s.push(f(t)));
            s
        };
        for (name, s) in [
            ("  setup", phase(|t| t.setup)),
            ("  build", phase(|t| t.build)),
            ("  checks", phase(|t| t.checks)),
        ] {
            row(&mut t, [name, &med_p90(&s), "", "", "", ""]);
        }
        row(
            &mut t,
            [
                "  after an idle pause",
                &med_p90(&w1.cold),
                "",
                &ratio_s(ratio(&w1.shell, &w1.cold)),
                "",
                "",
            ],
        );
        row(
            &mut t,
            ["  capture off", &med_p90(&w1.no_capture), "", "", "", ""],
        );
        let cost = capture_cost(w1);
        row(
            &mut t,
            [
                "  capture on − off",
                &cost.map_or("–".into(), |c| format!("{c:+.2} ms")),
                "",
                "",
                &format!("≤ {CAPTURE_MAX_MS} ms"),
                mark(ok("W1 capture cost")),
            ],
        );
        for w in &self.w2 {
            let (target, mark_s) = match w.n {
                128 => (
                    format!("≤ {W2_128_MAX_MS} ms, ≥ {W2_MIN_RATIO}×"),
                    format!(
                        "{} {}",
                        mark(ok("W2 N=128 total")),
                        mark(ok("W2 N=128 vs shell"))
                    ),
                ),
                256 => {
                    let limit = self
                        .w2(128)
                        .and_then(|w| w.total.median())
                        .map_or(String::new(), |m| {
                            format!(" = {} ms", fmt_ms(m * W2_256_MAX_FACTOR))
                        });
                    (
                        format!("≤ {W2_256_MAX_FACTOR} × N=128{limit}"),
                        mark(ok("W2 N=256 / N=128")).to_string(),
                    )
                }
                _ => (String::new(), String::new()),
            };
            row(
                &mut t,
                [
                    &format!("W2 star N={} total", w.n),
                    &ours_s(&w.total, w.failures),
                    &shell_s(&w.shell),
                    &ratio_s(ratio(&w.shell, &w.total)),
                    &target,
                    &mark_s,
                ],
            );
            row(&mut t, ["  build", &med_p90(&w.build), "", "", "", ""]);
            row(&mut t, ["  checks", &med_p90(&w.checks), "", "", "", ""]);
        }
        match &self.w3 {
            Some(w3) => {
                row(
                    &mut t,
                    [
                        &format!("W3 {W3_TESTS} tests, wall"),
                        &med_p90(&w3.wall),
                        "",
                        "",
                        &format!("≤ {} s", W3_MAX_MS / 1e3),
                        mark(ok("W3 200 tests wall")),
                    ],
                );
                if let Some(m) = w3.wall.median() {
                    let rate = format!("{:.0} tests/s", W3_TESTS as f64 / (m / 1e3));
                    row(&mut t, ["  throughput", &rate, "", "", "", ""]);
                }
            }
            None => row(
                &mut t,
                [
                    &format!("W3 {W3_TESTS} tests, wall"),
                    "skipped",
                    "",
                    "",
                    "",
                    "–",
                ],
            ),
        }
        row(
            &mut t,
            [
                "RSS child W1 (VmHWM)",
                &mib(self.child_rss_w1),
                "",
                "",
                &format!("≤ {} MiB", CHILD_RSS_MAX_KIB / 1024),
                mark(ok("child RSS W1")),
            ],
        );
        row(
            &mut t,
            [
                "RSS child W2 N=256",
                &mib(self.child_rss_w2),
                "",
                "",
                "",
                "",
            ],
        );
        row(
            &mut t,
            ["RSS parent after W1", &mib(self.parent_rss), "", "", "", ""],
        );

        let met = checks.iter().filter(|c| c.ok == Some(true)).count();
        let measured = checks.iter().filter(|c| c.ok.is_some()).count();
        let _ = writeln!(
            t,
            "\ntargets met: {met} of {measured} measured ({} in all)",
            checks.len()
        );
        for c in checks.iter().filter(|c| c.ok != Some(true)) {
            let _ = writeln!(
                t,
                "  {} {}: {} (target {})",
                mark(c.ok),
                c.name,
                c.measured,
                c.target
            );
        }

        let _ = writeln!(t, "\npeers' published figures (not measured here):");
        let vs = |peer: f64, ours: Option<f64>| {
            ours.map_or(String::new(), |m| {
                if peer >= m {
                    format!(" (netns-test: {:.1}× faster)", peer / m)
                } else {
                    format!(" (netns-test: {:.1}× slower)", m / peer)
                }
            })
        };
        let w1m = w1.ours.median();
        let w128 = self.w2(128).and_then(|w| w.total.median());
        let _ = writeln!(
            t,
            "  patchbay  W1 {PATCHBAY_W1_MS} ms{}   W2 N=128 {PATCHBAY_W2_128_MS} ms{}",
            vs(PATCHBAY_W1_MS, w1m),
            vs(PATCHBAY_W2_128_MS, w128)
        );
        let _ = writeln!(
            t,
            "  gateflow  W1 {GATEFLOW_W1_MS:.1} ms{}   W2: cannot express a bridge star",
            vs(GATEFLOW_W1_MS, w1m)
        );
        t
    }

    fn json(&self) -> Value {
        let phase = |f: fn(&Timings) -> Duration| {
            let mut s = Stats::default();
            self.w1.timings.iter().for_each(|t| s.push(f(t)));
            s.json()
        };
        json!({
            "quick": self.quick,
            "machine": {
                "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
                "kernel": kernel(),
                "loadavg_start": self.load[0],
                "loadavg_end": self.load[1],
            },
            "shell_skipped": self.shell_skipped,
            "w1": {
                "topology": W1_TOPOLOGY,
                "netns_test": {
                    "failures": self.w1.failures,
                    "total": self.w1.ours.json(),
                    "after_idle_pause": self.w1.cold.json(),
                    "capture_off": self.w1.no_capture.json(),
                    "capture_cost_ms": capture_cost(&self.w1),
                    "setup": phase(|t| t.setup),
                    "build": phase(|t| t.build),
                    "checks": phase(|t| t.checks),
                },
                "shell": self.w1.shell.json(),
                "ratio": ratio(&self.w1.shell, &self.w1.ours),
            },
            "w2": self.w2.iter().map(|w| json!({
                "n": w.n,
                "netns_test": {
                    "failures": w.failures,
                    "total": w.total.json(),
                    "build": w.build.json(),
                    "checks": w.checks.json(),
                },
                "shell": w.shell.json(),
                "ratio": ratio(&w.shell, &w.total),
            })).collect::<Vec<_>>(),
            "w3": self.w3.as_ref().map(|w| json!({
                "tests": W3_TESTS,
                "wall": w.wall.json(),
                "tests_per_second": w.wall.median().map(|m| W3_TESTS as f64 / (m / 1e3)),
            })),
            "rss_kib": {
                "parent_after_w1": self.parent_rss,
                "child_w1": self.child_rss_w1,
                "child_w2_256": self.child_rss_w2,
            },
            "targets": self.checks().iter().map(|c| json!({
                "name": c.name,
                "target": c.target,
                "measured": c.measured,
                "ok": c.ok,
            })).collect::<Vec<_>>(),
            "peers_published": {
                "patchbay": { "w1_ms": PATCHBAY_W1_MS, "w2_128_ms": PATCHBAY_W2_128_MS },
                "gateflow": { "w1_ms": GATEFLOW_W1_MS, "w2": "cannot express" },
            },
        })
    }

    /// Time against N on log–log axes: netns-test's total and build, the shell steps,
    /// and patchbay's published N=128 point.
    fn svg(&self) -> String {
        const W: f64 = 760.0;
        const H: f64 = 440.0;
        const L: f64 = 70.0;
        const R: f64 = 200.0;
        const T: f64 = 40.0;
        const B: f64 = 50.0;
        type Series<'a> = (&'a str, &'a str, bool, Vec<(usize, f64)>);
        let pick = |f: &dyn Fn(&W2) -> Option<f64>| -> Vec<(usize, f64)> {
            self.w2
                .iter()
                .filter_map(|w| f(w).map(|m| (w.n, m)))
                .collect()
        };
        let series: Vec<Series> = vec![
            (
                "netns-test total",
                "#1f77b4",
                false,
                pick(&|w| w.total.median()),
            ),
            (
                "netns-test build",
                "#7fb3e0",
                true,
                pick(&|w| w.build.median()),
            ),
            (
                "shell steps (ip netns)",
                "#d62728",
                false,
                pick(&|w| w.shell.times.median()),
            ),
        ];
        let peer = (128usize, PATCHBAY_W2_128_MS);
        let all: Vec<f64> = series
            .iter()
            .flat_map(|s| s.3.iter().map(|p| p.1))
            .chain([peer.1])
            .filter(|y| *y > 0.0)
            .collect();
        let lo = all.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = all.iter().cloned().fold(0.0, f64::max);
        let (y0, y1) = if all.is_empty() {
            (0.0, 4.0)
        } else {
            (
                lo.log10().floor(),
                hi.log10().ceil().max(lo.log10().floor() + 1.0),
            )
        };
        let (x0, x1) = (3.0f64, 8.0f64); // log2 of 8 and 256
        let px = |n: usize| L + ((n as f64).log2() - x0) / (x1 - x0) * (W - L - R);
        let py = |ms: f64| T + (y1 - ms.log10()) / (y1 - y0) * (H - T - B);

        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{L}" y="22" font-size="15">netns-test bench W2: star of N nodes on one bridge (median, log–log)</text>"#
        );
        for n in W2_SIZES {
            let x = px(n);
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{T}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{n}</text>"##,
                H - B,
                H - B + 16.0
            );
        }
        let mut d = y0;
        while d <= y1 + 1e-9 {
            let ms = 10f64.powf(d);
            let y = py(ms);
            let label = if ms >= 1000.0 {
                format!("{} s", ms / 1000.0)
            } else {
                format!("{ms} ms")
            };
            let _ = writeln!(
                s,
                r##"<line x1="{L}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"##,
                W - R,
                L - 6.0,
                y + 4.0
            );
            d += 1.0;
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">nodes N</text>"#,
            (L + W - R) / 2.0,
            H - 12.0
        );
        let _ = writeln!(
            s,
            r#"<text transform="rotate(-90)" x="{:.1}" y="14" text-anchor="middle">time per run (median)</text>"#,
            -(T + H - B) / 2.0
        );
        let mut legend_y = T + 10.0;
        for (name, color, dashed, points) in &series {
            if points.is_empty() {
                continue;
            }
            let path: Vec<String> = points
                .iter()
                .map(|&(n, ms)| format!("{:.1},{:.1}", px(n), py(ms)))
                .collect();
            let dash = if *dashed {
                r#" stroke-dasharray="5,4""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"#,
                path.join(" ")
            );
            for &(n, ms) in points {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{color}"><title>{name}, N={n}: {} ms</title></circle>"#,
                    px(n),
                    py(ms),
                    fmt_ms(ms)
                );
            }
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" y1="{legend_y:.1}" x2="{:.1}" y2="{legend_y:.1}" stroke="{color}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}">{name}</text>"#,
                W - R + 12.0,
                W - R + 36.0,
                W - R + 42.0,
                legend_y + 4.0
            );
            legend_y += 20.0;
        }
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="#888"><title>patchbay, published: {} ms</title></rect>"##,
            px(peer.0) - 4.0,
            py(peer.1) - 4.0,
            peer.1
        );
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="#888"/><text x="{:.1}" y="{:.1}">patchbay (published)</text>"##,
            W - R + 20.0,
            legend_y - 4.0,
            W - R + 42.0,
            legend_y + 4.0
        );
        s.push_str("</svg>\n");
        s
    }
}

fn kernel() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
