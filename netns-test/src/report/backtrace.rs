//! The body's backtrace, from the return addresses the worker's panic hook recorded,
//! resolved here in the test process: a fork keeps the address space, so the child's
//! addresses name the same code in the parent.
//!
//! The short form (RUST_BACKTRACE=1) is std's: the frames between the panic machinery
//! (`__rust_end_short_backtrace` and above) and the harness's call of the body
//! (`__netns_test_begin_body` and below).

use std::fmt::Write as _;

/// Marks the frame that calls the body: the short backtrace stops there.
pub(crate) const BEGIN: &str = "__netns_test_begin_body";
const END: &str = "__rust_end_short_backtrace";

/// `stack backtrace:` and the frames, as std prints them.
pub(crate) fn format(frames: &[u64], full: bool) -> String {
    let mut symbols: Vec<(String, Option<String>)> = Vec::new();
    for &ip in frames {
        let mut found = false;
        backtrace::resolve(ip as usize as *mut std::ffi::c_void, |sym| {
            found = true;
            let name = sym
                .name()
                .map(|n| format!("{n:#}"))
                .unwrap_or_else(|| "<unknown>".into());
            let at = sym.filename().map(|f| {
                let mut s = f.display().to_string();
                if let Some(line) = sym.lineno() {
                    let _ = write!(s, ":{line}");
                    if let Some(col) = sym.colno() {
                        let _ = write!(s, ":{col}");
                    }
                }
                s
            });
            symbols.push((name, at));
        });
        if !found {
            symbols.push((format!("{ip:#x}"), None));
        }
    }
    if !full {
        if let Some(end) = symbols.iter().rposition(|(n, _)| n.contains(END)) {
            symbols.drain(..=end);
        }
        if let Some(begin) = symbols.iter().position(|(n, _)| n.contains(BEGIN)) {
            symbols.truncate(begin);
        }
    }
    let mut out = String::from("stack backtrace:\n");
    for (i, (name, at)) in symbols.iter().enumerate() {
        let _ = writeln!(out, "{i:>4}: {name}");
        if let Some(at) = at {
            let _ = writeln!(out, "             at {at}");
        }
    }
    if !full {
        out.push_str(
            "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n",
        );
    }
    out
}
