//! Documents embedded in strings: a policy inside a JSON string (`aws kms get-key-policy`), or a
//! URL-encoded policy (the raw IAM API). The inner text is decoded into its own buffer, and an
//! [`OffsetMap`] sends every byte offset of that buffer back to the user's file, so diagnostics
//! point at the exact character inside the string.

use crate::source::Span;

/// Maps byte offsets of a decoded text to byte offsets of the text it was decoded from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    // `outer[i]` is the outer offset of inner byte `i`; one extra entry for the end.
    outer: Vec<u32>,
}

impl OffsetMap {
    /// The outer offset of inner offset `inner` (clamped to the end).
    #[must_use]
    pub fn offset(&self, inner: u32) -> u32 {
        let last = self.outer.last().copied().unwrap_or(0);
        self.outer.get(inner as usize).copied().unwrap_or(last)
    }

    /// The outer span of an inner span.
    #[must_use]
    pub fn span(&self, inner: Span) -> Span {
        let start = self.offset(inner.start);
        // The end maps to where the next character's source text begins, so a span ending
        // with an escaped character covers the whole escape.
        let end = self.offset(inner.end).max(start);
        Span { start, end }
    }

    /// A map that first applies `self`, then `outer` (for a string decoded twice).
    #[must_use]
    pub fn then(&self, outer: &OffsetMap) -> OffsetMap {
        OffsetMap {
            outer: self.outer.iter().map(|&o| outer.offset(o)).collect(),
        }
    }
}

/// Decodes the JSON string literal at `span` of `text` (quotes included) and maps each byte
/// of the result back into `text`. Returns `None` if the span is not a well-formed string
/// literal (the reader has already checked the ones it produced).
#[must_use]
pub fn embedded_text(text: &str, span: Span) -> Option<(String, OffsetMap)> {
    let raw = text.get(span.range())?;
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let base = span.start.checked_add(1)?;
    let mut out = String::with_capacity(body.len());
    let mut map = Vec::with_capacity(body.len().saturating_add(1));
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        let at = base.checked_add(u32::try_from(i).ok()?)?;
        let decoded = if c == '\\' {
            match chars.next()?.1 {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' => decode_unicode(&mut chars)?,
                _ => return None,
            }
        } else {
            c
        };
        for _ in 0..decoded.len_utf8() {
            map.push(at);
        }
        out.push(decoded);
    }
    map.push(span.end.saturating_sub(1));
    Some((out, OffsetMap { outer: map }))
}

fn decode_unicode(chars: &mut std::str::CharIndices<'_>) -> Option<char> {
    let hex = |chars: &mut std::str::CharIndices<'_>| -> Option<u32> {
        let mut n = 0u32;
        for _ in 0..4 {
            n = n
                .checked_mul(16)?
                .checked_add(chars.next()?.1.to_digit(16)?)?;
        }
        Some(n)
    };
    let hi = hex(chars)?;
    if (0xD800..0xDC00).contains(&hi) {
        if chars.next()?.1 != '\\' || chars.next()?.1 != 'u' {
            return None;
        }
        let lo = hex(chars)?;
        let code =
            0x10000u32.checked_add((hi.checked_sub(0xD800)? << 10) | lo.checked_sub(0xDC00)?)?;
        return char::from_u32(code);
    }
    char::from_u32(hi)
}

/// Percent-decodes `text` (RFC 3986, as the IAM API encodes policy documents; `+` stays `+`)
/// and maps each byte of the result back to `text`. `None` if an escape is malformed or the
/// result is not UTF-8.
#[must_use]
pub fn percent_decode(text: &str) -> Option<(String, OffsetMap)> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len().saturating_add(1));
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        let at = u32::try_from(i).ok()?;
        if b == b'%' {
            let hex = text.get(i.checked_add(1)?..i.checked_add(3)?)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i = i.checked_add(3)?;
        } else {
            out.push(b);
            i = i.checked_add(1)?;
        }
        map.push(at);
    }
    map.push(u32::try_from(bytes.len()).ok()?);
    Some((String::from_utf8(out).ok()?, OffsetMap { outer: map }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_offsets_land_inside_the_outer_string() {
        let outer = r#"{"Policy": "{\"Effect\": \"Alow\"}"}"#;
        let start = outer.find("\"{").unwrap_or(0);
        let end = outer.rfind('"').unwrap_or(0) + 1;
        let (inner, map) = embedded_text(outer, Span::new(start, end)).unwrap_or_default();
        assert_eq!(inner, r#"{"Effect": "Alow"}"#);
        let at = inner.find("Alow").unwrap_or(0);
        let mapped = map.span(Span::new(at, at + 4));
        assert_eq!(&outer[mapped.range()], "Alow");
        let quoted = inner.find("\"Alow\"").unwrap_or(0);
        let mapped = map.span(Span::new(quoted, quoted + 6));
        assert_eq!(&outer[mapped.range()], "\\\"Alow\\\"");
    }

    #[test]
    fn percent_decoding_maps_back() {
        let text = "%7B%22Effect%22%3A%22Allow%22%7D";
        let (inner, map) = percent_decode(text).unwrap_or_default();
        assert_eq!(inner, r#"{"Effect":"Allow"}"#);
        let at = inner.find("Allow").unwrap_or(0);
        assert_eq!(&text[map.span(Span::new(at, at + 5)).range()], "Allow");
        assert!(percent_decode("%zz").is_none());
    }
}
