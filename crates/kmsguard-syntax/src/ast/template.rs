//! Text with policy variables (conditions.md §6).

/// A string that may hold policy variables. Under `2008-10-17` (or an absent `Version`) it is
/// always a single literal.
///
/// Plain text (the common case) is stored once, in [`Template::raw`]; only text holding
/// `${...}` references keeps a separate list of pieces. Read the pieces with
/// [`Template::parts`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    /// The text as written.
    pub raw: String,
    // The pieces when the text holds references; empty when the template is the single
    // literal `raw` (or the empty string).
    pieces: Vec<Piece>,
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

// Owned storage behind [`TemplatePart`], kept only for templates with references.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Piece {
    Literal(String),
    Escaped(char),
    Variable {
        key: String,
        default: Option<String>,
    },
}

impl Piece {
    fn as_part(&self) -> TemplatePart<'_> {
        match self {
            Self::Literal(s) => TemplatePart::Literal(s),
            Self::Escaped(c) => TemplatePart::Escaped(*c),
            Self::Variable { key, default } => TemplatePart::Variable {
                key,
                default: default.as_deref(),
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
                pieces.push(Piece::Literal(
                    raw.get(rest..start).unwrap_or("").to_owned(),
                ));
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
            pieces.push(parse_reference(reference).ok_or(bad)?);
            rest = close.saturating_add(1);
            next = find_reference(bytes, rest);
        }
        if let Some(tail) = raw.get(rest..).filter(|t| !t.is_empty()) {
            pieces.push(Piece::Literal(tail.to_owned()));
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
    pieces: std::slice::Iter<'a, Piece>,
}

impl<'a> Iterator for TemplateParts<'a> {
    type Item = TemplatePart<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.whole.take() {
            Some(p) => Some(p),
            None => self.pieces.next().map(Piece::as_part),
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
/// digit (as nearly every key does), which no trim removes.
fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last))
            if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() =>
        {
            text
        }
        _ => text.trim(),
    }
}

fn parse_reference(inner: &str) -> Option<Piece> {
    match inner {
        "*" => return Some(Piece::Escaped('*')),
        "?" => return Some(Piece::Escaped('?')),
        "$" => return Some(Piece::Escaped('$')),
        _ => {}
    }
    // A byte search for the comma, and a trim only of text that may need one: the general
    // `split_once` and `trim` cost several times the rest of a reference's reading.
    let (key, default) = match crate::swar::find(inner.as_bytes(), 0, b',') {
        Some(comma) => {
            let d = inner.get(comma.saturating_add(1)..)?.trim();
            let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))?;
            (trim(inner.get(..comma)?), Some(d.to_owned()))
        }
        None => (trim(inner), None),
    };
    let valid = !key.is_empty()
        && key.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b':' | b'/' | b'-' | b'_' | b'.' | b'@' | b'+' | b'=')
        });
    valid.then(|| Piece::Variable {
        key: key.to_owned(),
        default,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

    use super::*;

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
    fn parse_reference_by_str(inner: &str) -> Option<Piece> {
        match inner {
            "*" => return Some(Piece::Escaped('*')),
            "?" => return Some(Piece::Escaped('?')),
            "$" => return Some(Piece::Escaped('$')),
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
        valid.then(|| Piece::Variable {
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
                let got = parse_reference(text);
                assert_eq!(got, parse_reference_by_str(text), "{text:?}");
                variables += usize::from(matches!(got, Some(Piece::Variable { .. })));
            }
        }
        assert!(variables > 10_000, "{variables}");
    }

    /// The split as `str::find` makes it, for comparison with the byte searches.
    fn parse_by_str_find(raw: &str) -> Result<Template, TemplateError> {
        if !raw.contains("${") {
            return Ok(Template::literal(raw));
        }
        let mut pieces = Vec::new();
        let (mut rest, mut offset) = (raw, 0);
        while let Some(start) = rest.find("${") {
            if start > 0 {
                pieces.push(Piece::Literal(rest[..start].to_owned()));
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
            pieces.push(parse_reference(&after[..close]).ok_or(bad)?);
            rest = &rest[start + close + 3..];
            offset += start + close + 3;
        }
        if !rest.is_empty() {
            pieces.push(Piece::Literal(rest.to_owned()));
        }
        Ok(Template {
            raw: raw.to_owned(),
            pieces,
        })
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
                assert_eq!(Template::parse(text), parse_by_str_find(text), "{text:?}");
            }
            texts = longer;
        }
    }
}
