//! The intrinsic functions that build strings and lists: `Fn::Join`, `Fn::Select`,
//! `Fn::Split`, `Fn::If`, `Fn::FindInMap`, `Fn::ImportValue`, `Fn::Base64`, `Fn::Length`
//! (`Fn::Sub` is in `sub.rs`).
//!
//! A list that cannot be known (`Fn::GetAZs`, a list parameter without a default) is a
//! placeholder string; a function that consumes it gives a placeholder.

use kmsguard_syntax::json::Node;
use kmsguard_syntax::{Diagnostic, Span, unknown};

use super::codes;
use super::intrinsics::Resolver;
use super::value::{Kind, Text, Val};

/// The elements of a two-or-more element argument list.
fn args<'n, 'a>(arg: &'n Node<'a>, count: usize) -> Option<&'n [Node<'a>]> {
    arg.as_array().filter(|items| items.len() == count)
}

impl Resolver<'_, '_, '_> {
    /// `Fn::Join: [delimiter, [values]]`.
    pub(super) fn join(&mut self, arg: &Node<'_>, span: Span) -> Val {
        let help = "write `!Join [delimiter, [value, ...]]`";
        let Some([delim, list]) = args(arg, 2) else {
            return self.invalid(
                "Fn::Join",
                "expected a delimiter and a list",
                help,
                arg.span,
            );
        };
        let delim = self.resolve(delim).and_then(|v| v.text());
        let list = self.resolve(list);
        let Some(delim) = delim else {
            return self.invalid("Fn::Join", "the delimiter must be a string", help, arg.span);
        };
        let items = match list.as_ref().map(|l| &l.kind) {
            Some(Kind::Array(items)) => items,
            Some(Kind::Str(t)) if unknown::contains(t.as_str()) => {
                return Val::unknown("Fn::Join", span);
            }
            _ => return self.invalid("Fn::Join", "the values must be a list", help, arg.span),
        };
        let mut out = Text::uniform("", span);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_text(&delim);
            }
            match item.text() {
                Some(t) => out.push_text(&t),
                None => {
                    return self.invalid(
                        "Fn::Join",
                        "each value must be a string",
                        help,
                        item.span,
                    );
                }
            }
        }
        Val {
            kind: Kind::Str(out),
            span,
        }
    }

    /// `Fn::Select: [index, list]`.
    pub(super) fn select(&mut self, arg: &Node<'_>, span: Span) -> Option<Val> {
        let help = "write `!Select [index, list]` with an index from 0";
        let Some([index, list]) = args(arg, 2) else {
            return Some(self.invalid(
                "Fn::Select",
                "expected an index and a list",
                help,
                arg.span,
            ));
        };
        let index_val = self.resolve(index);
        let list = self.resolve(list);
        let index_text = index_val.as_ref().and_then(Val::scalar_text);
        if index_text.as_deref().is_some_and(unknown::contains) {
            return Some(Val::unknown("Fn::Select", span));
        }
        let Some(i) = index_text.and_then(|t| t.trim().parse::<usize>().ok()) else {
            return Some(self.invalid(
                "Fn::Select",
                "the index must be a whole number",
                help,
                index.span,
            ));
        };
        match list.map(|l| l.kind) {
            Some(Kind::Array(items)) => match items.into_iter().nth(i) {
                Some(v) => Some(v),
                None => Some(self.invalid(
                    "Fn::Select",
                    &format!("index {i} is past the end of the list"),
                    help,
                    index.span,
                )),
            },
            Some(Kind::Str(t)) if unknown::contains(t.as_str()) => {
                Some(Val::unknown("Fn::Select", span))
            }
            _ => Some(self.invalid(
                "Fn::Select",
                "the second value must be a list",
                help,
                arg.span,
            )),
        }
    }

    /// `Fn::Split: [delimiter, text]`.
    pub(super) fn split(&mut self, arg: &Node<'_>, span: Span) -> Val {
        let help = "write `!Split [delimiter, text]`";
        let Some([delim, source]) = args(arg, 2) else {
            return self.invalid(
                "Fn::Split",
                "expected a delimiter and a string",
                help,
                arg.span,
            );
        };
        let delim = self.resolve(delim).and_then(|v| v.text());
        let source = self.resolve(source).and_then(|v| v.text());
        let (Some(delim), Some(source)) = (delim, source) else {
            return self.invalid(
                "Fn::Split",
                "expected a delimiter and a string",
                help,
                arg.span,
            );
        };
        let d = delim.as_str();
        if d.is_empty() {
            return self.invalid("Fn::Split", "the delimiter is empty", help, arg.span);
        }
        let s = source.as_str();
        if unknown::contains(s) {
            return Val::unknown("Fn::Split", span);
        }
        let mut items = Vec::new();
        let mut from = 0usize;
        let mut push = |from: usize, to: usize| {
            let mut part = Text::uniform("", source.span_of(Span::at(from)));
            part.push_part(&source, from..to);
            items.push(Val {
                kind: Kind::Str(part),
                span: source.span_of(Span::new(from, to)),
            });
        };
        for (at, _) in s.match_indices(d) {
            push(from, at);
            from = at.saturating_add(d.len());
        }
        push(from, s.len());
        Val {
            kind: Kind::Array(items),
            span,
        }
    }

    /// `Fn::If: [condition, then, else]`: the branch the condition picks; when the condition
    /// cannot be decided, the value both branches agree on, else a placeholder.
    pub(super) fn if_fn(&mut self, arg: &Node<'_>, span: Span) -> Option<Val> {
        let help = "write `!If [ConditionName, value if true, value if false]`";
        let Some([cond, then, otherwise]) = args(arg, 3) else {
            return Some(self.invalid(
                "Fn::If",
                "expected a condition name and two values",
                help,
                arg.span,
            ));
        };
        let Some(name) = cond.as_str() else {
            return Some(self.invalid(
                "Fn::If",
                "the condition must be named by a string",
                help,
                cond.span,
            ));
        };
        match self.condition(name, cond.span) {
            Some(true) => self.resolve(then),
            Some(false) => self.resolve(otherwise),
            None => {
                let a = self.resolve(then);
                let b = self.resolve(otherwise);
                match (a, b) {
                    (None, None) => None,
                    (Some(a), Some(b)) if a.same(&b) => Some(a),
                    (a, b) => {
                        let structured = |v: &Option<Val>| {
                            v.as_ref()
                                .is_some_and(|v| matches!(v.kind, Kind::Array(_) | Kind::Object(_)))
                        };
                        if structured(&a) || structured(&b) {
                            self.undecided_structure(name, span);
                        }
                        Some(Val::unknown(&format!("Fn::If {name}"), span))
                    }
                }
            }
        }
    }

    /// Records a placeholder that stands for a statement, list or mapping chosen by a
    /// condition kmsguard cannot decide, and says so.
    fn undecided_structure(&mut self, name: &str, span: Span) {
        self.undecided.push(span);
        self.diags.push(
            Diagnostic::info(codes::P310, format!("condition `{name}` cannot be decided before deployment"))
                .label(span, "which value this `Fn::If` gives is unknown")
                .note("it depends on a parameter without a default, an import, or the account or Region the stack is deployed to")
                .help("give the parameters it depends on a default (or pass the account and Region) to have both the condition and the value it selects checked"),
        );
    }

    /// `Fn::FindInMap: [MapName, TopKey, SecondKey]` (with an optional
    /// `{DefaultValue: value}`, from `AWS::LanguageExtensions`).
    pub(super) fn find_in_map(&mut self, arg: &Node<'_>, span: Span) -> Option<Val> {
        let help = "write `!FindInMap [MapName, TopLevelKey, SecondLevelKey]`";
        let items = match arg.as_array() {
            Some(items) if items.len() == 3 || items.len() == 4 => items,
            _ => {
                return Some(self.invalid(
                    "Fn::FindInMap",
                    "expected a map name and two keys",
                    help,
                    arg.span,
                ));
            }
        };
        let mut keys = Vec::with_capacity(3);
        for node in items.iter().take(3) {
            let text = self
                .resolve(node)
                .and_then(|v| v.scalar_text().map(|s| s.into_owned()));
            match text {
                Some(t) if unknown::contains(&t) => {
                    return Some(Val::unknown("Fn::FindInMap", span));
                }
                Some(t) => keys.push((t, node)),
                None => {
                    return Some(self.invalid(
                        "Fn::FindInMap",
                        "names and keys must be strings",
                        help,
                        node.span,
                    ));
                }
            }
        }
        let default = items.get(3).and_then(|d| d.get("DefaultValue"));
        let [(map_name, map_node), (top, top_node), (second, second_node)] = keys.as_slice() else {
            return Some(Val::unknown("Fn::FindInMap", span));
        };
        let Some(&map) = self.tpl.mappings.get(map_name.as_str()) else {
            self.unresolved(
                format!("no mapping named `{map_name}`"),
                map_node.span,
                "declare the mapping under `Mappings`, or fix the spelling",
            );
            return Some(Val::unknown("Fn::FindInMap", span));
        };
        if let Some(value) = map.get(top).and_then(|t| t.get(second)) {
            return self.resolve(value);
        }
        if let Some(d) = default {
            return self.resolve(d);
        }
        // A key computed from a value kmsguard stands in for (the Region) may exist in the
        // real deployment; only a key written out is known to be missing.
        let (missing, node) = if map.get(top).is_none() {
            (top, top_node)
        } else {
            (second, second_node)
        };
        if node.as_str().is_some() {
            self.unresolved(
                format!("mapping `{map_name}` has no key `{missing}`"),
                node.span,
                "add the key to the mapping, or fix the spelling",
            );
        }
        Some(Val::unknown(
            &format!("FindInMap {map_name} {top} {second}"),
            span,
        ))
    }

    /// `Fn::ImportValue: name`: another stack's output, unknown here.
    pub(super) fn import_value(&mut self, arg: &Node<'_>, span: Span) -> Val {
        let name = self
            .resolve(arg)
            .and_then(|v| v.scalar_text().map(|s| s.into_owned()));
        match name {
            Some(name) => Val::unknown(&format!("ImportValue {name}"), span),
            None => self.invalid(
                "Fn::ImportValue",
                "the export name must be a string",
                "write the name of another stack's export",
                arg.span,
            ),
        }
    }

    /// `Fn::Base64: text`.
    pub(super) fn base64(&mut self, arg: &Node<'_>, span: Span) -> Val {
        let text = self
            .resolve(arg)
            .and_then(|v| v.scalar_text().map(|s| s.into_owned()));
        match text {
            Some(t) if unknown::contains(&t) => Val::unknown("Fn::Base64", span),
            Some(t) => Val::string(&base64(t.as_bytes()), span),
            None => self.invalid(
                "Fn::Base64",
                "the value must be a string",
                "encode a string",
                arg.span,
            ),
        }
    }

    /// `Fn::Length: list` (`AWS::LanguageExtensions`).
    pub(super) fn length(&mut self, arg: &Node<'_>, span: Span) -> Val {
        match self.resolve(arg).map(|v| v.kind) {
            Some(Kind::Array(items)) => Val {
                kind: Kind::Number(items.len().to_string()),
                span,
            },
            Some(Kind::Str(t)) if unknown::contains(t.as_str()) => Val::unknown("Fn::Length", span),
            _ => self.invalid(
                "Fn::Length",
                "the value must be a list",
                "count a list",
                arg.span,
            ),
        }
    }
}

/// Standard Base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| {
        ALPHABET
            .get((i & 63) as usize)
            .map_or('=', |&b| char::from(b))
    };
    let mut out = String::with_capacity(bytes.len().div_ceil(3).saturating_mul(4));
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(input.as_bytes()), expected);
        }
    }
}
