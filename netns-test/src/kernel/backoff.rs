//! Waiting for the kernel to reach a state without fixed sleeps: ask, and ask again
//! after a pause that starts in microseconds (the kernel is usually there at once),
//! doubles, and stops growing at 2 ms, until a deadline.

use std::time::{Duration, Instant};

const LONGEST: Duration = Duration::from_millis(2);

pub(crate) struct Backoff {
    pause: Duration,
    deadline: Instant,
}

impl Backoff {
    pub(crate) fn new(first: Duration, deadline: Instant) -> Backoff {
        Backoff {
            pause: first,
            deadline,
        }
    }

    /// Pauses before the next ask; `false` (at once) if the deadline would pass first.
    pub(crate) async fn pause(&mut self) -> bool {
        if Instant::now() + self.pause > self.deadline {
            return false;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(LONGEST);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_to_two_ms_and_never_sleep_past_the_deadline() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_millis(100);
        let mut b = Backoff::new(Duration::from_micros(50), deadline);
        let mut pauses = 0;
        while rt.block_on(b.pause()) {
            pauses += 1;
            assert!(pauses < 1000, "the pauses do not grow");
        }
        assert_eq!(b.pause, LONGEST, "doubled up to the longest pause");
        // 50 µs .. 1.6 ms is 3.15 ms; the rest of the 100 ms in 2 ms steps at most.
        assert!(pauses >= 6, "{pauses} pauses");
    }

    /// A pause that would end past the deadline is refused before it starts (whatever
    /// the scheduler does to the sleeps that were allowed, which a loaded machine
    /// stretches: that is not what this checks).
    #[test]
    fn a_pause_that_would_pass_the_deadline_is_refused_at_once() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let hour = Duration::from_secs(3600);
        let mut b = Backoff::new(hour, Instant::now() + Duration::from_secs(60));
        assert!(
            !rt.block_on(b.pause()),
            "an hour's pause with a minute left"
        );
        assert_eq!(b.pause, hour, "a refused pause does not grow");
        let mut gone = Backoff::new(Duration::from_micros(1), Instant::now());
        std::thread::sleep(Duration::from_millis(1));
        assert!(!rt.block_on(gone.pause()), "the deadline has passed");
    }
}
