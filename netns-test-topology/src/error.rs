//! What a mistake in a topology looks like to the user.

use std::fmt;

/// A mistake in a topology text, at a 1-based line and column (in characters).
///
/// Displays as `{source_name}:{line}:{col}: {message}`, the source name being
/// `topology` unless set with [`ParseError::with_source_name`] (to a file name, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The line of the mistake, from 1.
    pub line: usize,
    /// The column of the mistake, from 1, counted in characters as editors show them.
    pub col: usize,
    /// What is wrong, without the position.
    pub message: String,
    source_name: String,
}

impl ParseError {
    /// A mistake at `line`:`col` (both from 1) in a text named `topology`.
    pub fn new(line: usize, col: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            col,
            message: message.into(),
            source_name: "topology".to_string(),
        }
    }

    /// Names the text in the message, e.g. the `.topo` file it was read from.
    pub fn with_source_name(mut self, name: impl Into<String>) -> ParseError {
        self.source_name = name.into();
        self
    }

    /// The line of the mistake, from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column of the mistake, from 1, in characters.
    pub fn col(&self) -> usize {
        self.col
    }

    /// The message alone, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The name the message gives the text: `topology`, or the one set with
    /// [`ParseError::with_source_name`].
    pub fn source_name(&self) -> &str {
        &self.source_name
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.source_name, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// A string that is not an address with a prefix length (`10.0.0.1/24`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrParseError {
    input: String,
}

impl CidrParseError {
    pub(crate) fn new(input: &str) -> CidrParseError {
        CidrParseError {
            input: input.to_string(),
        }
    }

    /// The text that did not parse.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for CidrParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected an address like 10.0.0.1/24, found {:?}",
            self.input
        )
    }
}

impl std::error::Error for CidrParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_source() {
        let e = ParseError::new(3, 14, "expected an address like 10.0.0.1/24, found \"x\"");
        assert_eq!(
            e.to_string(),
            "topology:3:14: expected an address like 10.0.0.1/24, found \"x\""
        );
        assert_eq!(e.source_name(), "topology");
        let e = e.with_source_name("tests/topologies/star.topo");
        assert_eq!(
            e.to_string(),
            "tests/topologies/star.topo:3:14: expected an address like 10.0.0.1/24, found \"x\""
        );
        assert_eq!((e.line(), e.col()), (3, 14));
        assert_eq!(
            e.message(),
            "expected an address like 10.0.0.1/24, found \"x\""
        );
        assert_eq!(e.source_name(), "tests/topologies/star.topo");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed
            .to_string()
            .starts_with("tests/topologies/star.topo:3:14: "));
    }

    #[test]
    fn the_brief_example() {
        let e = crate::parse("a -- b\n\na:x 10.0.0.1/24 -- b 10.0.0.300/24").unwrap_err();
        assert_eq!(
            e.to_string(),
            "topology:3:22: expected an address like 10.0.0.1/24, found \"10.0.0.300/24\""
        );
    }
}
