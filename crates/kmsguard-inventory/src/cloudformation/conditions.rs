//! Conditions: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition` references,
//! decided from parameter defaults where possible.
//!
//! A condition is three-valued: `Some(true)`, `Some(false)`, or `None` when it depends on a
//! value the template cannot know (a parameter without a default, a stand-in account or
//! Region). `Fn::If` then keeps the value both branches agree on, and a resource whose
//! condition is undecided is read as if it were created.

use kmsguard_syntax::json::Node;
use kmsguard_syntax::{Diagnostic, Span};

use super::codes;
use super::intrinsics::Resolver;
use super::template::Resource;

impl Resolver<'_, '_, '_> {
    /// The value of the condition named `name` (referenced at `span`).
    pub(crate) fn condition(&mut self, name: &str, span: Span) -> Option<bool> {
        if let Some(&v) = self.conditions.get(name) {
            return v;
        }
        if self.evaluating.iter().any(|n| n == name) {
            self.diags.push(
                Diagnostic::error(codes::P309, format!("condition `{name}` depends on itself"))
                    .label(span, "circular reference")
                    .note("CloudFormation rejects conditions that refer to themselves")
                    .help("break the cycle between the conditions"),
            );
            return None;
        }
        let Some(&node) = self.tpl.conditions.get(name) else {
            self.unresolved(
                format!("no condition named `{name}`"),
                span,
                "declare the condition under `Conditions`, or fix the spelling",
            );
            return None;
        };
        if self.evaluating.len() >= super::intrinsics::MAX_CHAIN {
            return None;
        }
        self.evaluating.push(name.to_owned());
        self.in_condition = self.in_condition.saturating_add(1);
        let v = self.eval_condition(node);
        self.in_condition = self.in_condition.saturating_sub(1);
        self.evaluating.pop();
        self.conditions.insert(name.to_owned(), v);
        v
    }

    /// Whether a resource is created: `false` only when its `Condition` is decided false.
    pub(crate) fn created(&mut self, r: &Resource<'_, '_>) -> bool {
        match r.condition {
            Some((name, span)) => self.condition(name, span) != Some(false),
            None => true,
        }
    }

    /// Evaluates a condition function (`{"Fn::Equals": [...]}`, `{"Condition": "Name"}`).
    fn eval_condition(&mut self, node: &Node<'_>) -> Option<bool> {
        if let Some(b) = node.as_str().and_then(|s| s.parse::<bool>().ok()) {
            return Some(b);
        }
        match node.as_object() {
            Some([m]) => {
                if m.key == "Condition" {
                    let Some(name) = m.value.as_str() else {
                        self.bad_condition(m.value.span);
                        return None;
                    };
                    return self.condition(name, m.value.span);
                }
                let key = m.key.clone();
                self.condition_fn(&key, &m.value, node.span)
            }
            _ => {
                if let kmsguard_syntax::json::Value::Bool(b) = node.value {
                    return Some(b);
                }
                self.bad_condition(node.span);
                None
            }
        }
    }

    fn bad_condition(&mut self, span: Span) {
        self.diags.push(
            Diagnostic::error(codes::P306, "malformed condition")
                .label(span, "not a condition function")
                .help("write `!Equals [a, b]`, `!Not [c]`, `!And [c, ...]`, `!Or [c, ...]` or `!Condition Name`"),
        );
    }

    /// `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` with argument `arg`.
    pub(crate) fn condition_fn(&mut self, name: &str, arg: &Node<'_>, span: Span) -> Option<bool> {
        self.in_condition = self.in_condition.saturating_add(1);
        let v = self.condition_fn_inner(name, arg, span);
        self.in_condition = self.in_condition.saturating_sub(1);
        v
    }

    fn condition_fn_inner(&mut self, name: &str, arg: &Node<'_>, span: Span) -> Option<bool> {
        let items = arg.as_array().unwrap_or(&[]);
        match (name, items) {
            ("Fn::Equals", [a, b]) => {
                let a = self.resolve(a)?;
                let b = self.resolve(b)?;
                if a.has_unknown() || b.has_unknown() {
                    return None;
                }
                match (a.scalar_text(), b.scalar_text()) {
                    (Some(x), Some(y)) => Some(x == y),
                    _ => Some(a.same(&b)),
                }
            }
            ("Fn::Not", [c]) => self.eval_condition(c).map(|b| !b),
            ("Fn::And" | "Fn::Or", [_, _, ..]) => {
                let and = name == "Fn::And";
                let mut undecided = false;
                let mut result = and;
                for c in items {
                    match self.eval_condition(c) {
                        Some(v) if v != and => result = v,
                        Some(_) => {}
                        None => undecided = true,
                    }
                }
                // One false decides `And`, one true decides `Or`.
                if result != and {
                    Some(result)
                } else if undecided {
                    None
                } else {
                    Some(result)
                }
            }
            _ => {
                self.invalid(
                    name,
                    "wrong number of arguments",
                    "`Fn::Equals` takes two values, `Fn::Not` one condition, `Fn::And` and `Fn::Or` two to ten",
                    span,
                );
                None
            }
        }
    }
}
