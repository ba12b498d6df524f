//! A thread started with `pthread_create` rather than `std::thread`.
//!
//! libtest captures a test's output through a thread-local that `std::thread::spawn`
//! copies into every new thread. In the forked sandbox that capture buffer is a dead
//! copy: whatever is printed into it is lost. A thread that std did not start has no
//! capture set, so `print!` there writes to fd 1, which is the pipe to the parent,
//! and so do threads it spawns in turn.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f` on a fresh pthread and waits for it. A panic inside is returned as `Err`.
pub(super) fn run_on_fresh_thread<'a>(f: Box<dyn FnOnce() + 'a>) -> Result<(), String> {
    type Job<'a> = Box<dyn FnOnce() + 'a>;
    struct Packet<'a> {
        job: Option<Job<'a>>,
        panic: Option<String>,
    }

    extern "C" fn trampoline(arg: *mut c_void) -> *mut c_void {
        // SAFETY: `arg` is the `Packet` below, alive until `pthread_join` returns.
        let packet = unsafe { &mut *(arg as *mut Packet<'_>) };
        let job = packet.job.take().expect("job runs once");
        // Unwinding must not cross this extern "C" frame: catch it here.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(job)) {
            packet.panic = Some(panic_message(&*payload));
        }
        std::ptr::null_mut()
    }

    let mut packet = Packet {
        job: Some(f),
        panic: None,
    };
    let mut tid: libc::pthread_t = 0;
    // SAFETY: the packet outlives the thread because we join it before returning.
    let rc = unsafe {
        libc::pthread_create(
            &mut tid,
            std::ptr::null(),
            trampoline,
            &mut packet as *mut Packet<'_> as *mut c_void,
        )
    };
    if rc != 0 {
        return Err(format!(
            "pthread_create: {}",
            std::io::Error::from_raw_os_error(rc)
        ));
    }
    // SAFETY: tid is a joinable thread we created.
    unsafe { libc::pthread_join(tid, std::ptr::null_mut()) };
    match packet.panic {
        Some(msg) => Err(msg),
        None => Ok(()),
    }
}

/// The text of a panic payload (`panic!("...")` gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}
