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
    // SAFETY: the packet outlives the thread because we join it before returning.
    let tid = match unsafe {
        create(
            trampoline,
            &mut packet as *mut Packet<'_> as *mut c_void,
            None,
            Joined::Yes,
        )
    } {
        Ok(tid) => tid,
        Err(rc) => {
            return Err(format!(
                "pthread_create: {}",
                std::io::Error::from_raw_os_error(rc)
            ))
        }
    };
    // SAFETY: tid is a joinable thread we created.
    unsafe { libc::pthread_join(tid, std::ptr::null_mut()) };
    match packet.panic {
        Some(msg) => Err(msg),
        None => Ok(()),
    }
}

/// Whether a thread of [`spawn`] (or [`create`]) is to be joined or is detached.
#[derive(PartialEq)]
pub(super) enum Joined {
    Yes,
    No,
}

/// Starts `f` on a `pthread_create` thread with a small stack (256 KiB), as the sandbox
/// process's closer does (`release.rs`): the thread's id, or `None` if it could not be
/// started (`f` is then dropped here, unrun). A panic inside ends `f`, nothing more.
pub(super) fn spawn(f: impl FnOnce() + Send + 'static, joined: Joined) -> Option<libc::pthread_t> {
    type Job = Box<dyn FnOnce() + Send>;
    extern "C" fn trampoline(arg: *mut c_void) -> *mut c_void {
        // SAFETY: `arg` is the `Box<Job>` leaked below, taken back exactly once.
        let job = unsafe { Box::from_raw(arg as *mut Job) };
        // Unwinding must not cross this extern "C" frame.
        let _ = catch_unwind(AssertUnwindSafe(job));
        std::ptr::null_mut()
    }
    let job: Box<Job> = Box::new(Box::new(f));
    let arg = Box::into_raw(job) as *mut c_void;
    // SAFETY: the thread owns `arg` if it starts; if it does not, we take it back.
    match unsafe { create(trampoline, arg, Some(256 << 10), joined) } {
        Ok(tid) => Some(tid),
        Err(_) => {
            // SAFETY: `arg` came from `Box::into_raw` above and no thread has it.
            drop(unsafe { Box::from_raw(arg as *mut Job) });
            None
        }
    }
}

/// `pthread_create(trampoline, arg)`, joinable or detached, with a stack of `stack`
/// bytes or the default: the id, or the error number.
///
/// # Safety
/// `arg` must stay valid for as long as `trampoline` uses it.
unsafe fn create(
    trampoline: extern "C" fn(*mut c_void) -> *mut c_void,
    arg: *mut c_void,
    stack: Option<usize>,
    joined: Joined,
) -> Result<libc::pthread_t, i32> {
    // SAFETY: attr is initialised before use and destroyed after; the caller keeps
    // `arg` valid for the thread.
    let (rc, tid) = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        if let Some(bytes) = stack {
            libc::pthread_attr_setstacksize(&mut attr, bytes);
        }
        if joined == Joined::No {
            libc::pthread_attr_setdetachstate(&mut attr, libc::PTHREAD_CREATE_DETACHED);
        }
        let mut tid: libc::pthread_t = 0;
        let rc = libc::pthread_create(&mut tid, &attr, trampoline, arg);
        libc::pthread_attr_destroy(&mut attr);
        (rc, tid)
    };
    if rc == 0 {
        Ok(tid)
    } else {
        Err(rc)
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
