//! Statistics of the samples: median, p90 (nearest rank), and their JSON.

use serde_json::{json, Value};
use std::time::Duration;

/// Samples in milliseconds.
#[derive(Debug, Clone, Default)]
pub struct Stats(Vec<f64>);

impl Stats {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64() * 1e3);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }

    pub fn median(&self) -> Option<f64> {
        let v = self.sorted();
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(v[n / 2]),
            _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
        }
    }

    /// What a suite pays per run: a run that a batch of earlier teardowns lands in
    /// counts in full, where the median may not see it.
    pub fn mean(&self) -> Option<f64> {
        (!self.0.is_empty()).then(|| self.0.iter().sum::<f64>() / self.0.len() as f64)
    }

    /// Nearest rank: with few samples this is the largest, which is the honest answer.
    pub fn p90(&self) -> Option<f64> {
        let v = self.sorted();
        if v.is_empty() {
            return None;
        }
        let rank = ((v.len() as f64) * 0.9).ceil() as usize;
        Some(v[rank.clamp(1, v.len()) - 1])
    }

    pub fn json(&self) -> Value {
        if self.0.is_empty() {
            return Value::Null;
        }
        json!({
            "runs": self.0.len(),
            "median_ms": round3(self.median().unwrap_or(f64::NAN)),
            "p90_ms": round3(self.p90().unwrap_or(f64::NAN)),
            "mean_ms": round3(self.mean().unwrap_or(f64::NAN)),
            "samples_ms": self.0.iter().map(|&x| round3(x)).collect::<Vec<_>>(),
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// The shell side's samples and how many of its runs failed (a lost first ping is a
/// failure of the seeds' script, so it is counted, not hidden).
#[derive(Debug, Default)]
pub struct ShellStats {
    pub ran: bool,
    pub times: Stats,
    pub failures: usize,
    last_error: Option<String>,
}

impl ShellStats {
    pub fn record(&mut self, r: Result<Duration, String>) {
        self.ran = true;
        match r {
            Ok(d) => self.times.push(d),
            Err(e) => {
                self.failures += 1;
                eprintln!("bench: a shell run failed: {e}");
                self.last_error = Some(e);
            }
        }
    }

    pub fn json(&self) -> Value {
        if !self.ran {
            return Value::Null;
        }
        let mut v = self.times.json();
        if v.is_null() {
            v = json!({});
        }
        v["failures"] = json!(self.failures);
        if let Some(e) = &self.last_error {
            v["last_error"] = json!(e);
        }
        v
    }
}
