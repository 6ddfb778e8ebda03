//! Reading members of CLI output objects, with a diagnostic for each wrong type or missing
//! member; and ARN helpers.

use kmsguard_syntax::json::{Node, Value};
use kmsguard_syntax::{Code, Diagnostic, Span, Spanned};

use super::Cx;

impl Cx<'_> {
    /// Reports a member of the wrong JSON type.
    pub(crate) fn wrong_type(&mut self, what: &str, expected: &str, node: &Node<'_>) {
        self.diags.push(
            Diagnostic::error(
                Code::P101,
                format!("`{what}` must be {expected}, found {}", node.type_name()),
            )
            .label(node.span, format!("expected {expected}")),
        );
    }

    /// Reports a missing member.
    pub(crate) fn missing(&mut self, node: &Node<'_>, key: &str) {
        let start = node.span.start as usize;
        self.diags.push(
            Diagnostic::error(Code::P007, format!("missing `{key}`")).label(
                Span::new(start, start.saturating_add(1)),
                format!("this object has no `{key}`"),
            ),
        );
    }

    /// A string member (`null` counts as absent); wrong types are reported.
    pub(crate) fn opt_str(&mut self, node: &Node<'_>, key: &str) -> Option<Spanned<String>> {
        let v = node.get(key)?;
        match &v.value {
            Value::String(s) => Some(Spanned::new(s.to_string(), v.span)),
            Value::Null => None,
            _ => {
                self.wrong_type(key, "a string", v);
                None
            }
        }
    }

    /// A string member that must be present.
    pub(crate) fn req_str(&mut self, node: &Node<'_>, key: &str) -> Option<Spanned<String>> {
        if node.get(key).is_none() {
            self.missing(node, key);
            return None;
        }
        self.opt_str(node, key)
    }

    /// A boolean member; wrong types are reported.
    pub(crate) fn opt_bool(&mut self, node: &Node<'_>, key: &str) -> Option<Spanned<bool>> {
        let v = node.get(key)?;
        match v.value {
            Value::Bool(b) => Some(Spanned::new(b, v.span)),
            Value::Null => None,
            _ => {
                self.wrong_type(key, "a boolean", v);
                None
            }
        }
    }

    /// An array member (absent or `null`: empty); wrong types are reported.
    pub(crate) fn list<'n, 'j>(&mut self, node: &'n Node<'j>, key: &str) -> &'n [Node<'j>] {
        match node.get(key) {
            Some(Node {
                value: Value::Array(items),
                ..
            }) => items,
            Some(Node {
                value: Value::Null, ..
            })
            | None => &[],
            Some(other) => {
                self.wrong_type(key, "an array", other);
                &[]
            }
        }
    }

    /// An object member that must be present.
    pub(crate) fn req_object<'n, 'j>(
        &mut self,
        node: &'n Node<'j>,
        key: &str,
    ) -> Option<&'n Node<'j>> {
        match node.get(key) {
            Some(v) if v.as_object().is_some() => Some(v),
            Some(v) => {
                self.wrong_type(key, "an object", v);
                None
            }
            None => {
                self.missing(node, key);
                None
            }
        }
    }
}

/// The elements of an optional array node.
pub(crate) fn array<'n, 'a>(node: Option<&'n Node<'a>>) -> &'n [Node<'a>] {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// The parts of an ARN: partition, service, Region, account, resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArnParts<'a> {
    pub(crate) partition: &'a str,
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    pub(crate) resource: &'a str,
}

/// Splits an ARN; `None` when it is not one.
pub(crate) fn arn_parts(arn: &str) -> Option<ArnParts<'_>> {
    let mut it = arn.splitn(6, ':');
    if it.next()? != "arn" {
        return None;
    }
    Some(ArnParts {
        partition: it.next()?,
        service: it.next()?,
        region: it.next()?,
        account: it.next()?,
        resource: it.next()?,
    })
}

/// Whether `s` is a 12-digit account id.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}
