//! A page shared by the parent and the sandbox, where the work posts its progress
//! (when each phase began, the step under way) without waking the parent.
//!
//! A frame on the result pipe wakes the test thread, usually on the other CPU; a run
//! posted a dozen such frames, which cost a tenth of a two-node test. The parent
//! reads the page only when the run has ended or timed out.

use crate::error::{Phase, Timings};
use std::sync::atomic::{fence, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::time::Duration;

const STEP_BYTES: usize = 240;
const PHASES: usize = 4;

#[repr(C)]
struct Shared {
    /// CLOCK_MONOTONIC nanoseconds at which each phase began (by `Phase::to_byte`);
    /// 0 for a phase not reached.
    began: [AtomicU64; PHASES],
    /// A sequence lock around the step: odd while the work rewrites it.
    seq: AtomicU32,
    len: AtomicU32,
    step: [AtomicU8; STEP_BYTES],
    /// The worker's verdict, set just before it sends it: 0 none yet, 1 passed,
    /// 2 failed. The sandbox process reads it once the worker is gone.
    verdict: AtomicU8,
    /// 1 once the worker found the locks it checks free (`held_locks`).
    clear: AtomicU8,
}

/// What the worker decided, as the page holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The worker ended (or hangs) without one: death by signal, `exit`, a hang.
    None,
    Passed,
    Failed,
}

/// The parent's handle, which also unmaps the page.
pub(crate) struct ProgressPage {
    page: *mut Shared,
}

/// The work's handle: a copy of the pointer, valid in the forked sandbox.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProgressWriter {
    page: *const Shared,
}

// SAFETY: the page is only accessed through atomics.
unsafe impl Send for ProgressWriter {}
// SAFETY: as above.
unsafe impl Sync for ProgressWriter {}

/// CLOCK_MONOTONIC in nanoseconds: the same clock in every process.
pub(crate) fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl ProgressPage {
    /// A zeroed shared page; made before fork so both processes see it.
    pub(crate) fn new() -> std::io::Result<ProgressPage> {
        // SAFETY: a fresh anonymous shared mapping; zero bytes are a valid `Shared`.
        let page = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                std::mem::size_of::<Shared>(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if page == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(ProgressPage { page: page.cast() })
    }

    pub(crate) fn writer(&self) -> ProgressWriter {
        ProgressWriter { page: self.page }
    }

    fn page(&self) -> &Shared {
        // SAFETY: mapped for the life of `self`.
        unsafe { &*self.page }
    }

    /// The last phase the work entered.
    pub(crate) fn phase(&self) -> Phase {
        (0..PHASES)
            .rev()
            .find(|&p| self.page().began[p].load(Ordering::Acquire) != 0)
            .map_or(Phase::Setup, |p| Phase::from_byte(p as u8))
    }

    /// The step under way in the current phase, if the work named one.
    pub(crate) fn step(&self) -> Option<String> {
        let page = self.page();
        // A work that hangs is not writing: a few tries always find a quiet moment.
        for _ in 0..100 {
            let before = page.seq.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::thread::yield_now();
                continue;
            }
            let len = (page.len.load(Ordering::Relaxed) as usize).min(STEP_BYTES);
            let bytes: Vec<u8> = page.step[..len]
                .iter()
                .map(|b| b.load(Ordering::Relaxed))
                .collect();
            // The reads above stay before the second look at the sequence.
            fence(Ordering::Acquire);
            if page.seq.load(Ordering::Relaxed) == before {
                return (len > 0).then(|| String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        None
    }

    /// How long each phase took: from when it began (or the run began, `started`
    /// from [`now_ns`]) to when the next began, or the run ended (`ended`).
    pub(crate) fn timings(&self, started: u64, ended: u64) -> Timings {
        let mut marks: Vec<(usize, u64)> = vec![(0, started)];
        for p in 1..PHASES {
            let at = self.page().began[p].load(Ordering::Acquire);
            if at != 0 {
                marks.push((p, at.clamp(started, ended)));
            }
        }
        let mut t = Timings {
            total: Duration::from_nanos(ended.saturating_sub(started)),
            ..Timings::default()
        };
        for (i, &(p, at)) in marks.iter().enumerate() {
            let until = marks.get(i + 1).map_or(ended, |m| m.1);
            let d = Duration::from_nanos(until.saturating_sub(at));
            match Phase::from_byte(p as u8) {
                Phase::Setup => t.setup += d,
                Phase::Build => t.build += d,
                Phase::Body => t.body += d,
                Phase::Checks => t.checks += d,
            }
        }
        t
    }
}

impl Drop for ProgressPage {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once; the sandbox has its copy.
        unsafe { libc::munmap(self.page.cast(), std::mem::size_of::<Shared>()) };
    }
}

impl ProgressWriter {
    fn page(&self) -> &Shared {
        // SAFETY: the sandbox inherited the mapping and never unmaps it.
        unsafe { &*self.page }
    }

    /// The work enters `phase`: stamps it and clears the step.
    pub(crate) fn phase(&self, phase: Phase) {
        self.step("");
        self.page().began[phase.to_byte() as usize].store(now_ns(), Ordering::Release);
    }

    /// Posts the worker's verdict, before its result frame.
    pub(crate) fn set_verdict(&self, passed: bool) {
        self.page()
            .verdict
            .store(if passed { 1 } else { 2 }, Ordering::Release);
    }

    /// The worker found the locks of the test process free (`held_locks`).
    pub(crate) fn set_clear(&self) {
        self.page().clear.store(1, Ordering::Release);
    }

    /// Whether it did (read by the sandbox process).
    pub(crate) fn is_clear(&self) -> bool {
        self.page().clear.load(Ordering::Acquire) == 1
    }

    /// The verdict the worker posted (read by the sandbox process).
    pub(crate) fn verdict(&self) -> Verdict {
        match self.page().verdict.load(Ordering::Acquire) {
            1 => Verdict::Passed,
            2 => Verdict::Failed,
            _ => Verdict::None,
        }
    }

    /// Names the step under way (cut to 240 bytes). One thread posts, the work's.
    pub(crate) fn step(&self, what: &str) {
        let page = self.page();
        let mut len = what.len().min(STEP_BYTES);
        while !what.is_char_boundary(len) {
            len -= 1;
        }
        // A sequence lock: odd while writing, then even again.
        let seq = page.seq.load(Ordering::Relaxed);
        page.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        // The writes below stay after the odd sequence.
        fence(Ordering::Release);
        for (slot, b) in page.step.iter().zip(&what.as_bytes()[..len]) {
            slot.store(*b, Ordering::Relaxed);
        }
        page.len.store(len as u32, Ordering::Relaxed);
        page.seq.store(seq.wrapping_add(2), Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reads_back_phases_steps_and_timings() {
        let page = ProgressPage::new().unwrap();
        let writer = page.writer();
        assert_eq!(page.phase(), Phase::Setup);
        assert_eq!(page.step(), None);
        let started = now_ns();
        writer.phase(Phase::Build);
        writer.step("waiting for the links to come up");
        assert_eq!(page.phase(), Phase::Build);
        assert_eq!(
            page.step().as_deref(),
            Some("waiting for the links to come up")
        );
        writer.phase(Phase::Body);
        assert_eq!(page.step(), None, "a new phase has no step yet");
        writer.step(&"é".repeat(200));
        assert_eq!(page.step().unwrap().len(), 240, "cut on a char boundary");
        let ended = now_ns();
        let t = page.timings(started, ended);
        assert_eq!(t.total, Duration::from_nanos(ended - started));
        assert_eq!(t.setup + t.build + t.body + t.checks, t.total);
        assert_eq!(t.checks, Duration::ZERO, "not reached");
    }
}
