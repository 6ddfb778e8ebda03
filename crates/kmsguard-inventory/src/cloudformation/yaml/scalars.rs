//! Helpers of the YAML reader: character to byte positions, span trimming, tags, and the JSON
//! number grammar.

/// Converts the parser's character indices to byte offsets, walking from the last position
/// (the parser's markers move forward almost always).
pub(super) struct Positions<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> Positions<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    pub(super) fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        while self.chars < char_index {
            let Some(c) = self.text.get(self.bytes..).and_then(|s| s.chars().next()) else {
                break;
            };
            self.bytes = self.bytes.saturating_add(c.len_utf8());
            self.chars = self.chars.saturating_add(1);
        }
        while self.chars > char_index {
            let Some(c) = self
                .text
                .get(..self.bytes)
                .and_then(|s| s.chars().next_back())
            else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(c.len_utf8());
            self.chars = self.chars.saturating_sub(1);
        }
        self.bytes
    }
}

/// The long name of a short-form intrinsic tag (`Sub` → `Fn::Sub`).
pub(super) fn intrinsic_name(suffix: &str) -> Option<String> {
    match suffix {
        "Ref" | "Condition" => Some(suffix.to_owned()),
        "Base64" | "Cidr" | "FindInMap" | "GetAtt" | "GetAZs" | "ImportValue" | "Join"
        | "Select" | "Split" | "Sub" | "Transform" | "If" | "Equals" | "Not" | "And" | "Or"
        | "ToJsonString" | "Length" => Some(format!("Fn::{suffix}")),
        _ => None,
    }
}

/// Moves `end` back over trailing white space (block scalars' spans end after their last
/// line break).
pub(super) fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = end.min(text.len());
    while end > start {
        match bytes.get(end.saturating_sub(1)) {
            Some(b' ' | b'\t' | b'\n' | b'\r') => end = end.saturating_sub(1),
            _ => break,
        }
    }
    end
}

/// Skips a node's properties (tag, anchor), and the white space and comments after them, to
/// where its content starts.
pub(super) fn skip_properties(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    if !matches!(bytes.get(i), Some(b'!' | b'&')) {
        return start;
    }
    while i < end {
        match bytes.get(i) {
            Some(b'!' | b'&') => {
                // A verbatim tag `!<...>` may hold characters a plain tag may not.
                if bytes.get(i.saturating_add(1)) == Some(&b'<') {
                    while i < end && bytes.get(i) != Some(&b'>') {
                        i = i.saturating_add(1);
                    }
                }
                while i < end && !matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                    i = i.saturating_add(1);
                }
            }
            Some(b' ' | b'\t' | b'\n' | b'\r') => i = i.saturating_add(1),
            Some(b'#') => {
                while i < end && bytes.get(i) != Some(&b'\n') {
                    i = i.saturating_add(1);
                }
            }
            _ => break,
        }
    }
    i.min(end)
}

/// Whether `s` is a number in JSON syntax (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
pub(super) fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i = i.saturating_add(1);
        }
        *i > from
    };
    match b.get(i) {
        Some(b'0') => i = i.saturating_add(1),
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i = i.saturating_add(1);
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i = i.saturating_add(1);
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i = i.saturating_add(1);
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}
