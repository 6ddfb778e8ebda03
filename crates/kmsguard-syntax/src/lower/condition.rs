//! `Condition` blocks (conditions.md §1, §7).

use super::Sink;
use super::policy::template;
use crate::ast::{
    Condition, ConditionKey, ConditionOperator, ConditionValue, OperatorError, PolicyKind,
    Qualifier, ScalarKind,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{Node, Value};
use crate::source::{Span, Spanned};

pub(crate) fn conditions(
    node: &Node<'_>,
    kind: PolicyKind,
    variables: bool,
    sink: &mut Sink,
) -> Vec<Condition> {
    let Some(operators) = sink.object("`Condition`", node) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(
        operators
            .iter()
            .map(|m| m.value.as_object().map_or(0, <[_]>::len))
            .sum(),
    );
    for op_member in operators {
        let operator = match ConditionOperator::parse(&op_member.key) {
            Ok((op, exact)) => {
                if !exact {
                    sink.push(
                        Diagnostic::warning(
                            Code::P121,
                            format!(
                                "condition operator `{}` is not in its canonical case",
                                op_member.key
                            ),
                        )
                        .label(
                            op_member.key_span,
                            format!("AWS documents it as `{}`", op.canonical_name()),
                        )
                        .note("AWS does not document whether operator names are case-insensitive")
                        .help(format!("write `{}`", op.canonical_name())),
                    );
                }
                op
            }
            Err(e) => {
                report_operator(&op_member.key, op_member.key_span, e, sink);
                continue;
            }
        };
        let operator = Spanned::new(operator, op_member.key_span);
        let keys = match op_member.value.as_object() {
            Some(keys) => {
                sink.check_duplicates(keys);
                keys
            }
            None => {
                let what = format!("the value of `{}`", op_member.key);
                sink.wrong_type(&what, "an object", &op_member.value);
                continue;
            }
        };
        for key_member in keys {
            let key = Spanned::new(ConditionKey::new(&key_member.key), key_member.key_span);
            check_overly_permissive(&operator, &key, kind, sink);
            let values = values(&key_member.value, &key_member.key, variables, sink);
            out.push(Condition {
                operator,
                key,
                values,
            });
        }
    }
    out
}

fn report_operator(name: &str, span: Span, e: OperatorError, sink: &mut Sink) {
    let d = match e {
        OperatorError::Unknown => Diagnostic::error(Code::P119, format!("unknown condition operator `{name}`"))
            .label(span, "not a condition operator")
            .note("AWS rejects condition blocks with unknown operators (\"Syntax errors in policy.\")")
            .help(suggest_operator(name)),
        OperatorError::BadQualifier => Diagnostic::error(Code::P120, format!("malformed condition operator `{name}`"))
            .label(span, "bad set qualifier or suffix")
            .note("an operator is an optional `ForAllValues:` or `ForAnyValue:`, a base operator, and an optional `IfExists`; `Null` takes neither")
            .help("remove or correct the qualifier"),
    };
    sink.push(d);
}

fn suggest_operator(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let guess = crate::ast::BaseOperator::ALL
        .iter()
        .map(|op| op.name())
        .find(|op| {
            let o = op.to_ascii_lowercase();
            lower.starts_with(&o) || o.starts_with(&lower) || super::edit_distance(&o, &lower) <= 2
        });
    match guess {
        Some(op) => format!("did you mean `{op}`?"),
        None => "use a documented operator such as `StringEquals`, `StringLike`, `ArnLike`, `Bool` or `IpAddress`".to_owned(),
    }
}

/// KMS rejects `ForAllValues` with `kms:EncryptionContext:<key>` or `aws:RequestTag/<key>` in a
/// key policy (`OverlyPermissiveCondition`, A13).
pub(crate) fn check_overly_permissive(
    op: &Spanned<ConditionOperator>,
    key: &Spanned<ConditionKey>,
    kind: PolicyKind,
    sink: &mut Sink,
) {
    let single_valued = key.lower().starts_with("kms:encryptioncontext:")
        || key.lower().starts_with("aws:requesttag/");
    if kind == PolicyKind::Key && op.qualifier == Some(Qualifier::ForAllValues) && single_valued {
        sink.push(
            Diagnostic::error(Code::P126, format!("`ForAllValues` with the single-valued key `{}`", key.text()))
                .label(op.span, "KMS rejects this qualifier here")
                .secondary(key.span, "single-valued key")
                .note("`ForAllValues` is true when the key is absent, so the condition would allow requests without it; KMS rejects the policy with OverlyPermissiveCondition")
                .help("drop the `ForAllValues:` qualifier (use `StringEquals`), or test `kms:EncryptionContextKeys` instead"),
        );
    }
}

fn values(
    node: &Node<'_>,
    key: &str,
    variables: bool,
    sink: &mut Sink,
) -> Spanned<Vec<Spanned<ConditionValue>>> {
    let mut out = Vec::with_capacity(super::list_len(node));
    let mut one = |sink: &mut Sink, n: &Node<'_>| {
        let (text, kind) = match &n.value {
            Value::String(s) => (s.as_ref(), ScalarKind::String),
            Value::Number(s) => (*s, ScalarKind::Number),
            Value::Bool(true) => ("true", ScalarKind::Bool),
            Value::Bool(false) => ("false", ScalarKind::Bool),
            Value::Null => {
                sink.push(
                    Diagnostic::error(Code::P122, format!("condition value for `{key}` is `null`"))
                        .label(n.span, "not a value")
                        .note("condition values are strings, numbers or booleans; AWS rejects `null`")
                        .help("write the value as a string, or use the `Null` operator to test for absence"),
                );
                return;
            }
            Value::Array(_) | Value::Object(_) => {
                sink.wrong_type(
                    &format!("a condition value for `{key}`"),
                    "a string, number or boolean",
                    n,
                );
                return;
            }
        };
        let template = if kind == ScalarKind::String {
            template(text, n.span, variables, sink)
        } else {
            crate::ast::Template::literal(text)
        };
        out.push(Spanned::new(ConditionValue { template, kind }, n.span));
    };
    match &node.value {
        Value::Array(items) => {
            if items.is_empty() {
                sink.push(
                    Diagnostic::error(
                        Code::P122,
                        format!("condition values for `{key}` are an empty list"),
                    )
                    .label(node.span, "no values")
                    .note("a condition with no values cannot be evaluated")
                    .help("list at least one value"),
                );
            }
            for it in items {
                one(sink, it);
            }
        }
        _ => one(sink, node),
    }
    Spanned::new(out, node.span)
}
