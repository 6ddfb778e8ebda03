//! A JSON reader that keeps a byte span on every key and value.
//!
//! Unlike `serde_json::Value` it keeps duplicate object keys (AWS rejects a policy that repeats a
//! member, so we must see them to report them), borrows strings that have no escapes, and
//! refuses hostile input (too large, too deeply nested) with one clear error instead of
//! exhausting memory or the stack.

mod err;
mod reader;
mod strmap;

use std::borrow::Cow;

use crate::source::Span;

pub use err::{JsonError, JsonErrorKind};
pub(crate) use reader::Reader;
pub use reader::{parse, parse_bytes};
pub use strmap::{OffsetMap, embedded_text, percent_decode};

/// Resource limits for one document.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of arrays and objects accepted. Policies nest about 6 levels and
    /// `get-account-authorization-details` output about 10.
    pub max_depth: usize,
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 128,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// A JSON value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    /// The value.
    pub value: Value<'a>,
    /// The bytes it was read from (for strings, the quotes included).
    pub span: Span,
}

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written (already checked against the JSON grammar).
    Number(&'a str),
    /// A string, unescaped; borrowed when the source had no escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object, members in source order, duplicates kept.
    Object(Vec<Member<'a>>),
}

/// One `"key": value` pair of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member<'a> {
    /// The key, unescaped.
    pub key: Cow<'a, str>,
    /// The key's span, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Node<'a>,
}

impl<'a> Node<'a> {
    /// The JSON type name, for messages (`"a string"`, `"an object"`, ...).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }

    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    #[must_use]
    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.value {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The first member named `key` (exact match), if this is an object.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// Rewrites every span in the tree with `f` (used to map spans of an embedded document
    /// back into the file that holds it).
    pub fn map_spans(&mut self, f: &impl Fn(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.value {
            Value::Array(items) => items.iter_mut().for_each(|n| n.map_spans(f)),
            Value::Object(members) => {
                for m in members {
                    m.key_span = f(m.key_span);
                    m.value.map_spans(f);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
        }
    }
}

impl Value<'_> {
    /// The JSON type name with an article, for messages.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Pairs `(first, repeat)` of members of `members` that share a key, in source order of the
/// repeat. Object sizes in policies are small, so the quadratic scan beats hashing.
pub fn duplicate_keys<'m, 'a>(
    members: &'m [Member<'a>],
) -> impl Iterator<Item = (&'m Member<'a>, &'m Member<'a>)> {
    members.iter().enumerate().filter_map(move |(i, m)| {
        members
            .get(..i)?
            .iter()
            .find(|earlier| earlier.key == m.key)
            .map(|first| (first, m))
    })
}
