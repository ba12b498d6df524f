//! An [`Impairment`] built option by option (`Impairment::builder()`), held to the
//! language's rules when it is built: each percentage by the language's own word
//! parser, the whole by [`Impairment::validate`]. No rule is written twice.

use crate::error::ParseError;
use crate::impair::{self, Distribution, Impairment, Percent};
use crate::lex::{Pos, Token};
use std::time::Duration;

/// Builds an [`Impairment`] in code with the rules and messages of a link's options
/// in the language (`docs/topology.md`): [`build`](ImpairmentBuilder::build) is
/// where they are checked.
///
/// ```
/// use netns_test_topology::{Distribution, Impairment};
/// use std::time::Duration;
///
/// let lossy = Impairment::builder()
///     .delay(Duration::from_millis(20))
///     .jitter(Duration::from_millis(5))
///     .distribution(Distribution::Normal)
///     .loss(1.5)
///     .rate(10_000_000)
///     .build()
///     .unwrap();
/// assert_eq!(lossy, "delay 20ms jitter 5ms normal loss 1.5% rate 10mbit".parse().unwrap());
///
/// // The language's rules, with its messages.
/// let e = Impairment::builder().loss(150.0).build().unwrap_err();
/// assert_eq!(
///     e.message(),
///     "expected a loss percentage like 1% or 0.5% (0 to 100, at most 3 decimals), \
///      found \"150%\""
/// );
/// let e = Impairment::builder().jitter(Duration::from_millis(5)).build().unwrap_err();
/// assert!(e.message().starts_with("jitter needs a delay"), "{e}");
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ImpairmentBuilder {
    impairment: Impairment,
    /// The percentages as given, read by the language's rule at `build`:
    /// `loss`, `duplicate`, `reorder`, `corrupt`.
    percents: [Option<f64>; 4],
}

/// The options that take a percentage, in the order of `ImpairmentBuilder::percents`.
const PERCENT_OPTIONS: [&str; 4] = ["loss", "duplicate", "reorder", "corrupt"];

impl Impairment {
    /// A builder for an impairment made in code, checked by the language's rules when
    /// built. See [`ImpairmentBuilder`].
    pub fn builder() -> ImpairmentBuilder {
        ImpairmentBuilder::default()
    }
}

impl ImpairmentBuilder {
    /// `delay T`: added to every packet's way; a whole number of microseconds, above
    /// 0 and at most 60 s.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.impairment.delay = Some(delay);
        self
    }

    /// `jitter T`: random variation of the delay (needs a delay), within the same
    /// bounds.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.impairment.jitter = Some(jitter);
        self
    }

    /// The shape of the jitter (needs a jitter): `uniform` unless given.
    pub fn distribution(mut self, distribution: Distribution) -> Self {
        self.impairment.distribution = distribution;
        self
    }

    /// `loss P%`: `percent` of the packets lost (`1.5` is 1.5%), 0 to 100 with at
    /// most 3 decimals.
    pub fn loss(self, percent: f64) -> Self {
        self.percent(0, percent)
    }

    /// `burst N` after the loss: losses come in bursts of `packets` on average, the
    /// long-run loss staying the same (needs a loss; 1 to 10 000, and the loss at most
    /// N / (N + 1)).
    pub fn loss_burst(mut self, packets: u32) -> Self {
        self.impairment.loss_burst = Some(packets);
        self
    }

    /// `duplicate P%`: `percent` of the packets sent twice.
    pub fn duplicate(self, percent: f64) -> Self {
        self.percent(1, percent)
    }

    /// `reorder P%`: `percent` of the packets sent at once, overtaking others (needs a
    /// delay).
    pub fn reorder(self, percent: f64) -> Self {
        self.percent(2, percent)
    }

    /// `corrupt P%`: `percent` of the packets with one bit flipped.
    pub fn corrupt(self, percent: f64) -> Self {
        self.percent(3, percent)
    }

    /// `rate R`: at most `bits_per_second`, above 0.
    pub fn rate(mut self, bits_per_second: u64) -> Self {
        self.impairment.rate = Some(bits_per_second);
        self
    }

    fn percent(mut self, option: usize, percent: f64) -> Self {
        self.percents[option] = Some(percent);
        self
    }

    /// The impairment, if the language accepts it; else the language's message for
    /// the first option it refuses (at line 1, column 1: there is no text to point
    /// into).
    pub fn build(self) -> Result<Impairment, ParseError> {
        let mut impairment = self.impairment;
        let fields = [
            &mut impairment.loss,
            &mut impairment.duplicate,
            &mut impairment.reorder,
            &mut impairment.corrupt,
        ];
        for ((field, given), option) in fields.into_iter().zip(self.percents).zip(PERCENT_OPTIONS) {
            if let Some(percent) = given {
                *field = Some(language_percent(option, percent)?);
            }
        }
        impairment.validate()?;
        Ok(impairment)
    }
}

/// `percent` as the language reads `{percent}%` after `option`: `f64`'s shortest
/// text is the number as the caller wrote it (`0.1` is `0.1`), so a value with more
/// than 3 decimals, out of range or not a number gets the language's message.
fn language_percent(option: &str, percent: f64) -> Result<Percent, ParseError> {
    let text = format!("{percent}%");
    let pos = Pos { line: 1, col: 1 };
    impair::percent(option, Token { text: &text, pos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn every_option_reaches_its_field_as_the_text_does() {
        let built = Impairment::builder()
            .delay(ms(20))
            .jitter(ms(2))
            .distribution(Distribution::Pareto)
            .loss(10.0)
            .loss_burst(3)
            .duplicate(0.5)
            .reorder(25.0)
            .corrupt(0.001)
            .rate(1_500_000)
            .build()
            .unwrap();
        let text = "delay 20ms jitter 2ms pareto loss 10% burst 3 duplicate 0.5% reorder 25% \
                    corrupt 0.001% rate 1500kbit";
        assert_eq!(built, text.parse().unwrap());
        assert_eq!(built.to_string(), text);
        assert_eq!(Impairment::builder().build(), Ok(Impairment::default()));
        // A later call replaces an earlier one, as a field assignment would.
        let once = Impairment::builder().loss(150.0).loss(1.0).build().unwrap();
        assert_eq!(once.loss, Percent::from_milli(1000));
    }

    #[test]
    fn a_rule_broken_gives_the_languages_message() {
        let message = |b: ImpairmentBuilder| b.build().unwrap_err().message;
        let text = |t: &str| t.parse::<Impairment>().unwrap_err().message;
        for (percent, written) in [
            (100.5, "100.5%"),
            (-1.0, "-1%"),
            (0.0001, "0.0001%"),
            (f64::NAN, "NaN%"),
        ] {
            assert_eq!(
                message(Impairment::builder().duplicate(percent)),
                text(&format!("duplicate {written}")),
                "{percent}"
            );
        }
        assert_eq!(
            message(Impairment::builder().reorder(5.0)),
            format!("{} (as written: \"reorder 5%\")", text("reorder 5%"))
        );
        assert_eq!(
            message(Impairment::builder().loss(60.0).loss_burst(1)),
            format!(
                "{} (as written: \"loss 60% burst 1\")",
                text("loss 60% burst 1")
            )
        );
        assert!(message(Impairment::builder().rate(0)).contains("more than 0"));
        assert!(
            message(Impairment::builder().delay(Duration::from_nanos(1500)))
                .contains("cannot be written in the language")
        );
        assert!(
            message(Impairment::builder().delay(Duration::from_secs(61))).contains("at most 60s")
        );
    }
}
