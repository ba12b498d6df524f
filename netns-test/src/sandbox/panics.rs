//! The worker's panic hook: it records each panic (message, `file:line:col`, thread
//! and, when RUST_BACKTRACE asks, the return addresses of the stack) and prints
//! nothing. The test process prints the failure once, with the body's own location,
//! and resolves the addresses into a backtrace there (`report::backtrace`).
//!
//! Fork safety (extends the argument at the top of `child.rs`):
//! - the hook is installed once, in the test process, before the first fork
//!   (`install`): `std::panic::set_hook` takes std's hook lock for writing, which a
//!   forked child must not do (another thread of the test process may be inside its
//!   own panic, holding it for reading, at the moment of fork). In the test process the
//!   hook hands every panic to the hook it replaced, so nothing changes there;
//! - in the worker, std's panic machinery takes the hook lock for reading only, which
//!   works even if a thread of the parent held it for reading at fork time;
//! - the hook takes neither std's output lock nor its backtrace lock (std's default
//!   hook takes both: a sandbox forked while another test thread was printing a panic
//!   with RUST_BACKTRACE=1 waited for them forever). It writes to a mutex of its own
//!   that only workers lock: in the test process it is never taken, so every forked
//!   copy starts unlocked;
//! - the stack is walked with `backtrace::trace_unsynchronized`: the unwinder only,
//!   without the crate's global lock and without symbolizing (symbolizing reads the
//!   binary's debug info through a global cache; the test process does it instead,
//!   where the same addresses mean the same code, since a fork keeps the mappings).

use crate::options::Backtrace;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, Once, PoisonError};

/// One panic in the worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PanicRecord {
    pub message: String,
    /// `file:line:col`
    pub location: String,
    pub thread: String,
    /// Return addresses, innermost first; empty unless RUST_BACKTRACE asks.
    pub frames: Vec<u64>,
}

/// True in a worker only: its hook records instead of printing.
static RECORDING: AtomicBool = AtomicBool::new(false);
static BACKTRACE: AtomicU8 = AtomicU8::new(0);
/// The worker's panics, oldest first (at most `KEPT`).
static RECORDS: Mutex<Vec<PanicRecord>> = Mutex::new(Vec::new());
const KEPT: usize = 16;
const MAX_FRAMES: usize = 100;

/// Installs the hook, once per process, in the test process (see the module's
/// comment for why not in the child).
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if RECORDING.load(Ordering::Relaxed) {
                record(info);
            } else {
                previous(info);
            }
        }));
    });
}

/// Called in the worker, right after fork: from now on panics are recorded.
pub(super) fn start_recording(backtrace: Backtrace) {
    let level = match backtrace {
        Backtrace::Off => 0,
        Backtrace::Short => 1,
        Backtrace::Full => 2,
    };
    BACKTRACE.store(level, Ordering::Relaxed);
    RECORDING.store(true, Ordering::Relaxed);
}

fn record(info: &std::panic::PanicHookInfo<'_>) {
    let mut frames = Vec::new();
    if BACKTRACE.load(Ordering::Relaxed) > 0 {
        // SAFETY: the crate asks that no other trace or resolve of its own run at the
        // same time. Two threads of the worker may panic at once; on Linux the walk is
        // libgcc's `_Unwind_Backtrace`, which is thread-safe, and what needs the
        // crate's lock (symbolizing, through a global cache) never happens here.
        unsafe {
            backtrace::trace_unsynchronized(|frame| {
                frames.push(frame.ip() as u64);
                frames.len() < MAX_FRAMES
            });
        }
    }
    let record = PanicRecord {
        message: super::panic_message(info.payload()),
        location: info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default(),
        thread: std::thread::current()
            .name()
            .unwrap_or("<unnamed>")
            .to_string(),
        frames,
    };
    let mut records = RECORDS.lock().unwrap_or_else(PoisonError::into_inner);
    if records.len() == KEPT {
        records.remove(0);
    }
    records.push(record);
}

/// The panic that carried `message` (the latest such), and every other panic
/// recorded so far; the records are cleared.
pub(crate) fn take(message: &str) -> (Option<PanicRecord>, Vec<PanicRecord>) {
    let mut records = std::mem::take(&mut *RECORDS.lock().unwrap_or_else(PoisonError::into_inner));
    let found = records.iter().rposition(|r| r.message == message);
    let main = found.map(|i| records.remove(i));
    (main, records)
}
