//! What the soak may not leave behind, read from the host's side: the links of the
//! host's network namespace, `/run/netns`, the mount table, this process's fds, the
//! test processes' TMPDIR, and processes that carry the soak's marker.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The host as the soak found it, to compare with how it leaves it.
#[derive(Debug, PartialEq, Eq)]
pub struct State {
    links: BTreeSet<String>,
    netns: BTreeSet<String>,
    mounts: BTreeSet<String>,
    fds: usize,
    tmp: BTreeSet<String>,
}

impl State {
    pub fn read(tmp: &Path) -> Result<State, String> {
        Ok(State {
            links: links()?,
            netns: names_in(Path::new("/run/netns")),
            mounts: mounts()?,
            fds: names_in(Path::new("/proc/self/fd")).len(),
            tmp: names_in(tmp),
        })
    }

    /// Every difference from `before` to `self`, and the processes still running,
    /// one line each.
    pub fn changes(&self, after: &State, processes: &[String]) -> Vec<String> {
        let mut out: Vec<String> = processes.iter().map(|p| format!("process: {p}")).collect();
        let diff = |what: &str, a: &BTreeSet<String>, b: &BTreeSet<String>, out: &mut Vec<_>| {
            for x in b.difference(a) {
                out.push(format!("{what} appeared: {x}"));
            }
            for x in a.difference(b) {
                out.push(format!("{what} vanished: {x}"));
            }
        };
        diff("host link", &self.links, &after.links, &mut out);
        diff("/run/netns entry", &self.netns, &after.netns, &mut out);
        diff("mount", &self.mounts, &after.mounts, &mut out);
        diff("temp file", &self.tmp, &after.tmp, &mut out);
        if after.fds != self.fds {
            out.push(format!("fds of the soak: {} -> {}", self.fds, after.fds));
        }
        out
    }
}

/// `NAME (index N)` for every link of the host's namespace, as `ip -j link` says.
fn links() -> Result<BTreeSet<String>, String> {
    let out = Command::new("ip")
        .args(["-j", "link", "show"])
        .output()
        .map_err(|e| format!("running ip (iproute2): {e}"))?;
    let links: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("reading `ip -j link show`: {e}"))?;
    Ok(links
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            format!(
                "{} (index {})",
                l["ifname"].as_str().unwrap_or("?"),
                l["ifindex"]
            )
        })
        .collect())
}

/// Mount point, type and source of every mount this process sees.
fn mounts() -> Result<BTreeSet<String>, String> {
    let table = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("reading /proc/self/mountinfo: {e}"))?;
    Ok(table
        .lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let point = left.split(' ').nth(4)?;
            Some(format!("{point} {right}"))
        })
        .collect())
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a process whose command line holds `marker` runs.
pub fn pgrep(marker: &str) -> bool {
    !processes(marker).is_empty()
}

/// `PID COMMAND LINE` of every process whose command line holds `marker`.
fn processes(marker: &str) -> Vec<String> {
    Command::new("pgrep")
        .args(["-a", "-f", marker])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Asks `done` until it says yes or `limit` passes: waits on the kernel's state,
/// a little longer each time.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    let mut wait = Duration::from_millis(1);
    loop {
        if done() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_millis(100));
    }
}

/// Waits up to `limit` until no process carries `marker`; those still there.
pub fn wait_for_no_process(marker: &str, limit: Duration) -> Vec<String> {
    wait_until(limit, || !pgrep(marker));
    processes(marker)
}

#[cfg(test)]
mod tests {
    use super::State;

    fn set(items: &[&str]) -> std::collections::BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_difference_is_a_line() {
        let before = State {
            links: set(&["lo (index 1)", "eth0 (index 2)"]),
            netns: set(&[]),
            mounts: set(&["/ overlay"]),
            fds: 5,
            tmp: set(&[]),
        };
        assert!(before.changes(&before, &[]).is_empty());
        let after = State {
            links: set(&["lo (index 1)", "eth0 (index 2)", "veth0 (index 9)"]),
            netns: set(&["a"]),
            mounts: set(&["/ overlay", "/run/netns/a nsfs"]),
            fds: 6,
            tmp: set(&["core"]),
        };
        assert_eq!(
            before.changes(&after, &["42 sleep 600".to_string()]),
            [
                "process: 42 sleep 600",
                "host link appeared: veth0 (index 9)",
                "/run/netns entry appeared: a",
                "mount appeared: /run/netns/a nsfs",
                "temp file appeared: core",
                "fds of the soak: 5 -> 6",
            ]
        );
    }
}
