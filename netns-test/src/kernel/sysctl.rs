//! `net.*` sysctls of the calling thread's network namespace.

use std::io;

/// Writes a `net.*` sysctl of the namespace the calling thread is in.
///
/// /proc/sys/net shows the namespace of the thread that opens the file.
pub(crate) fn write(key: &str, value: &str) -> io::Result<()> {
    let path = format!("/proc/sys/{}", key.replace('.', "/"));
    std::fs::write(&path, value)
        .map_err(|e| io::Error::new(e.kind(), format!("writing {value} to {path}: {e}")))
}

/// Reads a `net.*` sysctl of the namespace the calling thread is in, trimmed.
pub(crate) fn read(key: &str) -> io::Result<String> {
    let path = format!("/proc/sys/{}", key.replace('.', "/"));
    std::fs::read_to_string(&path).map(|s| s.trim().to_string())
}
