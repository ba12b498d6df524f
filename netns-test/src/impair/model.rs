//! What one direction of a link does to its frames, and the random draws behind it.
//!
//! Semantics follow netem where netem is well defined, with these differences:
//! * a frame is first serialised at `rate` (it leaves no earlier than the previous
//!   frame's departure + its wire size × 8 / rate), then propagates for `delay` ±
//!   jitter;
//! * `loss` and `duplicate` give 0, 1 or 2 copies (netem's count: 1 + dup − loss);
//! * `reorder` P: P of the frames skip the delay (netem's `reorder P gap 1`);
//! * `corrupt` flips one bit after the Ethernet header, after completing an
//!   offloaded checksum, so the receiver's checksum sees it;
//! * jitter never reorders by itself: a frame leaves no earlier than the one before
//!   it (netem's tfifo reorders with jitter, which its own manual calls a pitfall;
//!   `reorder` is for that);
//! * `limit` counts the frames waiting for the serialiser (only a rate makes a queue),
//!   not those propagating: netem counts its whole delay line, so a long delay at a
//!   high rate dropped there.

use crate::topology::{Distribution, Impairment, Percent};
use std::time::Duration;

/// A probability, scaled so that `u32::MAX` is 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Prob(pub u32);

impl Prob {
    pub(crate) const ZERO: Prob = Prob(0);
    pub(crate) const ONE: Prob = Prob(u32::MAX);

    pub(crate) fn percent(p: Percent) -> Prob {
        Prob(p.scaled_u32())
    }

    fn ratio(x: f64) -> Prob {
        Prob((x.clamp(0.0, 1.0) * f64::from(u32::MAX)).round() as u32)
    }

    pub(crate) fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// True with this probability, for a uniform 64-bit draw; 1 always hits.
    pub(crate) fn hit(self, draw: u64) -> bool {
        self.0 == u32::MAX || ((draw >> 32) as u32) < self.0
    }
}

/// The loss model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) enum Loss {
    #[default]
    None,
    /// Each frame independently.
    Random(Prob),
    /// Gilbert-Elliott (netem's `loss gemodel p r 1-h 1-k`): a good and a bad state;
    /// `p` = P(good → bad), `r` = P(bad → good), `bad_loss` and `good_loss` the loss
    /// in each. Mean burst 1/r; long-run P(bad) = p / (p + r).
    GilbertElliott {
        p: Prob,
        r: Prob,
        bad_loss: Prob,
        good_loss: Prob,
    },
}

/// One direction's parameters. `Params::default()` changes nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Params {
    pub delay: Duration,
    pub jitter: Duration,
    pub distribution: Distribution,
    pub loss: Loss,
    pub duplicate: Prob,
    pub reorder: Prob,
    pub corrupt: Prob,
    /// Bits per second of the serialiser; `None`: unlimited.
    pub rate: Option<u64>,
    /// Frames that may wait for the serialiser; more are dropped at the tail.
    pub limit: u32,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            distribution: Distribution::Uniform,
            loss: Loss::None,
            duplicate: Prob::ZERO,
            reorder: Prob::ZERO,
            corrupt: Prob::ZERO,
            rate: None,
            // netem's default.
            limit: 1000,
        }
    }
}

impl From<&Impairment> for Params {
    fn from(i: &Impairment) -> Params {
        let prob = |p: Option<Percent>| p.map_or(Prob::ZERO, Prob::percent);
        let loss = match (i.loss, i.loss_burst) {
            // `loss 0%` decides nothing: the frames take the fast path.
            (None, _) => Loss::None,
            (Some(p), _) if p.milli() == 0 => Loss::None,
            (Some(p), None) => Loss::Random(Prob::percent(p)),
            // Gilbert's model: every frame is lost in the bad state, none in the
            // good. A burst lasts 1/r frames; the long-run loss P = p / (p + r), so
            // p = r P / (1 - P) (the language keeps it at most 1).
            (Some(p), Some(n)) => {
                let loss = f64::from(p.milli()) / 100_000.0;
                let r = 1.0 / f64::from(n);
                Loss::GilbertElliott {
                    p: Prob::ratio(r * loss / (1.0 - loss)),
                    r: Prob::ratio(r),
                    bad_loss: Prob::ONE,
                    good_loss: Prob::ZERO,
                }
            }
        };
        Params {
            delay: i.delay.unwrap_or_default(),
            jitter: i.jitter.unwrap_or_default(),
            distribution: i.distribution,
            loss,
            duplicate: prob(i.duplicate),
            reorder: prob(i.reorder),
            corrupt: prob(i.corrupt),
            rate: i.rate,
            ..Params::default()
        }
    }
}

impl Params {
    /// Nothing to do: frames go straight through (the relay's fast path).
    pub(crate) fn is_passthrough(&self) -> bool {
        self.delay.is_zero() && self.jitter.is_zero() && self.rate.is_none() && !self.per_frame()
    }

    /// Some decision is made per wire frame (so GSO super-frames are split first).
    pub(crate) fn per_frame(&self) -> bool {
        self.loss != Loss::None
            || !self.duplicate.is_zero()
            || !self.reorder.is_zero()
            || !self.corrupt.is_zero()
    }

    /// Some decision is random (so the frame needs a decision key).
    pub(crate) fn random(&self) -> bool {
        self.per_frame() || !self.jitter.is_zero()
    }

    /// The delay of one copy, from two uniform draws (the second for the normal
    /// distribution's Box-Muller), never negative.
    pub(crate) fn sample_delay(&self, u: u64, v: u64) -> Duration {
        let (d, j) = (self.delay.as_nanos() as f64, self.jitter.as_nanos() as f64);
        if j == 0.0 {
            return self.delay;
        }
        let unit = |x: u64| (x >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
        let offset = match self.distribution {
            Distribution::Uniform => (unit(u) * 2.0 - 1.0) * j,
            Distribution::Normal => {
                let (a, b) = (unit(u).max(f64::MIN_POSITIVE), unit(v));
                (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos() * j
            }
            Distribution::Pareto => {
                // Pareto(xm, shape 3): mean 1.5 xm, sd (√3 / 2) xm; shifted to mean 0.
                let xm = j / (3f64.sqrt() / 2.0);
                let x = xm / (1.0 - unit(u)).max(1e-12).cbrt();
                x - 1.5 * xm
            }
        };
        Duration::from_nanos((d + offset).max(0.0) as u64)
    }
}

/// The two-state chain of a Gilbert-Elliott loss model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct GeState {
    bad: bool,
}

impl GeState {
    /// One frame: the transition, and the loss decided by the state the frame arrived
    /// in (netem's order).
    pub(crate) fn step(&mut self, loss: &Loss, transition: u64, lose: u64) -> bool {
        let Loss::GilbertElliott {
            p,
            r,
            bad_loss,
            good_loss,
        } = *loss
        else {
            return false;
        };
        if self.bad {
            self.bad = !r.hit(transition);
            bad_loss.hit(lose)
        } else {
            self.bad = p.hit(transition);
            good_loss.hit(lose)
        }
    }
}

/// Draw number `tag` of decision key `k`: splitmix64's finaliser over both. Each
/// decision has a tag of its own, so turning one impairment on never shifts the
/// draws of another.
pub(crate) fn draw(k: u64, tag: u64) -> u64 {
    let mut z = k ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The tags of [`draw`].
pub(crate) mod tag {
    pub(crate) const LOSS: u64 = 1;
    pub(crate) const GE_TRANSITION: u64 = 2;
    pub(crate) const DUPLICATE: u64 = 3;
    pub(crate) const REORDER: u64 = 4;
    pub(crate) const CORRUPT: u64 = 5;
    pub(crate) const CORRUPT_BIT: u64 = 6;
    /// Copy c's delay uses JITTER + 2c and JITTER + 2c + 1.
    pub(crate) const JITTER: u64 = 16;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_at_their_edges_and_in_between() {
        assert!(!Prob::ZERO.hit(0));
        assert!(Prob::ONE.hit(u64::MAX));
        let p = Prob::percent(Percent::from_milli(10_000).unwrap());
        let hits = (0..100_000u64).filter(|&i| p.hit(draw(42, i))).count();
        assert!((9_500..10_500).contains(&hits), "{hits}");
    }

    #[test]
    fn uniform_jitter_stays_within_its_bounds() {
        let params = Params {
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(5),
            ..Params::default()
        };
        for i in 0..10_000 {
            let d = params.sample_delay(draw(1, i), draw(2, i));
            assert!(d >= Duration::from_millis(15) && d <= Duration::from_millis(25));
        }
    }

    #[test]
    fn normal_and_pareto_jitter_have_the_deviation_asked_for() {
        for distribution in [Distribution::Normal, Distribution::Pareto] {
            let params = Params {
                delay: Duration::from_millis(100),
                jitter: Duration::from_millis(5),
                distribution,
                ..Params::default()
            };
            let xs: Vec<f64> = (0..200_000)
                .map(|i| params.sample_delay(draw(7, i), draw(8, i)).as_secs_f64() * 1e3)
                .collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
            assert!((mean - 100.0).abs() < 0.2, "{distribution:?} mean {mean}");
            // Pareto(3) has no fourth moment: its sample deviation converges slowly.
            assert!(
                (var.sqrt() - 5.0).abs() < 0.5,
                "{distribution:?} sd {}",
                var.sqrt()
            );
        }
        let never_negative = Params {
            delay: Duration::from_millis(1),
            jitter: Duration::from_millis(50),
            distribution: Distribution::Normal,
            ..Params::default()
        };
        assert!((0..1000)
            .all(|i| never_negative.sample_delay(draw(3, i), draw(4, i)) < Duration::from_secs(1)));
    }

    #[test]
    fn bursty_loss_keeps_its_rate_and_its_burst_length() {
        // loss 5% burst 4.
        let imp = Impairment {
            loss: Percent::from_milli(5000),
            loss_burst: Some(4),
            ..Impairment::default()
        };
        let params = Params::from(&imp);
        let mut chain = GeState::default();
        let n = 400_000u64;
        let (mut lost, mut bursts, mut previous) = (0u64, 0u64, false);
        for i in 0..n {
            let l = chain.step(&params.loss, draw(3, i), draw(4, i));
            lost += u64::from(l);
            bursts += u64::from(l && !previous);
            previous = l;
        }
        let rate = lost as f64 / n as f64;
        let burst = lost as f64 / bursts as f64;
        assert!((rate - 0.05).abs() < 0.003, "loss {rate}");
        assert!((burst - 4.0).abs() < 0.2, "mean burst {burst}");
    }

    #[test]
    fn all_zero_is_a_passthrough() {
        let zero = Params::from(&Impairment {
            loss: Percent::from_milli(0),
            ..Impairment::default()
        });
        assert!(zero.is_passthrough(), "loss 0% decides nothing");
        assert!(Params::default().is_passthrough());
    }
}
