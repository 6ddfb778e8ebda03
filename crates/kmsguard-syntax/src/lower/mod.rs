//! JSON tree to typed AST. Every shape AWS rejects when a policy is written becomes an
//! error-level diagnostic with the span of the smallest offending node (evaluation.md A13);
//! the rest of the document is still read so that one run reports every problem.

mod condition;
mod grant;
mod policy;
mod principal;

pub use grant::{grant, key_metadata};
pub(crate) use policy::bare_policy;
pub use policy::{detect_kind, policy};

use crate::ast::SpannedList;
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{Member, Node, Value, duplicate_keys};
use crate::source::{Span, Spanned};

/// Collects diagnostics while lowering.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) diags: Vec<Diagnostic>,
}

impl Sink {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Reports repeated keys of an object (A1: a member may not appear twice).
    pub(crate) fn check_duplicates(&mut self, members: &[Member<'_>]) {
        for (first, repeat) in duplicate_keys(members) {
            self.push(
                Diagnostic::error(Code::P006, format!("duplicate key `{}`", repeat.key))
                    .label(repeat.key_span, "repeated here")
                    .secondary(first.key_span, "first written here")
                    .note("AWS rejects a document that repeats a member; JSON readers that keep the last one hide the first")
                    .help("merge the two values into one member"),
            );
        }
    }

    /// Reports a value of the wrong JSON type.
    pub(crate) fn wrong_type(&mut self, what: &str, expected: &str, node: &Node<'_>) {
        self.push(
            Diagnostic::error(
                Code::P101,
                format!("{what} must be {expected}, found {}", node.type_name()),
            )
            .label(node.span, format!("expected {expected}")),
        );
    }

    /// The object's members, or a wrong-type diagnostic.
    pub(crate) fn object<'n, 'a>(
        &mut self,
        what: &str,
        node: &'n Node<'a>,
    ) -> Option<&'n [Member<'a>]> {
        if let Some(members) = node.as_object() {
            self.check_duplicates(members);
            Some(members)
        } else {
            self.wrong_type(what, "an object", node);
            None
        }
    }

    /// A string value, or a wrong-type diagnostic.
    pub(crate) fn string(&mut self, what: &str, node: &Node<'_>) -> Option<Spanned<String>> {
        self.str(what, node)
            .map(|s| Spanned::new(s.to_owned(), node.span))
    }

    /// A string value, borrowed, or a wrong-type diagnostic.
    pub(crate) fn str<'n>(&mut self, what: &str, node: &'n Node<'_>) -> Option<&'n str> {
        let s = node.as_str();
        if s.is_none() {
            self.wrong_type(what, "a string", node);
        }
        s
    }

    /// A string or an array of strings (A1: `"x"` and `["x"]` are equivalent), each item
    /// converted by `item`, which returns `None` after reporting a bad item.
    pub(crate) fn string_list<T>(
        &mut self,
        what: &str,
        node: &Node<'_>,
        mut item: impl FnMut(&mut Self, &str, Span) -> Option<T>,
    ) -> SpannedList<T> {
        let mut out = Vec::with_capacity(list_len(node));
        match &node.value {
            Value::String(s) => {
                out.extend(item(self, s, node.span).map(|v| Spanned::new(v, node.span)))
            }
            Value::Array(items) => {
                if items.is_empty() {
                    self.push(
                        Diagnostic::error(Code::P122, format!("{what} is an empty list"))
                            .label(node.span, "no values")
                            .help("list at least one value, or remove the element"),
                    );
                }
                for it in items {
                    match it.as_str() {
                        Some(s) => {
                            out.extend(item(self, s, it.span).map(|v| Spanned::new(v, it.span)))
                        }
                        None => self.wrong_type(&format!("each value of {what}"), "a string", it),
                    }
                }
            }
            _ => self.wrong_type(what, "a string or an array of strings", node),
        }
        Spanned::new(out, node.span)
    }
}

/// How many values a one-or-a-list node holds at most.
pub(crate) fn list_len(node: &Node<'_>) -> usize {
    match &node.value {
        Value::Array(items) => items.len(),
        _ => 1,
    }
}

/// Levenshtein distance, for "did you mean" suggestions on short names.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i.saturating_add(1)];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(0)
                .saturating_add(usize::from(ca != *cb));
            let del = prev
                .get(j.saturating_add(1))
                .copied()
                .unwrap_or(0)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(0).saturating_add(1);
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
