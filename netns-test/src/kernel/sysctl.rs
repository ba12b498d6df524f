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

/// Reads a `net.*` sysctl of the namespace the calling thread is in, trimmed (a
/// short value: the first 64 bytes). Three system calls: a run reads several.
pub(crate) fn read(key: &str) -> io::Result<String> {
    let path = std::ffi::CString::new(format!("/proc/sys/{}", key.replace('.', "/")))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut buf = [0u8; 64];
    // SAFETY: open/read/close on a descriptor this function owns, into a stack buffer.
    let n = unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        let err = io::Error::last_os_error();
        libc::close(fd);
        if n < 0 {
            return Err(err);
        }
        n as usize
    };
    Ok(String::from_utf8_lossy(&buf[..n]).trim().to_string())
}
