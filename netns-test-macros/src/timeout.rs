//! The `timeout` argument's value: what it takes of the duration grammar of
//! `netns_test_topology::duration`, in milliseconds.

use netns_test_topology::duration::{DurationError, Grammar, Unit};

/// What `timeout` takes of the duration grammar.
const TIMEOUT: Grammar = Grammar {
    units: &[Unit::Millis, Unit::Secs, Unit::Mins],
    decimals: false,
};

/// `"500ms"`, `"30s"` or `"2m"` in milliseconds.
pub(crate) fn parse_duration(text: &str) -> Result<u64, String> {
    let invalid = |why: &str| {
        format!(
            "invalid timeout {text:?}: {why}; expected a positive integer followed by \
             `ms`, `s` or `m`, like \"30s\" or \"500ms\""
        )
    };
    let d = TIMEOUT.parse(text).map_err(|e| match e {
        DurationError::NotWhole => {
            invalid("not a whole number (use `ms` for fractions of a second)")
        }
        e => invalid(&e.to_string()),
    })?;
    if d.is_zero() {
        return Err(invalid("it must be positive"));
    }
    u64::try_from(d.as_millis()).map_err(|_| invalid("too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("30s"), Ok(30_000));
        assert_eq!(parse_duration("2m"), Ok(120_000));
        assert_eq!(parse_duration("007s"), Ok(7_000));
        assert_eq!(
            parse_duration("18446744073709551615ms"),
            Ok(18_446_744_073_709_551_615)
        );
    }

    #[test]
    fn bad_durations() {
        for (text, why) in [
            ("", "no number"),
            ("s", "no number"),
            ("-1s", "no number"),
            ("1.5s", "not a whole number"),
            ("30", "no unit"),
            ("30 s", "unknown unit ` s`"),
            ("30h", "unknown unit `h`"),
            ("30S", "unknown unit `S`"),
            ("0s", "it must be positive"),
            ("0ms", "it must be positive"),
            ("18446744073709551615s", "too large"),
            ("99999999999999999999ms", "too large"),
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid timeout {text:?}: {why}")),
                "{text:?}: {err}"
            );
            assert!(err.contains("`ms`, `s` or `m`"), "{err}");
        }
    }

    #[test]
    fn timeouts_keep_to_whole_ms_s_or_m_of_the_duration_grammar() {
        for (text, why) in [
            ("500us", "unknown unit `us`"),
            ("0.5m", "not a whole number"),
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid timeout {text:?}: {why}")),
                "{text:?}: {err}"
            );
        }
    }
}
