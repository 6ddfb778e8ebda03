//! Errors of the JSON reader.

use std::fmt;

use crate::source::Span;

/// Why a text is not acceptable JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The input ended where more was expected.
    UnexpectedEof {
        /// What was expected.
        expected: &'static str,
    },
    /// A character that cannot start or continue a value here.
    UnexpectedChar {
        /// The character found.
        found: char,
        /// What was expected.
        expected: &'static str,
    },
    /// A string with no closing quote.
    UnterminatedString,
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A `\u` escape that is not four hex digits or pairs surrogates wrongly.
    InvalidUnicodeEscape,
    /// A raw control character (below U+0020) inside a string.
    ControlCharacter,
    /// A number that breaks the JSON grammar.
    InvalidNumber,
    /// Text after the top-level value.
    TrailingCharacters,
    /// Arrays and objects nested deeper than the limit.
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The input is larger than the limit.
    TooLarge {
        /// Input size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not UTF-8.
    InvalidUtf8,
}

/// A JSON syntax error at a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// What went wrong.
    pub kind: JsonErrorKind,
    /// Where.
    pub span: Span,
}

impl fmt::Display for JsonErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedEof { expected } => {
                write!(f, "unexpected end of input, expected {expected}")
            }
            Self::UnexpectedChar { found, expected } => {
                if found.is_ascii_graphic() {
                    write!(f, "unexpected character `{found}`, expected {expected}")
                } else {
                    write!(
                        f,
                        "unexpected character `{}`, expected {expected}",
                        found.escape_unicode()
                    )
                }
            }
            Self::UnterminatedString => f.write_str("unterminated string"),
            Self::InvalidEscape => f.write_str("invalid escape sequence in string"),
            Self::InvalidUnicodeEscape => f.write_str("invalid `\\u` escape in string"),
            Self::ControlCharacter => {
                f.write_str("control character in string (escape it as `\\uXXXX`)")
            }
            Self::InvalidNumber => f.write_str("invalid number"),
            Self::TrailingCharacters => f.write_str("unexpected text after the JSON document"),
            Self::TooDeep { limit } => {
                write!(f, "arrays and objects nested deeper than {limit} levels")
            }
            Self::TooLarge { size, limit } => {
                write!(
                    f,
                    "input is {size} bytes, larger than the {limit}-byte limit"
                )
            }
            Self::InvalidUtf8 => f.write_str("input is not valid UTF-8"),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for JsonError {}
