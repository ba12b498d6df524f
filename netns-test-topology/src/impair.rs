//! Link impairments: the options `delay`, `jitter` (with its distribution), `loss`
//! (independent, or in bursts), `duplicate`, `reorder`, `corrupt` and `rate` of a
//! link, their values with units, and how they print back.

use crate::duration::{Grammar, Unit};
use crate::error::ParseError;
use crate::lex::Token;
use std::fmt;
use std::time::Duration;

/// The link options that impair traffic, in their printing order.
pub(crate) const OPTIONS: [&str; 7] = [
    "delay",
    "jitter",
    "loss",
    "duplicate",
    "reorder",
    "corrupt",
    "rate",
];

/// The longest mean burst of `loss P burst N`, in packets.
const MAX_BURST: u32 = 10_000;

/// The longest delay or jitter: longer would be a test that waits, not one that
/// impairs.
const MAX_TIME: Duration = Duration::from_secs(60);

/// What happens to the traffic from one end of a link to the other. `Default` is no
/// impairment at all; any option given, even `loss 0%`, puts the link on the
/// harness's impairment relay (see `docs/topology.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Impairment {
    /// Added to every packet's way.
    pub delay: Option<Duration>,
    /// Random variation of the delay (needs `delay`).
    pub jitter: Option<Duration>,
    /// The shape of the jitter (`Uniform` unless written after it).
    pub distribution: Distribution,
    /// Packets lost: independently, or in bursts with `loss_burst`.
    pub loss: Option<Percent>,
    /// `loss P burst N`: losses come in bursts of `N` packets on average, the
    /// long-run loss staying `P` (Gilbert's two-state model; needs `loss`).
    pub loss_burst: Option<u32>,
    /// Packets sent twice.
    pub duplicate: Option<Percent>,
    /// Packets sent at once, without the delay, so that they overtake others
    /// (needs `delay`).
    pub reorder: Option<Percent>,
    /// Packets with one bit flipped after the Ethernet header (the receiver's
    /// checksums see it).
    pub corrupt: Option<Percent>,
    /// Bits per second.
    pub rate: Option<u64>,
}

/// How the delay of `jitter T` varies around `delay`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Distribution {
    /// Evenly within `delay ± T`.
    #[default]
    Uniform,
    /// Normal, with standard deviation `T`.
    Normal,
    /// Pareto (a long tail of late packets), with standard deviation `T`.
    Pareto,
}

impl Distribution {
    /// The words after `jitter T`: `uniform` (the default), `normal`, `pareto`.
    pub const WORDS: [(&'static str, Distribution); 3] = [
        ("uniform", Distribution::Uniform),
        ("normal", Distribution::Normal),
        ("pareto", Distribution::Pareto),
    ];

    /// As written after `jitter T`.
    pub fn word(self) -> &'static str {
        Distribution::WORDS
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("uniform", |(w, _)| w)
    }
}

/// A percentage with up to 3 decimals, kept exactly in thousandths of a percent
/// (0 to 100 000).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percent(u32);

impl Percent {
    /// 100%.
    pub const MAX: Percent = Percent(100_000);

    /// `None` above 100 000 (100%).
    pub fn from_milli(thousandths: u32) -> Option<Percent> {
        (thousandths <= 100_000).then_some(Percent(thousandths))
    }

    /// Thousandths of a percent.
    pub fn milli(self) -> u32 {
        self.0
    }

    /// As a probability scaled to `u32::MAX` (100% is `u32::MAX`), the kernel's form.
    pub fn scaled_u32(self) -> u32 {
        (u64::from(u32::MAX) * u64::from(self.0) / 100_000) as u32
    }
}

impl Impairment {
    /// True when it changes nothing.
    pub fn is_none(&self) -> bool {
        *self == Impairment::default()
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (int, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{int}%")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{int}.{}%", digits.trim_end_matches('0'))
        }
    }
}

/// A time in the largest unit that writes it exactly: `20ms`, `1500us`, `2s`.
pub(crate) struct Time(pub Duration);

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0.as_micros();
        if us.is_multiple_of(1_000_000) {
            write!(f, "{}s", us / 1_000_000)
        } else if us.is_multiple_of(1000) {
            write!(f, "{}ms", us / 1000)
        } else {
            write!(f, "{us}us")
        }
    }
}

/// A rate in the largest unit that writes it exactly: `10mbit`, `1500kbit`.
pub(crate) struct Rate(pub u64);

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        for (unit, scale) in [("gbit", 1_000_000_000), ("mbit", 1_000_000), ("kbit", 1000)] {
            if r.is_multiple_of(scale) {
                return write!(f, "{}{unit}", r / scale);
            }
        }
        write!(f, "{r}bit")
    }
}

/// The options, in the canonical order, as `delay 20ms loss 1%` (empty for none).
impl fmt::Display for Impairment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = Vec::new();
        if let Some(d) = self.delay {
            words.push(format!("delay {}", Time(d)));
        }
        if let Some(j) = self.jitter {
            words.push(format!("jitter {}", Time(j)));
            if self.distribution != Distribution::Uniform {
                words.push(self.distribution.word().to_string());
            }
        }
        if let Some(p) = self.loss {
            words.push(format!("loss {p}"));
            if let Some(n) = self.loss_burst {
                words.push(format!("burst {n}"));
            }
        }
        for (name, p) in [
            ("duplicate", self.duplicate),
            ("reorder", self.reorder),
            ("corrupt", self.corrupt),
        ] {
            if let Some(p) = p {
                words.push(format!("{name} {p}"));
            }
        }
        if let Some(r) = self.rate {
            words.push(format!("rate {}", Rate(r)));
        }
        f.write_str(&words.join(" "))
    }
}

/// Splits `10mbit` into its digits and its unit; digits only, no sign, no decimals.
fn number_unit(text: &str) -> Option<(u64, &str)> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    if digits.is_empty() {
        return None;
    }
    Some((digits.parse().ok()?, unit))
}

/// What `delay` and `jitter` take of the duration grammar.
const TIME: Grammar = Grammar {
    units: &[Unit::Micros, Unit::Millis, Unit::Secs],
    decimals: false,
};

/// `delay` and `jitter`: a whole number of `us`, `ms` or `s`, above 0, at most 60 s.
pub(crate) fn time(option: &str, t: Token<'_>) -> Result<Duration, ParseError> {
    let d = TIME.parse(t.text).map_err(|_| {
        t.pos.error(format!(
            "expected a {option} like 20ms (a whole number of us, ms or s), found {:?}",
            t.text
        ))
    })?;
    if d.is_zero() || d > MAX_TIME {
        return Err(t.pos.error(format!(
            "{option} {} is out of range: more than 0 and at most 60s",
            t.text
        )));
    }
    Ok(d)
}

/// `loss`, `duplicate`, `reorder` and `corrupt`: `0%` to `100%`, with up to 3
/// decimals.
pub(crate) fn percent(option: &str, t: Token<'_>) -> Result<Percent, ParseError> {
    let expected = || {
        t.pos.error(format!(
            "expected a {option} percentage like 1% or 0.5% (0 to 100, at most 3 decimals), \
             found {:?}",
            t.text
        ))
    };
    let number = t.text.strip_suffix('%').ok_or_else(expected)?;
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || int.len() > 3
        || !digits(int)
        || !digits(frac)
        || frac.len() > 3
        || (number.contains('.') && frac.is_empty())
    {
        return Err(expected());
    }
    let int: u32 = int.parse().map_err(|_| expected())?;
    let frac: u32 = format!("{frac:0<3}").parse().map_err(|_| expected())?;
    Percent::from_milli(int * 1000 + frac).ok_or_else(expected)
}

/// `burst N` after `loss P`: a whole number of packets, 1 to 10 000, such that
/// losses in bursts of `N` on average can add up to `P`. In Gilbert's model a burst
/// ends after each lost packet with probability 1/N and starts after each delivered
/// one with probability p = P / (N (1 - P)), which must be at most 1: P at most
/// N / (N + 1).
pub(crate) fn burst(loss: Percent, t: Token<'_>) -> Result<u32, ParseError> {
    let n: u32 = t
        .text
        .parse()
        .ok()
        .filter(|n| t.text.bytes().all(|b| b.is_ascii_digit()) && (1..=MAX_BURST).contains(n))
        .ok_or_else(|| {
            t.pos.error(format!(
                "expected a mean burst length like 3 (a whole number of packets, 1 to \
                 {MAX_BURST}), found {:?}",
                t.text
            ))
        })?;
    // P <= N / (N + 1), in thousandths of a percent.
    if u64::from(loss.milli()) * u64::from(n + 1) > 100_000 * u64::from(n) {
        let most = Percent((100_000 * u64::from(n) / u64::from(n + 1)) as u32);
        return Err(t.pos.error(format!(
            "loss {loss} cannot come in bursts of {n} on average: between bursts at least \
             one packet passes, so the loss is at most {most} (N / (N + 1))"
        )));
    }
    Ok(n)
}

/// A word after `jitter T` naming its distribution, if it is one.
pub(crate) fn distribution(t: &Token<'_>) -> Option<Distribution> {
    Distribution::WORDS
        .iter()
        .find(|(w, _)| *w == t.text)
        .map(|(_, d)| *d)
}

/// `rate`: a whole number of `bit`, `kbit`, `mbit` or `gbit` per second, above 0.
pub(crate) fn rate(t: Token<'_>) -> Result<u64, ParseError> {
    let expected = || {
        t.pos.error(format!(
            "expected a rate like 10mbit (a whole number of bit, kbit, mbit or gbit per \
             second), found {:?}",
            t.text
        ))
    };
    let (n, unit) = number_unit(t.text).ok_or_else(expected)?;
    let scale: u64 = match unit {
        "bit" => 1,
        "kbit" => 1000,
        "mbit" => 1_000_000,
        "gbit" => 1_000_000_000,
        _ => return Err(expected()),
    };
    let r = n.checked_mul(scale).ok_or_else(expected)?;
    if r == 0 {
        return Err(t
            .pos
            .error(format!("rate {} is out of range: more than 0", t.text)));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printing() {
        assert_eq!(Percent(1000).to_string(), "1%");
        assert_eq!(Percent(500).to_string(), "0.5%");
        assert_eq!(Percent(12_345).to_string(), "12.345%");
        assert_eq!(Percent(100_000).to_string(), "100%");
        assert_eq!(Time(Duration::from_micros(1500)).to_string(), "1500us");
        assert_eq!(Time(Duration::from_millis(2000)).to_string(), "2s");
        assert_eq!(Rate(1_500_000).to_string(), "1500kbit");
        assert_eq!(Rate(7).to_string(), "7bit");
        assert_eq!(Percent::MAX.scaled_u32(), u32::MAX);
        assert_eq!(Percent(0).scaled_u32(), 0);
    }

    #[test]
    fn times_take_whole_us_ms_or_s_of_the_duration_grammar() {
        let time = |text| {
            let pos = crate::lex::Pos { line: 1, col: 1 };
            super::time("delay", Token { text, pos }).map_err(|e| e.message)
        };
        assert_eq!(time("1500us"), Ok(Duration::from_micros(1500)));
        assert_eq!(time("60s"), Ok(Duration::from_secs(60)));
        let expected = |text: &str| {
            format!("expected a delay like 20ms (a whole number of us, ms or s), found {text:?}")
        };
        // The grammar has minutes and decimals; delays keep to what they took.
        for text in ["1m", "1.5ms", "0.5s", "20", "ms", "99999999999999999999us"] {
            assert_eq!(time(text), Err(expected(text)), "{text}");
        }
        assert_eq!(
            time("18446744073709551615s"),
            Err("delay 18446744073709551615s is out of range: more than 0 and at most 60s".into())
        );
    }
}
