//! The words of one statement, read from the left, and the errors about them.

use crate::error::ParseError;
use crate::lex::{Pos, Statement, Token};

/// The words of one statement, consumed from the left.
pub(super) struct Cursor<'s, 'a> {
    statement: &'s Statement<'a>,
    next: usize,
}

impl<'s, 'a> Cursor<'s, 'a> {
    pub(super) fn new(statement: &'s Statement<'a>) -> Self {
        Cursor { statement, next: 0 }
    }

    /// Just after the statement's last word.
    pub(super) fn end(&self) -> Pos {
        self.statement.end()
    }

    pub(super) fn peek(&self) -> Option<Token<'a>> {
        self.statement.tokens.get(self.next).copied()
    }

    pub(super) fn peek_is(&self, words: &[&str]) -> bool {
        self.peek().is_some_and(|t| words.contains(&t.text))
    }

    pub(super) fn next(&mut self) -> Option<Token<'a>> {
        let t = self.peek();
        self.next += usize::from(t.is_some());
        t
    }

    /// The next word, or an error saying what was `expected` there.
    pub(super) fn next_or(&mut self, expected: &str) -> Result<Token<'a>, ParseError> {
        self.next().ok_or_else(|| {
            self.statement
                .end()
                .error(format!("expected {expected}, found end of statement"))
        })
    }

    /// Errors if a word is left; `expected` says what could have come instead.
    pub(super) fn finish(&self, expected: &str) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(unexpected(t, expected)),
        }
    }
}

/// The error for a word where something else was `expected`.
pub(super) fn unexpected(t: Token<'_>, expected: &str) -> ParseError {
    t.pos
        .error(format!("expected {expected}, found {:?}", t.text))
}
