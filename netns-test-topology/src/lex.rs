//! Splitting a topology text into statements of words.
//!
//! The language has no quoting: a word is a run of characters other than
//! whitespace, `;` and `#`, so lexing cannot fail and every check happens where
//! the word's meaning is known.

use crate::error::ParseError;

/// A 1-based line and column; columns count characters, as editors show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    /// `n` characters further on the same line (words never span lines).
    pub(crate) fn plus(self, n: usize) -> Pos {
        Pos {
            line: self.line,
            col: self.col + n,
        }
    }

    pub(crate) fn error(self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.line, self.col, message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub text: &'a str,
    pub pos: Pos,
}

impl Token<'_> {
    /// Where the word stops: errors about a missing word point just after it.
    pub(crate) fn after(&self) -> Pos {
        self.pos.plus(self.text.chars().count())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement<'a> {
    /// Never empty.
    pub tokens: Vec<Token<'a>>,
}

impl Statement<'_> {
    /// Just after the last word.
    pub(crate) fn end(&self) -> Pos {
        self.tokens
            .last()
            .map_or(Pos { line: 1, col: 1 }, Token::after)
    }
}

fn separates(c: char) -> bool {
    c.is_whitespace() || c == ';' || c == '#'
}

fn flush<'a>(tokens: &mut Vec<Token<'a>>, statements: &mut Vec<Statement<'a>>) {
    if !tokens.is_empty() {
        statements.push(Statement {
            tokens: std::mem::take(tokens),
        });
    }
}

/// The non-empty statements of `src`, split at newlines and `;`, comments dropped.
pub(crate) fn lex(src: &str) -> Vec<Statement<'_>> {
    let mut statements = Vec::new();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut col = 1;
    let mut chars = src.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '\n' => {
                flush(&mut tokens, &mut statements);
                line += 1;
                col = 1;
            }
            ';' => {
                flush(&mut tokens, &mut statements);
                col += 1;
            }
            '#' => {
                // The newline ending the comment is left to end the statement.
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
            }
            c if c.is_whitespace() => col += 1,
            _ => {
                let pos = Pos { line, col };
                let mut end = start + c.len_utf8();
                col += 1;
                while let Some((i, c)) = chars.next_if(|&(_, c)| !separates(c)) {
                    end = i + c.len_utf8();
                    col += 1;
                }
                tokens.push(Token {
                    text: &src[start..end],
                    pos,
                });
            }
        }
    }
    flush(&mut tokens, &mut statements);
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Vec<(&str, usize, usize)>> {
        lex(src)
            .into_iter()
            .map(|s| {
                s.tokens
                    .into_iter()
                    .map(|t| (t.text, t.pos.line, t.pos.col))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn statements_split_at_newlines_and_semicolons() {
        assert_eq!(
            words("a -- b\nc -- d; e -- f"),
            vec![
                vec![("a", 1, 1), ("--", 1, 3), ("b", 1, 6)],
                vec![("c", 2, 1), ("--", 2, 3), ("d", 2, 6)],
                vec![("e", 2, 9), ("--", 2, 11), ("f", 2, 14)],
            ]
        );
    }

    #[test]
    fn comments_blank_lines_and_free_whitespace() {
        assert_eq!(
            words("# only a comment\n\n  \t a\t--   b # trailing\r\n;;\n x#y\n"),
            vec![
                vec![("a", 3, 5), ("--", 3, 7), ("b", 3, 12)],
                vec![("x", 5, 2)],
            ]
        );
        assert!(lex("").is_empty());
        assert!(lex("# nothing\n;\n").is_empty());
    }

    #[test]
    fn columns_count_characters() {
        let st = lex("é:eth0 -- b");
        assert_eq!(st[0].tokens[1].pos, Pos { line: 1, col: 8 });
        assert_eq!(st[0].tokens[0].after(), Pos { line: 1, col: 7 });
        assert_eq!(st[0].end(), Pos { line: 1, col: 12 });
    }

    #[test]
    fn separators_inside_words_split_them() {
        assert_eq!(
            words("a;b#c\nd"),
            vec![vec![("a", 1, 1)], vec![("b", 1, 3)], vec![("d", 2, 1)]]
        );
    }
}
