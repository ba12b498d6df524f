//! What this process holds, from /proc: open descriptors, threads, children. The
//! leak tests compare them before and after runs; the bench waits for sandboxes.

/// Open file descriptors of this process.
pub fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Threads of this process.
pub fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Children of this process that are still there (zombies included), as the
/// kernel lists their pids; empty when there are none (or the kernel lacks
/// `/proc/PID/task/TID/children`).
pub fn children() -> String {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return String::new();
    };
    tasks
        .flatten()
        .map(|t| std::fs::read_to_string(t.path().join("children")).unwrap_or_default())
        .collect::<String>()
        .trim()
        .to_string()
}
