//! Durations as written: a number and its unit, like `20ms`, `1.5s` or `2m`.
//!
//! One grammar for every duration of netns-test: the impairments' `delay` and
//! `jitter`, and the macro's `timeout`. What a caller accepts of it (its units,
//! whether decimals, its range) is the caller's: it passes its [`Grammar`] and
//! checks the range on the [`Duration`] it gets.
//!
//! ```
//! use netns_test_topology::duration::{self, DurationError, Grammar, Unit};
//! use std::time::Duration;
//!
//! assert_eq!(duration::parse("1.5ms"), Ok(Duration::from_micros(1500)));
//! assert_eq!(duration::parse("2m"), Ok(Duration::from_secs(120)));
//!
//! let whole_seconds = Grammar { units: &[Unit::Secs], decimals: false };
//! assert_eq!(whole_seconds.parse("1.5s"), Err(DurationError::NotWhole));
//! assert_eq!(whole_seconds.parse("2m").unwrap_err().to_string(), "unknown unit `m`");
//! ```

use std::fmt;
use std::time::Duration;

/// A unit a duration is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// `us`
    Micros,
    /// `ms`
    Millis,
    /// `s`
    Secs,
    /// `m`
    Mins,
}

impl Unit {
    /// Every unit, shortest first.
    pub const ALL: [Unit; 4] = [Unit::Micros, Unit::Millis, Unit::Secs, Unit::Mins];

    /// As written after the number.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Micros => "us",
            Unit::Millis => "ms",
            Unit::Secs => "s",
            Unit::Mins => "m",
        }
    }

    fn nanos(self) -> u128 {
        match self {
            Unit::Micros => 1_000,
            Unit::Millis => 1_000_000,
            Unit::Secs => 1_000_000_000,
            Unit::Mins => 60_000_000_000,
        }
    }
}

/// What a caller takes of the language: `DIGITS [.DIGITS] UNIT`, no sign, no
/// space, no exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grammar {
    /// The units accepted; any other is [`DurationError::UnknownUnit`].
    pub units: &'static [Unit],
    /// Whether the number may have a fraction (`1.5s`); if not, a `.` or `,`
    /// after the digits is [`DurationError::NotWhole`].
    pub decimals: bool,
}

/// A duration that does not parse, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    /// It does not start with a digit: `""`, `"s"`, `"-1s"`, `".5s"`.
    NoNumber,
    /// A number without a unit: `"30"`.
    NoUnit,
    /// A fraction where only whole numbers are taken: `"1.5s"`, `"1,5s"`.
    NotWhole,
    /// What follows the number is none of the units taken: `"30h"`, `"30 s"`.
    UnknownUnit(String),
    /// More than a [`Duration`] holds, or more digits than a `u64`.
    TooLarge,
    /// A fraction finer than a nanosecond: `"0.0000000001s"`.
    TooPrecise,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::NoNumber => f.write_str("no number"),
            DurationError::NoUnit => f.write_str("no unit"),
            DurationError::NotWhole => f.write_str("not a whole number"),
            DurationError::UnknownUnit(unit) => write!(f, "unknown unit `{unit}`"),
            DurationError::TooLarge => f.write_str("too large"),
            DurationError::TooPrecise => f.write_str("finer than a nanosecond"),
        }
    }
}

impl std::error::Error for DurationError {}

/// Parses a duration in any unit (`us`, `ms`, `s`, `m`), whole or decimal.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    Grammar::ALL.parse(text)
}

impl Grammar {
    /// Every unit, whole numbers and decimals.
    pub const ALL: Grammar = Grammar {
        units: &Unit::ALL,
        decimals: true,
    };

    /// Parses `text`. The checks come in the order of the text: the number, then
    /// the fraction and the unit, then the size.
    pub fn parse(&self, text: &str) -> Result<Duration, DurationError> {
        let (whole, rest) = split_digits(text);
        if whole.is_empty() {
            return Err(DurationError::NoNumber);
        }
        let (fraction, rest) = match rest.strip_prefix('.') {
            Some(after) if self.decimals && after.starts_with(|c: char| c.is_ascii_digit()) => {
                split_digits(after)
            }
            _ if !self.decimals && rest.starts_with(['.', ',']) => {
                return Err(DurationError::NotWhole)
            }
            _ => ("", rest),
        };
        if rest.is_empty() {
            return Err(DurationError::NoUnit);
        }
        let unit = self
            .units
            .iter()
            .copied()
            .find(|u| u.suffix() == rest)
            .ok_or_else(|| DurationError::UnknownUnit(rest.to_string()))?;
        let whole: u64 = whole.parse().map_err(|_| DurationError::TooLarge)?;
        let nanos = u128::from(whole) * unit.nanos() + fraction_nanos(fraction, unit)?;
        let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| DurationError::TooLarge)?;
        Ok(Duration::new(secs, (nanos % 1_000_000_000) as u32))
    }
}

/// The leading ASCII digits of `text`, and what follows them.
fn split_digits(text: &str) -> (&str, &str) {
    text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    )
}

/// The digits after the point, in nanoseconds of `unit`; exact or an error.
fn fraction_nanos(digits: &str, unit: Unit) -> Result<u128, DurationError> {
    let digits = digits.trim_end_matches('0');
    // A minute is 6e10 ns: more than 11 significant decimals is never exact,
    // and 20 keep the arithmetic inside a u128.
    if digits.len() > 20 {
        return Err(DurationError::TooPrecise);
    }
    let scale = 10u128.pow(digits.len() as u32);
    let value: u128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| DurationError::TooPrecise)?
    };
    let scaled = value * unit.nanos();
    if !scaled.is_multiple_of(scale) {
        return Err(DurationError::TooPrecise);
    }
    Ok(scaled / scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE_MS_S_M: Grammar = Grammar {
        units: &[Unit::Millis, Unit::Secs, Unit::Mins],
        decimals: false,
    };

    #[test]
    fn every_unit() {
        assert_eq!(parse("7us"), Ok(Duration::from_micros(7)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("007s"), Ok(Duration::from_secs(7)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn decimals() {
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("0.5m"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("0.001us"), Ok(Duration::from_nanos(1)));
        assert_eq!(
            parse("2.50000000000000000000000ms"),
            Ok(Duration::from_micros(2500))
        );
        assert_eq!(parse("0.0001us"), Err(DurationError::TooPrecise));
        assert_eq!(parse("0.000000000001m"), Err(DurationError::TooPrecise));
        assert_eq!(parse("1.5"), Err(DurationError::NoUnit));
        // A point without digits after it, or a comma, is no fraction.
        assert_eq!(parse("1.s"), Err(DurationError::UnknownUnit(".s".into())));
        assert_eq!(parse("1,5s"), Err(DurationError::UnknownUnit(",5s".into())));
        assert_eq!(parse(".5s"), Err(DurationError::NoNumber));
    }

    #[test]
    fn limits_of_a_duration() {
        let max = u64::MAX;
        assert_eq!(parse(&format!("{max}s")), Ok(Duration::from_secs(max)));
        assert_eq!(
            parse(&format!("{max}.999999999s")),
            Ok(Duration::new(max, 999_999_999))
        );
        assert_eq!(parse(&format!("{max}m")), Err(DurationError::TooLarge));
        assert_eq!(
            parse("18446744073709551616us"),
            Err(DurationError::TooLarge)
        );
        assert_eq!(
            parse("99999999999999999999ms"),
            Err(DurationError::TooLarge)
        );
    }

    #[test]
    fn errors() {
        for (text, want) in [
            ("", DurationError::NoNumber),
            ("s", DurationError::NoNumber),
            ("-1s", DurationError::NoNumber),
            ("+1s", DurationError::NoNumber),
            ("30", DurationError::NoUnit),
            ("30 s", DurationError::UnknownUnit(" s".into())),
            ("30h", DurationError::UnknownUnit("h".into())),
            ("30S", DurationError::UnknownUnit("S".into())),
            ("30min", DurationError::UnknownUnit("min".into())),
            ("1e3ms", DurationError::UnknownUnit("e3ms".into())),
        ] {
            assert_eq!(parse(text), Err(want), "{text:?}");
        }
        assert_eq!(
            DurationError::UnknownUnit(" s".into()).to_string(),
            "unknown unit ` s`"
        );
    }

    #[test]
    fn a_grammar_keeps_to_its_units_and_whole_numbers() {
        let g = WHOLE_MS_S_M;
        assert_eq!(g.parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(g.parse("7us"), Err(DurationError::UnknownUnit("us".into())));
        assert_eq!(g.parse("1.5s"), Err(DurationError::NotWhole));
        assert_eq!(g.parse("1,5s"), Err(DurationError::NotWhole));
        assert_eq!(g.parse("1."), Err(DurationError::NotWhole));
        // The unit is judged before the size of the number.
        assert_eq!(
            g.parse("99999999999999999999us"),
            Err(DurationError::UnknownUnit("us".into()))
        );
        assert_eq!(
            g.parse("99999999999999999999s"),
            Err(DurationError::TooLarge)
        );
    }
}
