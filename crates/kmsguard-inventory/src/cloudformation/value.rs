//! Resolved values: what a template's properties hold once intrinsic functions are evaluated.
//!
//! A [`Val`] is a plain JSON value with the span of the template text it came from. Strings
//! also keep a byte-by-byte map back into the template ([`Text`]), because a policy may be
//! written as a JSON string (`KeyPolicy: !Sub '{"Version": ...}'`): once that string is read as
//! JSON, each of its nodes is mapped back to the characters of the template that produced it,
//! so a finding lands on the right line even inside an `Fn::Sub` or a YAML block scalar.

use std::borrow::Cow;

use kmsguard_syntax::json::{Member, Node, Value, embedded_text};
use kmsguard_syntax::{Span, unknown};

/// The template text and its syntax (to map a string's characters back to it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source<'a> {
    pub(crate) text: &'a str,
    pub(crate) yaml: bool,
}

/// A string with, for each byte, the template offset it came from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Text {
    s: String,
    // `map[i]` is the template offset of byte `i` of `s`; one more entry for the end.
    map: Vec<u32>,
}

impl Text {
    /// A string that maps wholly onto `span` (a substituted or computed value).
    pub(crate) fn uniform(s: &str, span: Span) -> Self {
        let mut t = Self::default();
        t.push_uniform(s, span);
        t
    }

    /// The string.
    pub(crate) fn as_str(&self) -> &str {
        &self.s
    }

    /// Appends `s`, every byte of it mapping to the start of `span`.
    pub(crate) fn push_uniform(&mut self, s: &str, span: Span) {
        self.map.pop();
        self.map.extend(std::iter::repeat_n(span.start, s.len()));
        self.map.push(span.end);
        self.s.push_str(s);
    }

    /// Appends bytes `range` of `other`, with their map.
    pub(crate) fn push_part(&mut self, other: &Text, range: std::ops::Range<usize>) {
        let Some(part) = other.s.get(range.clone()) else {
            return;
        };
        self.map.pop();
        self.map.extend(
            range
                .clone()
                .map(|i| other.map.get(i).copied().unwrap_or(0)),
        );
        self.map
            .push(other.map.get(range.end).copied().unwrap_or_default());
        self.s.push_str(part);
    }

    /// Appends all of `other`.
    pub(crate) fn push_text(&mut self, other: &Text) {
        self.push_part(other, 0..other.s.len());
    }

    /// The template span of bytes `inner` of this string.
    pub(crate) fn span_of(&self, inner: Span) -> Span {
        let last = self.map.last().copied().unwrap_or(0);
        let at = |i: u32| self.map.get(i as usize).copied().unwrap_or(last);
        let start = at(inner.start);
        Span {
            start,
            end: at(inner.end).max(start),
        }
    }

    /// The string of a scalar written at `span` of the template, mapped character by character.
    pub(crate) fn scalar(src: Source<'_>, span: Span, value: &str) -> Self {
        let mapped = if src.yaml {
            yaml_map(src.text, span, value)
        } else {
            json_map(src.text, span, value)
        };
        mapped.unwrap_or_else(|| Self::uniform(value, span))
    }
}

/// Maps a JSON string literal's characters (exact: the literal is decoded again).
fn json_map(text: &str, span: Span, value: &str) -> Option<Text> {
    let (decoded, offsets) = embedded_text(text, span)?;
    if decoded != value {
        return None;
    }
    let len = u32::try_from(decoded.len()).ok()?;
    let mut map: Vec<u32> = (0..len).map(|i| offsets.offset(i)).collect();
    map.push(span.end.saturating_sub(1));
    Some(Text { s: decoded, map })
}

/// Maps a YAML scalar's characters by walking the source alongside the value: equal
/// characters pair up; quotes, indentation and line folding in the source are skipped; an
/// escape sequence maps to where it is written. Exact for plain, quoted and block scalars as
/// templates write them; a character the walk cannot place maps to the current position.
fn yaml_map(text: &str, span: Span, value: &str) -> Option<Text> {
    let source = text.get(span.range())?;
    let bytes = source.as_bytes();
    let base = span.start;
    // Skip a block scalar's header line (`|`, `>-`, ...).
    let mut cur = if matches!(bytes.first(), Some(b'|' | b'>')) {
        source
            .find('\n')
            .map_or(source.len(), |i| i.saturating_add(1))
    } else {
        0
    };
    let double = bytes.first() == Some(&b'"');
    let mut map = Vec::with_capacity(value.len().saturating_add(1));
    for c in value.chars() {
        // Skip what the source has and the value does not: quotes, indentation, folding.
        while let Some(sc) = source.get(cur..).and_then(|s| s.chars().next()) {
            let skippable = matches!(sc, ' ' | '\t' | '\n' | '\r' | '"' | '\'');
            if sc == c || (double && sc == '\\') || !skippable {
                break;
            }
            cur = cur.saturating_add(sc.len_utf8());
        }
        let at = base.saturating_add(u32::try_from(cur).ok()?);
        map.extend(std::iter::repeat_n(at, c.len_utf8()));
        match source.get(cur..).and_then(|s| s.chars().next()) {
            Some(sc) if sc == c => cur = cur.saturating_add(sc.len_utf8()),
            Some('\\') if double => cur = cur.saturating_add(escape_len(bytes.get(cur..)?)),
            _ => {}
        }
    }
    map.push(base.saturating_add(u32::try_from(cur).ok()?).min(span.end));
    Some(Text {
        s: value.to_owned(),
        map,
    })
}

/// Length in bytes of the escape sequence at the start of `rest` (`\n`, `\x41`, `\u00e9`).
fn escape_len(rest: &[u8]) -> usize {
    match rest.get(1) {
        Some(b'x') => 4,
        Some(b'u') => 6,
        Some(b'U') => 10,
        Some(_) => 2,
        None => 1,
    }
}

/// A resolved value with its span in the template.
#[derive(Clone, Debug)]
pub(crate) struct Val {
    pub(crate) kind: Kind,
    pub(crate) span: Span,
}

/// What a resolved value is.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Number(String),
    Str(Text),
    Array(Vec<Val>),
    Object(Vec<Field>),
}

/// One member of a resolved object.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) value: Val,
}

impl Val {
    /// A string that maps wholly onto `span`.
    pub(crate) fn string(s: &str, span: Span) -> Self {
        Self {
            kind: Kind::Str(Text::uniform(s, span)),
            span,
        }
    }

    /// A placeholder for a value that comes from `what`.
    pub(crate) fn unknown(what: &str, span: Span) -> Self {
        Self::string(&unknown::placeholder(what), span)
    }

    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(t) => Some(t.as_str()),
            _ => None,
        }
    }

    /// The string form of a scalar (CloudFormation turns numbers and booleans into strings
    /// where a string is expected).
    pub(crate) fn scalar_text(&self) -> Option<Cow<'_, str>> {
        match &self.kind {
            Kind::Str(t) => Some(Cow::Borrowed(t.as_str())),
            Kind::Number(n) => Some(Cow::Borrowed(n)),
            Kind::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Kind::Null | Kind::Array(_) | Kind::Object(_) => None,
        }
    }

    /// A scalar as [`Text`] (numbers and booleans map onto their span).
    pub(crate) fn text(&self) -> Option<Text> {
        match &self.kind {
            Kind::Str(t) => Some(t.clone()),
            _ => self.scalar_text().map(|s| Text::uniform(&s, self.span)),
        }
    }

    /// The elements, if this is an array.
    pub(crate) fn as_array(&self) -> Option<&[Val]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub(crate) fn as_object(&self) -> Option<&[Field]> {
        match &self.kind {
            Kind::Object(fields) => Some(fields),
            _ => None,
        }
    }

    /// The first member named `key`, if this is an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        self.as_object()?
            .iter()
            .find(|f| f.key == key)
            .map(|f| &f.value)
    }

    /// Whether the value holds a placeholder anywhere.
    pub(crate) fn has_unknown(&self) -> bool {
        match &self.kind {
            Kind::Str(t) => unknown::contains(t.as_str()),
            Kind::Array(items) => items.iter().any(Val::has_unknown),
            Kind::Object(fields) => fields.iter().any(|f| f.value.has_unknown()),
            Kind::Null | Kind::Bool(_) | Kind::Number(_) => false,
        }
    }

    /// Structural equality, spans ignored.
    pub(crate) fn same(&self, other: &Val) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Null, Kind::Null) => true,
            (Kind::Bool(a), Kind::Bool(b)) => a == b,
            (Kind::Number(a), Kind::Number(b)) => a == b,
            (Kind::Str(a), Kind::Str(b)) => a.as_str() == b.as_str(),
            (Kind::Array(a), Kind::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Kind::Object(a), Kind::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.key == y.key && x.value.same(&y.value))
            }
            _ => false,
        }
    }

    /// The spanned JSON tree of this value, for the policy lowering.
    pub(crate) fn to_node(&self) -> Node<'_> {
        let value = match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(n),
            Kind::Str(t) => Value::String(Cow::Borrowed(t.as_str())),
            Kind::Array(items) => Value::Array(items.iter().map(Val::to_node).collect()),
            Kind::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|f| Member {
                        key: Cow::Borrowed(&f.key),
                        key_span: f.key_span,
                        value: f.value.to_node(),
                    })
                    .collect(),
            ),
        };
        Node {
            value,
            span: self.span,
        }
    }

    /// The value as compact JSON text (`Fn::ToJsonString`), each byte mapped to the value that
    /// wrote it.
    pub(crate) fn to_json(&self) -> Text {
        let mut out = Text::uniform("", self.span);
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut Text) {
        match &self.kind {
            Kind::Null => out.push_uniform("null", self.span),
            Kind::Bool(b) => out.push_uniform(if *b { "true" } else { "false" }, self.span),
            Kind::Number(n) => out.push_uniform(n, self.span),
            Kind::Str(t) => write_json_string(t, out),
            Kind::Array(items) => {
                out.push_uniform("[", self.span);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_uniform(",", item.span);
                    }
                    item.write_json(out);
                }
                out.push_uniform("]", Span::at(self.span.end.saturating_sub(1) as usize));
            }
            Kind::Object(fields) => {
                out.push_uniform("{", self.span);
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_uniform(",", f.key_span);
                    }
                    write_json_string(&Text::uniform(&f.key, f.key_span), out);
                    out.push_uniform(":", f.key_span);
                    f.value.write_json(out);
                }
                out.push_uniform("}", Span::at(self.span.end.saturating_sub(1) as usize));
            }
        }
    }
}

/// Writes `t` as a JSON string literal, escaping as JSON requires.
fn write_json_string(t: &Text, out: &mut Text) {
    let first = t.span_of(Span::at(0));
    out.push_uniform("\"", first);
    let s = t.as_str();
    let mut from = 0usize;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => Some(Cow::Borrowed("\\\"")),
            '\\' => Some(Cow::Borrowed("\\\\")),
            '\n' => Some(Cow::Borrowed("\\n")),
            '\r' => Some(Cow::Borrowed("\\r")),
            '\t' => Some(Cow::Borrowed("\\t")),
            c if u32::from(c) < 0x20 => Some(Cow::Owned(format!("\\u{:04x}", u32::from(c)))),
            _ => None,
        };
        if let Some(esc) = escape {
            out.push_part(t, from..i);
            out.push_uniform(&esc, t.span_of(Span::new(i, i)));
            from = i.saturating_add(c.len_utf8());
        }
    }
    out.push_part(t, from..s.len());
    out.push_uniform("\"", t.span_of(Span::at(s.len())));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn src(text: &str, yaml: bool) -> Source<'_> {
        Source { text, yaml }
    }

    fn check_map(text: &str, yaml: bool, scalar: &str, value: &str) {
        let start = text.find(scalar).unwrap();
        let span = Span::new(start, start + scalar.len());
        let t = Text::scalar(src(text, yaml), span, value);
        assert_eq!(t.as_str(), value);
        for (i, c) in value.char_indices() {
            if c.is_whitespace() {
                continue;
            }
            let at = t.span_of(Span::new(i, i + c.len_utf8()));
            let found = text[at.start as usize..].chars().next();
            // An escaped character maps to its backslash.
            assert!(
                found == Some(c) || found == Some('\\'),
                "char {i} of {value:?} in {scalar:?}: {found:?}"
            );
        }
    }

    #[test]
    fn yaml_scalars_map_each_character() {
        let text = "a: plain é text\nb: \"dq \\\"x\\\" ü\"\nc: 'it''s'\nd: |\n  {\"A\": 1,\n   \"B\": 2}\ne: >-\n  folded\n  line\n";
        check_map(text, true, "plain é text", "plain é text");
        check_map(text, true, "\"dq \\\"x\\\" ü\"", "dq \"x\" ü");
        check_map(text, true, "'it''s'", "it's");
        check_map(
            text,
            true,
            "|\n  {\"A\": 1,\n   \"B\": 2}",
            "{\"A\": 1,\n \"B\": 2}\n",
        );
        check_map(text, true, ">-\n  folded\n  line", "folded line");
    }

    #[test]
    fn json_strings_map_each_character() {
        let text = r#"{"a": "x\"y\u00e9z"}"#;
        check_map(text, false, r#""x\"y\u00e9z""#, "x\"yéz");
    }

    #[test]
    fn to_json_round_trips_through_the_map() {
        let text = "k: v\n";
        let v = Val {
            kind: Kind::Object(vec![Field {
                key: "k".into(),
                key_span: Span::new(0, 1),
                value: Val {
                    kind: Kind::Str(Text::scalar(src(text, true), Span::new(3, 4), "v")),
                    span: Span::new(3, 4),
                },
            }]),
            span: Span::new(0, 4),
        };
        let json = v.to_json();
        assert_eq!(json.as_str(), r#"{"k":"v"}"#);
        assert_eq!(json.span_of(Span::new(6, 7)), Span::new(3, 4));
    }
}
