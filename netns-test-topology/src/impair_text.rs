//! An [`Impairment`] from the words a link takes in the language (`"delay 20ms loss
//! 1%".parse()`), and one built in code held to the same rules
//! ([`Impairment::validate`]): the run-time path (`LinkControl::impair`) accepts
//! exactly what a topology line accepts, with the same messages.
//!
//! Both go through the language's own link-option grammar (a one-link topology
//! `a -- b OPTIONS`) rather than a second copy of its rules: a rule added to the
//! grammar holds here at once.

use crate::error::ParseError;
use crate::impair::Impairment;
use std::str::FromStr;

/// What the words are parsed after: a link whose options they are.
const LINK: &str = "a -- b ";

impl FromStr for Impairment {
    type Err = ParseError;

    /// The impairments of one direction as a link writes them, both directions
    /// alike: `delay 20ms jitter 5ms normal loss 1% burst 3 rate 10mbit`. Errors give
    /// the column in `text`. Direction groups (`a->b:`) and `mtu` belong to a
    /// topology's link, not to one impairment.
    fn from_str(text: &str) -> Result<Impairment, ParseError> {
        if let Some(col) = text.find([';', '\n', '#']) {
            let col = text[..col].chars().count() + 1;
            return Err(ParseError::new(
                1,
                col,
                "one line of link options: no ';', newline or comment",
            ));
        }
        let topo = crate::parse(&format!("{LINK}{text}")).map_err(|e| {
            let shift = if e.line == 1 { LINK.len() } else { 0 };
            ParseError::new(e.line, e.col.saturating_sub(shift).max(1), e.message)
        })?;
        let link = &topo.links[0];
        if link.mtu.is_some() {
            return Err(ParseError::new(
                1,
                1,
                "mtu is a property of a link, not an impairment",
            ));
        }
        let [ab, ba] = link.impair;
        if ab != ba {
            return Err(ParseError::new(
                1,
                1,
                "a direction group (a->b:) has no meaning for one impairment: give each \
                 direction its own (LinkControl::impair_each)",
            ));
        }
        Ok(ab)
    }
}

impl Impairment {
    /// Whether the language accepts this impairment, with its message if not: jitter
    /// and reorder need a delay, a burst needs a loss, times are whole microseconds
    /// above 0 and at most 60 s, a rate is above 0, and so on (`docs/topology.md`).
    /// It holds an impairment built in code to the rules a topology line obeys.
    pub fn validate(&self) -> Result<(), ParseError> {
        let text = self.to_string();
        let back: Impairment = text.parse().map_err(|e: ParseError| {
            ParseError::new(1, 1, format!("{} (as written: {text:?})", e.message))
        })?;
        if back != *self {
            return Err(ParseError::new(
                1,
                1,
                format!(
                    "{self:?} cannot be written in the language: it reads back as {text:?} \
                     (times are whole microseconds; a distribution needs a jitter, a burst \
                     a loss)"
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::impair::{Distribution, Percent};
    use std::time::Duration;

    #[test]
    fn the_words_of_a_link_parse_to_one_impairment() {
        let imp: Impairment = "delay 20ms jitter 5ms normal loss 1% burst 3 rate 10mbit"
            .parse()
            .unwrap();
        assert_eq!(imp.delay, Some(Duration::from_millis(20)));
        assert_eq!(imp.distribution, Distribution::Normal);
        assert_eq!(imp.loss, Percent::from_milli(1000));
        assert_eq!(imp.loss_burst, Some(3));
        assert_eq!(imp.rate, Some(10_000_000));
        assert_eq!("".parse::<Impairment>(), Ok(Impairment::default()));
        assert_eq!(imp.to_string().parse::<Impairment>(), Ok(imp));
    }

    #[test]
    fn the_languages_rules_and_columns_hold() {
        let e = "jitter 5ms".parse::<Impairment>().unwrap_err();
        assert!(e.message.contains("jitter needs a delay"), "{e}");
        let e = "delay 20ms rate 0mbit".parse::<Impairment>().unwrap_err();
        assert_eq!((e.line, e.col), (1, 17), "{e}");
        assert!(e.message.contains("more than 0"), "{e}");
        assert!("delay 20ms; x -- y".parse::<Impairment>().is_err());
        assert!("mtu 1400".parse::<Impairment>().is_err());
        assert!("a->b: delay 1ms".parse::<Impairment>().is_err());
    }

    #[test]
    fn an_impairment_built_in_code_is_held_to_the_same_rules() {
        let ok = Impairment {
            delay: Some(Duration::from_millis(20)),
            jitter: Some(Duration::from_millis(2)),
            ..Default::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(Impairment::default().validate(), Ok(()));
        let no_delay = Impairment {
            jitter: Some(Duration::from_millis(2)),
            ..Default::default()
        };
        assert!(no_delay
            .validate()
            .unwrap_err()
            .message
            .contains("needs a delay"));
        let zero_rate = Impairment {
            rate: Some(0),
            ..Default::default()
        };
        assert!(zero_rate
            .validate()
            .unwrap_err()
            .message
            .contains("more than 0"));
        let nanos = Impairment {
            delay: Some(Duration::from_nanos(1500)),
            ..Default::default()
        };
        assert!(nanos.validate().is_err());
        let burst_alone = Impairment {
            loss_burst: Some(3),
            ..Default::default()
        };
        assert!(burst_alone.validate().is_err());
    }
}
