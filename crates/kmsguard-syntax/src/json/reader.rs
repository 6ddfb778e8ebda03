//! Recursive-descent JSON reader over bytes. Depth is bounded by [`Limits::max_depth`], so the
//! recursion cannot overflow the stack on hostile input.

use std::borrow::Cow;

use super::{JsonError, JsonErrorKind, Limits, Member, Node, Value};
use crate::source::Span;
use crate::swar;

/// Parses `bytes` (which must be UTF-8) into a spanned tree.
///
/// # Errors
/// The first syntax error, an oversized input, or invalid UTF-8.
pub fn parse_bytes<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Node<'a>, JsonError> {
    if bytes.len() > limits.max_bytes {
        return Err(too_large(bytes.len(), limits));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, limits),
        Err(e) => Err(JsonError {
            kind: JsonErrorKind::InvalidUtf8,
            span: Span::at(e.valid_up_to()),
        }),
    }
}

/// Parses `text` into a spanned tree. A leading byte-order mark is skipped.
///
/// # Errors
/// The first syntax error, or an oversized input.
pub fn parse<'a>(text: &'a str, limits: &Limits) -> Result<Node<'a>, JsonError> {
    if text.len() > limits.max_bytes {
        return Err(too_large(text.len(), limits));
    }
    let mut r = Reader::new(text, limits);
    // Enough for the policies and CLI outputs of typical size without regrowing.
    r.items.reserve(64);
    r.members.reserve(32);
    r.skip_ws();
    let node = r.value()?;
    r.skip_ws();
    if r.pos < r.bytes.len() {
        return Err(r.error_here(JsonErrorKind::TrailingCharacters));
    }
    Ok(node)
}

fn too_large(size: usize, limits: &Limits) -> JsonError {
    JsonError {
        kind: JsonErrorKind::TooLarge {
            size,
            limit: limits.max_bytes,
        },
        span: Span::at(0),
    }
}

/// The reader's state, shared with the direct policy reader (`lower::policy::direct`), which
/// reads a bare policy with the same grammar functions without building a tree.
pub(crate) struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    // Stacks of the elements and members of the arrays and objects being read. A container's
    // children are gathered here and moved into a vector of exactly their number when it
    // closes, so each container allocates once instead of growing its own vector.
    items: Vec<Node<'a>>,
    members: Vec<Member<'a>>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text` (after a byte-order mark), with empty stacks.
    pub(crate) fn new(text: &'a str, limits: &Limits) -> Self {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
            depth: 0,
            max_depth: limits.max_depth,
            items: Vec::new(),
            members: Vec::new(),
        }
    }

    /// The current byte offset.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Whether everything has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// The whole input.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The whole input, as text.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// Moves to `pos`, just past something the caller has read itself.
    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Steps over one byte (one the caller has peeked at).
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => {
                    self.pos += 1;
                    // Pretty-printed documents indent every line: skip the spaces eight at a time.
                    while let Some(x) = swar::word(self.bytes, self.pos) {
                        let m = swar::ne_bytes(x, b' ');
                        if m != 0 {
                            self.pos += swar::first(m);
                            break;
                        }
                        self.pos += 8;
                    }
                }
                b' ' | b'\r' | b'\t' => self.pos += 1,
                _ => return,
            }
        }
    }

    /// An error spanning the character at the current position (or an empty span at the end).
    fn error_here(&self, kind: JsonErrorKind) -> JsonError {
        let len = self
            .text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        JsonError {
            kind,
            span: Span::new(self.pos, self.pos + len),
        }
    }

    fn unexpected(&self, expected: &'static str) -> JsonError {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(found) => self.error_here(JsonErrorKind::UnexpectedChar { found, expected }),
            None => self.error_here(JsonErrorKind::UnexpectedEof { expected }),
        }
    }

    pub(crate) fn value(&mut self) -> Result<Node<'a>, JsonError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    fn literal(&mut self, word: &'static str, value: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.error_here(JsonErrorKind::TooDeep {
                limit: self.max_depth,
            }));
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Value<'a>, JsonError> {
        self.enter()?;
        self.pos += 1; // `[`
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(Vec::new()));
        }
        let base = self.items.len();
        loop {
            self.skip_ws();
            let item = self.value()?;
            self.items.push(item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
        self.depth -= 1;
        Ok(Value::Array(take_from(&mut self.items, base)))
    }

    fn object(&mut self) -> Result<Value<'a>, JsonError> {
        self.enter()?;
        self.pos += 1; // `{`
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Object(Vec::new()));
        }
        let base = self.members.len();
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a string key"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("`:`"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            self.members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
        self.depth -= 1;
        Ok(Value::Object(take_from(&mut self.members, base)))
    }

    /// Reads a string starting at the opening quote; leaves `pos` after the closing quote.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let open = self.pos;
        self.pos += 1;
        let content_start = self.pos;
        // Most strings close within 32 bytes: one mask of both blocks finds the closing quote
        // without the skip loop.
        if let Some(two) = self
            .bytes
            .get(content_start..)
            .and_then(<[u8]>::first_chunk::<32>)
            && let (Some(lo), Some(hi)) = (two.first_chunk(), two.last_chunk())
        {
            let special =
                |v| swar::lanes_eq(v, b'"') | swar::lanes_eq(v, b'\\') | swar::lanes_control(v);
            let lo = swar::bits(special(swar::load(lo)), 0);
            let hi = swar::bits(special(swar::load(hi)), 0);
            let at = (u64::from(lo) | u64::from(hi) << 16).trailing_zeros() as usize;
            if two.get(at) == Some(&b'"') {
                let end = content_start + at;
                self.pos = end + 1;
                return Ok(Cow::Borrowed(
                    self.text.get(content_start..end).unwrap_or(""),
                ));
            }
        }
        // Fast path: no escapes, borrow from the input.
        loop {
            self.skip_plain();
            match self.peek() {
                Some(b'"') => {
                    let s = self.text.get(content_start..self.pos).unwrap_or("");
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => return Err(self.error_here(JsonErrorKind::ControlCharacter)),
                Some(_) => self.pos += 1,
                None => return Err(unterminated(open, self.pos)),
            }
        }
        let mut out = String::from(self.text.get(content_start..self.pos).unwrap_or(""));
        loop {
            let run_start = self.pos;
            self.skip_plain();
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(run_start..self.pos).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.error_here(JsonErrorKind::ControlCharacter)),
                None => return Err(unterminated(open, self.pos)),
            }
        }
    }

    /// Skips string bytes that need no attention (not `"`, `\\` or a control character)
    /// sixteen at a time, stopping at the first that does or at the end of the input (the
    /// last block overlaps bytes already skipped); inputs under sixteen bytes are left to the
    /// caller's byte loop.
    fn skip_plain(&mut self) {
        while let Some((v, skip)) = swar::block(self.bytes, self.pos) {
            let special =
                swar::lanes_eq(v, b'"') | swar::lanes_eq(v, b'\\') | swar::lanes_control(v);
            let m = swar::bits(special, skip);
            if m != 0 {
                self.pos += m.trailing_zeros() as usize;
                return;
            }
            self.pos += 16 - skip as usize;
        }
    }

    /// Reads one escape sequence starting at the backslash and appends what it stands for.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let start = self.pos;
        let c = match self.bytes.get(self.pos + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(out),
            Some(_) => {
                let len = self
                    .text
                    .get(start + 1..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                return Err(JsonError {
                    kind: JsonErrorKind::InvalidEscape,
                    span: Span::new(start, start + 1 + len),
                });
            }
            None => return Err(unterminated(start, self.bytes.len())),
        };
        out.push(c);
        self.pos += 2;
        Ok(())
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    fn unicode_escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let start = self.pos;
        let bad = |end: usize| JsonError {
            kind: JsonErrorKind::InvalidUnicodeEscape,
            span: Span::new(start, end),
        };
        let end = (start + 6).min(self.bytes.len());
        let hi = self.hex4(start + 2).ok_or_else(|| bad(end))?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            // A high surrogate must be followed by `\u` and a low surrogate.
            if self.bytes.get(start + 6..start + 8) != Some(b"\\u") {
                return Err(bad(end));
            }
            let lo = self
                .hex4(start + 8)
                .ok_or_else(|| bad((start + 12).min(self.bytes.len())))?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(bad(start + 12));
            }
            self.pos += 6;
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        let c = char::from_u32(code).ok_or_else(|| bad(end))?;
        out.push(c);
        self.pos += 6;
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<&'a str, JsonError> {
        let start = self.pos;
        let fail = |this: &Self| JsonError {
            kind: JsonErrorKind::InvalidNumber,
            span: Span::new(start, this.pos.max(start + 1)),
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    self.digits();
                    return Err(fail(self));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(fail(self)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(fail(self));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(fail(self));
            }
        }
        Ok(self.text.get(start..self.pos).unwrap_or(""))
    }
}

/// Moves `stack[base..]` into a vector of exactly that length.
fn take_from<T>(stack: &mut Vec<T>, base: usize) -> Vec<T> {
    if base < stack.len() {
        stack.split_off(base)
    } else {
        Vec::new()
    }
}

fn unterminated(open: usize, end: usize) -> JsonError {
    JsonError {
        kind: JsonErrorKind::UnterminatedString,
        span: Span::new(open, end),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]

    use super::*;

    /// Strings read with the 32-byte quick way or the skip loop are what `serde_json` reads,
    /// with each special byte or escape at every position and ends within or past 32 bytes.
    #[test]
    fn string_agrees_with_serde_json() {
        let base = "abcdefghijklmnopqrstuvwxyz0123456789";
        let specials = [
            "\"", "\\\"", "\\n", "\\u00e9", "\\", "\u{1}", "\u{e9}", "\u{27ea}", "a",
        ];
        let mut read = 0;
        for special in specials {
            for at in 0..=base.len() {
                for tail in ["", "\"", "\"  ,\n        ]\n      }"] {
                    let text = format!("\"{}{special}{}{tail}", &base[..at], &base[at..]);
                    let mut r = Reader::new(&text, &Limits::default());
                    match r.string() {
                        Ok(s) => {
                            let want: String = serde_json::from_str(&text[..r.pos()]).unwrap();
                            assert_eq!(s, want, "{text:?}");
                            read += 1;
                        }
                        Err(_) => assert!(serde_json::from_str::<String>(&text).is_err()),
                    }
                }
            }
        }
        assert!(read > 400, "{read}");
    }

    /// The 16-byte skip stops at the first quote, backslash or control character, with each
    /// byte at every position of a long run and every cut of the input after it, so that
    /// the overlapping last block is met at each offset too; at the end of the input when
    /// there is none. Inputs under sixteen bytes it may leave alone.
    #[test]
    fn skip_plain_stops_at_the_first_special_byte() {
        let base = "abcdefghijklmnopqrstuvwxyz0123456789";
        for special in [
            "\"", "\\", "\u{0}", "\u{1f}", " ", "\u{7f}", "\u{e9}", "\u{27ea}", "a",
        ] {
            for at in 0..=base.len() {
                let text = format!("{}{special}{}", &base[..at], &base[at..]);
                for cut in 0..=text.len() {
                    let Some(text) = text.get(..cut) else {
                        continue;
                    };
                    for from in [0, 1, 7] {
                        if from > text.len() {
                            continue;
                        }
                        let mut r = Reader::new(text, &Limits::default());
                        r.set_pos(from);
                        r.skip_plain();
                        let want = text.as_bytes()[from..]
                            .iter()
                            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                            .map_or(text.len(), |i| i + from);
                        if text.len() >= 16 {
                            assert_eq!(r.pos(), want, "{text:?} {from}");
                        } else {
                            assert!(r.pos() == from || r.pos() == want, "{text:?} {from}");
                        }
                    }
                }
            }
        }
    }
}
