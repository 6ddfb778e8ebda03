//! Text with policy variables (conditions.md §6).

use std::fmt;

/// A string that may hold policy variables. Under `2008-10-17` (or an absent `Version`) it is
/// always a single literal.
///
/// Plain text (the common case) is stored once, in [`Template::raw`]; only text holding
/// `${...}` references keeps a separate list of pieces, as byte ranges of `raw` (so reading
/// a reference allocates no text of its own). Read the pieces with [`Template::parts`],
/// which takes them from `raw`: change `raw` only through a new template.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Template {
    /// The text as written.
    pub raw: String,
    // The pieces when the text holds references; empty when the template is the single
    // literal `raw` (or the empty string).
    pieces: Vec<Piece>,
}

impl fmt::Debug for Template {
    /// As the derived form of a template that kept each piece's text: the pieces show
    /// their text, not their ranges.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[derive(Debug)]
        #[expect(dead_code, reason = "the fields are read only by the derived `Debug`")]
        enum Piece<'a> {
            Literal(&'a str),
            Escaped(char),
            Variable {
                key: &'a str,
                default: Option<&'a str>,
            },
        }
        let pieces: Vec<Piece<'_>> = self
            .pieces
            .iter()
            .map(|p| match p.as_part(&self.raw) {
                TemplatePart::Literal(s) => Piece::Literal(s),
                TemplatePart::Escaped(c) => Piece::Escaped(c),
                TemplatePart::Variable { key, default } => Piece::Variable { key, default },
            })
            .collect();
        f.debug_struct("Template")
            .field("raw", &self.raw)
            .field("pieces", &pieces)
            .finish()
    }
}

/// A piece of a [`Template`], borrowed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplatePart<'a> {
    /// Literal text, where `*` and `?` keep their wildcard meaning in `Like` patterns.
    Literal(&'a str),
    /// `${*}`, `${?}` or `${$}`: the character itself, never a wildcard.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        /// The context key as written (names are case-insensitive).
        key: &'a str,
        /// The default after the comma, without quotes.
        default: Option<&'a str>,
    },
}

/// A piece of text of a template: the byte range `start..end` of its `raw`.
type Range = (usize, usize);

// The storage behind [`TemplatePart`], kept only for templates with references: ranges of
// the template's text, which every piece but an escape is a part of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Piece {
    Literal(Range),
    Escaped(char),
    Variable { key: Range, default: Option<Range> },
}

impl Piece {
    fn as_part(self, raw: &str) -> TemplatePart<'_> {
        let text = |(start, end): Range| raw.get(start..end).unwrap_or("");
        match self {
            Self::Literal(r) => TemplatePart::Literal(text(r)),
            Self::Escaped(c) => TemplatePart::Escaped(c),
            Self::Variable { key, default } => TemplatePart::Variable {
                key: text(key),
                default: default.map(text),
            },
        }
    }
}

/// A malformed variable reference: `${` without `}`, an empty name, or a bad default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset of the `${` in the text.
    pub offset: usize,
    /// Byte length of the bad reference.
    pub len: usize,
}

impl Template {
    /// A template that is the literal text `raw` (no variable interpretation).
    #[must_use]
    pub fn literal(raw: &str) -> Self {
        Self {
            raw: raw.to_owned(),
            pieces: Vec::new(),
        }
    }

    /// Parses `${...}` references in `raw`.
    ///
    /// # Errors
    /// The first malformed reference. (IAM treats such text as literal; the caller reports it
    /// and falls back to [`Template::literal`].)
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        let bytes = raw.as_bytes();
        let Some(first) = find_reference(bytes, 0) else {
            return Ok(Self::literal(raw));
        };
        // A text with references is rarely more than a literal, a variable and a literal or
        // two: sized up front, the list does not grow (and copy) on its first pushes.
        let mut pieces = Vec::with_capacity(4);
        // Byte offsets into `raw`: `rest` is where the text not yet split starts. The `$`,
        // `{` and `}` found are ASCII, so every offset is a char boundary.
        let mut rest = 0usize;
        let mut next = Some(first);
        while let Some(start) = next {
            if start > rest {
                pieces.push(Piece::Literal((rest, start)));
            }
            let inner = start.saturating_add(2);
            let bad = TemplateError {
                offset: start,
                len: raw.len().saturating_sub(start),
            };
            // Byte searches, where `str::find` sets up a general searcher for every call.
            let close = crate::swar::find(bytes, inner, b'}').ok_or(bad)?;
            let bad = TemplateError {
                offset: start,
                len: close.saturating_sub(start).saturating_add(1),
            };
            let reference = raw.get(inner..close).unwrap_or("");
            pieces.push(parse_reference(inner, reference).ok_or(bad)?);
            rest = close.saturating_add(1);
            next = find_reference(bytes, rest);
        }
        if rest < raw.len() {
            pieces.push(Piece::Literal((rest, raw.len())));
        }
        Ok(Self {
            raw: raw.to_owned(),
            pieces,
        })
    }

    /// The text split into literal runs, escapes and variables, in order. Nothing for the
    /// empty string; one [`TemplatePart::Literal`] (the whole text) for plain text.
    pub fn parts(&self) -> impl ExactSizeIterator<Item = TemplatePart<'_>> + Clone + '_ {
        let whole = (self.pieces.is_empty() && !self.raw.is_empty())
            .then_some(TemplatePart::Literal(self.raw.as_str()));
        TemplateParts {
            whole,
            raw: &self.raw,
            pieces: self.pieces.iter(),
        }
    }

    /// Whether the template holds any variable.
    #[must_use]
    pub fn has_variables(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Variable { .. }))
    }

    /// Whether the template is plain text (no variables, no escapes).
    #[must_use]
    pub fn is_literal(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Literal(_)))
    }
}

/// The iterator behind [`Template::parts`].
#[derive(Clone)]
struct TemplateParts<'a> {
    whole: Option<TemplatePart<'a>>,
    raw: &'a str,
    pieces: std::slice::Iter<'a, Piece>,
}

impl<'a> Iterator for TemplateParts<'a> {
    type Item = TemplatePart<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.whole.take() {
            Some(p) => Some(p),
            None => self.pieces.next().map(|p| p.as_part(self.raw)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self
            .pieces
            .len()
            .saturating_add(usize::from(self.whole.is_some()));
        (n, Some(n))
    }
}

impl ExactSizeIterator for TemplateParts<'_> {}

/// The offset of the first `${` at or after `from` in `bytes` (faster than a substring
/// search on short text).
fn find_reference(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = crate::swar::find(bytes, at, b'$') {
        at = i.saturating_add(1);
        if bytes.get(at) == Some(&b'{') {
            return Some(i);
        }
    }
    None
}

/// `text.trim()`, without its search when `text` starts and ends with an ASCII letter or
/// digit (as nearly every key does), which no trim removes; with the number of bytes
/// trimmed from its start.
fn trim(text: &str) -> (usize, &str) {
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last))
            if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() =>
        {
            (0, text)
        }
        _ => {
            let rest = text.trim_start();
            (text.len().saturating_sub(rest.len()), rest.trim_end())
        }
    }
}

/// The piece `${inner}` makes, `inner` being the bytes of the template's text from `at`.
fn parse_reference(at: usize, inner: &str) -> Option<Piece> {
    match inner {
        "*" => return Some(Piece::Escaped('*')),
        "?" => return Some(Piece::Escaped('?')),
        "$" => return Some(Piece::Escaped('$')),
        _ => {}
    }
    // The range of `part`, which starts `offset` bytes into `inner`.
    let range = |offset: usize, part: &str| {
        let start = at.saturating_add(offset);
        (start, start.saturating_add(part.len()))
    };
    // A byte search for the comma, and a trim only of text that may need one: the general
    // `split_once` and `trim` cost several times the rest of a reference's reading.
    let ((lead, key), default) = match crate::swar::find(inner.as_bytes(), 0, b',') {
        Some(comma) => {
            let after = comma.saturating_add(1);
            let (d_lead, d) = trim(inner.get(after..)?);
            let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))?;
            let d_at = after.saturating_add(d_lead).saturating_add(1);
            (trim(inner.get(..comma)?), Some(range(d_at, d)))
        }
        None => (trim(inner), None),
    };
    let valid = !key.is_empty() && key.bytes().all(key_byte);
    valid.then(|| Piece::Variable {
        key: range(lead, key),
        default,
    })
}

/// Whether `b` may be part of a variable's key: an ASCII letter or digit, or one of
/// `:/-_.@+=`. Looked up in a table, a load a byte, where the tests of the ranges and the
/// eight punctuation bytes cost several times that over a key of twenty bytes or so.
#[inline(always)]
fn key_byte(b: u8) -> bool {
    KEY_BYTES.get(usize::from(b)).copied().unwrap_or(false)
}

/// [`key_byte`] for every byte.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated when compiling, with every index below 256: an index out of bounds is a build error, never a panic on input"
)]
static KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b':' | b'/' | b'-' | b'_' | b'.' | b'@' | b'+' | b'=');
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

    use super::*;

    /// A piece with its own text, as the pieces were kept before they became ranges of
    /// the template's text: what the references below build.
    #[derive(Debug, PartialEq)]
    enum Owned {
        Literal(String),
        Escaped(char),
        Variable {
            key: String,
            default: Option<String>,
        },
    }

    fn owned(part: TemplatePart<'_>) -> Owned {
        match part {
            TemplatePart::Literal(s) => Owned::Literal(s.to_owned()),
            TemplatePart::Escaped(c) => Owned::Escaped(c),
            TemplatePart::Variable { key, default } => Owned::Variable {
                key: key.to_owned(),
                default: default.map(str::to_owned),
            },
        }
    }

    /// The table of key bytes says what the plain tests say, for every byte.
    #[test]
    fn key_bytes_agree_with_the_plain_tests() {
        for b in 0..=255u8 {
            let want = b.is_ascii_alphanumeric()
                || matches!(b, b':' | b'/' | b'-' | b'_' | b'.' | b'@' | b'+' | b'=');
            assert_eq!(key_byte(b), want, "{b}");
        }
    }

    /// `Debug` shows each piece's text, as it did when the pieces kept their own.
    #[test]
    fn debug_shows_the_pieces_text() {
        assert_eq!(
            format!("{:?}", Template::parse("a${b, 'c'}${*}")),
            r#"Ok(Template { raw: "a${b, 'c'}${*}", pieces: [Literal("a"), Variable { key: "b", default: Some("c") }, Escaped('*')] })"#
        );
        assert_eq!(
            format!("{:?}", Template::literal("x")),
            r#"Template { raw: "x", pieces: [] }"#
        );
    }

    #[test]
    fn parses_variables_escapes_and_defaults() {
        let t = Template::parse("home/${aws:username}/${*}x${aws:PrincipalTag/team, 'none'}")
            .unwrap_or_else(|_| Template::literal(""));
        assert_eq!(
            t.parts().collect::<Vec<_>>(),
            vec![
                TemplatePart::Literal("home/"),
                TemplatePart::Variable {
                    key: "aws:username",
                    default: None
                },
                TemplatePart::Literal("/"),
                TemplatePart::Escaped('*'),
                TemplatePart::Literal("x"),
                TemplatePart::Variable {
                    key: "aws:PrincipalTag/team",
                    default: Some("none")
                },
            ]
        );
        assert!(Template::parse("a${aws:username").is_err());
        assert!(Template::parse("${}").is_err());
        assert_eq!(Template::parse("plain").map(|t| t.is_literal()), Ok(true));
        let plain = Template::literal("a*b");
        assert_eq!(
            plain.parts().collect::<Vec<_>>(),
            vec![TemplatePart::Literal("a*b")]
        );
        assert_eq!(plain.parts().len(), 1);
        assert_eq!(Template::literal("").parts().len(), 0);
        assert_eq!(Template::parse("a"), Ok(Template::literal("a")));
        for (text, want) in [
            ("", false),
            ("$", false),
            ("${", true),
            ("$$$$$$$$$$$$$$$$${", true),
            ("abcdefghijklmnop$", false),
            ("abcdefghijklmnop$x{", false),
            ("arn:aws:s3:::bucket/${aws:username}", true),
        ] {
            assert_eq!(find_reference(text.as_bytes(), 0).is_some(), want, "{text}");
        }
    }

    /// `parse_reference` as it was written with `split_once` and `trim`, for comparison.
    fn parse_reference_by_str(inner: &str) -> Option<Owned> {
        match inner {
            "*" => return Some(Owned::Escaped('*')),
            "?" => return Some(Owned::Escaped('?')),
            "$" => return Some(Owned::Escaped('$')),
            _ => {}
        }
        let (key, default) = match inner.split_once(',') {
            Some((key, default)) => {
                let d = default.trim();
                let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))?;
                (key.trim(), Some(d.to_owned()))
            }
            None => (inner.trim(), None),
        };
        let valid = !key.is_empty()
            && key.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b':' | b'/' | b'-' | b'_' | b'.' | b'@' | b'+' | b'=')
            });
        valid.then(|| Owned::Variable {
            key: key.to_owned(),
            default,
        })
    }

    /// The byte search and the trim only where needed read every reference of up to five
    /// pieces of an alphabet of key bytes, commas, quotes and ASCII and other whitespace as
    /// `split_once` and `trim` did.
    #[test]
    fn parse_reference_agrees_with_split_once_and_trim() {
        let alphabet = [
            "a",
            "Z",
            "9",
            ":",
            ",",
            "'",
            " ",
            "\t",
            "\u{b}",
            "\u{a0}",
            "\u{3000}",
            "*",
            "-",
            "\u{e9}",
            "aws:username",
        ];
        let mut texts = vec![String::new()];
        let mut variables = 0;
        for _ in 0..5 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            for text in &texts {
                // Read as the reference of a template with text before and after it, so
                // that each range is taken from the right place.
                let raw = format!("ab${{{text}}}cd");
                let got = parse_reference(4, text).map(|p| owned(p.as_part(&raw)));
                assert_eq!(got, parse_reference_by_str(text), "{text:?}");
                variables += usize::from(matches!(got, Some(Owned::Variable { .. })));
            }
        }
        assert!(variables > 10_000, "{variables}");
    }

    /// The split as `str::find` makes it, with each piece's own text, for comparison with
    /// the byte searches and the ranges.
    fn parse_by_str_find(raw: &str) -> Result<Vec<Owned>, TemplateError> {
        if !raw.contains("${") {
            return Ok(if raw.is_empty() {
                Vec::new()
            } else {
                vec![Owned::Literal(raw.to_owned())]
            });
        }
        let mut pieces = Vec::new();
        let (mut rest, mut offset) = (raw, 0);
        while let Some(start) = rest.find("${") {
            if start > 0 {
                pieces.push(Owned::Literal(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let bad = TemplateError {
                offset: offset + start,
                len: rest.len() - start,
            };
            let close = after.find('}').ok_or(bad)?;
            let bad = TemplateError {
                offset: offset + start,
                len: close + 3,
            };
            pieces.push(parse_reference_by_str(&after[..close]).ok_or(bad)?);
            rest = &rest[start + close + 3..];
            offset += start + close + 3;
        }
        if !rest.is_empty() {
            pieces.push(Owned::Literal(rest.to_owned()));
        }
        Ok(pieces)
    }

    /// The byte searches split every text of up to six pieces of an alphabet of the bytes
    /// that matter (with long runs, so that word-at-a-time searches see several words) as
    /// `str::find` does, errors included.
    #[test]
    fn parse_agrees_with_str_find() {
        let alphabet = ["$", "{", "}", "a", "*", ",", "'", "\u{e9}", "abcdefghij"];
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            for text in &longer {
                let got = Template::parse(text).map(|t| {
                    assert_eq!(t.raw, *text);
                    t.parts().map(owned).collect::<Vec<_>>()
                });
                assert_eq!(got, parse_by_str_find(text), "{text:?}");
            }
            texts = longer;
        }
    }
}
