//! The shell side: the seeds' `ip netns` steps for W1 and W2 as bash scripts, timed.

use crate::workloads::star_addr;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The seeds' steps run as root in the host's namespace set: they need root, bash, ip
/// and ping.
pub fn shell_availability() -> Result<(), String> {
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
pub struct Script {
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
    pub fn run(&self) -> Result<Duration, String> {
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
pub fn w1_script() -> Script {
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
pub fn w2_script(count: usize) -> Script {
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
