//! `Principal` / `NotPrincipal` values (A7).

use super::Sink;
use crate::ast::{
    AwsPrincipal, PolicyKind, PrincipalBlock, PrincipalEntry, PrincipalForm, Principals,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{Member, Value};
use crate::source::{Span, Spanned};

const PRINCIPAL_TYPES: [&str; 4] = ["AWS", "Service", "Federated", "CanonicalUser"];

pub(crate) fn principal_block(
    m: &Member<'_>,
    not: bool,
    kind: PolicyKind,
    sink: &mut Sink,
) -> Option<PrincipalBlock> {
    let _ = kind;
    let node = &m.value;
    let principals = match &node.value {
        Value::String(s) if s == "*" => Principals::Any,
        Value::String(s) => {
            sink.push(
                Diagnostic::error(Code::P116, format!("invalid principal `{s}`"))
                    .label(
                        node.span,
                        "a principal is `\"*\"` or an object such as `{\"AWS\": ...}`",
                    )
                    .note("only the wildcard may be written as a bare string")
                    .help(format!("write `{{\"AWS\": \"{s}\"}}`")),
            );
            return None;
        }
        Value::Object(members) => {
            sink.check_duplicates(members);
            if members.is_empty() {
                sink.push(
                    Diagnostic::error(Code::P122, format!("`{}` is an empty object", m.key))
                        .label(node.span, "names no principal")
                        .help("name at least one principal, for example `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`"),
                );
            }
            Principals::Map(
                members
                    .iter()
                    .filter_map(|entry| principal_entry(entry, sink))
                    .collect(),
            )
        }
        _ => {
            sink.wrong_type(&format!("`{}`", m.key), "`\"*\"` or an object", node);
            return None;
        }
    };
    let spanned = Spanned::new(principals, node.span);
    Some(if not {
        PrincipalBlock::NotPrincipal(spanned)
    } else {
        PrincipalBlock::Principal(spanned)
    })
}

fn principal_entry(entry: &Member<'_>, sink: &mut Sink) -> Option<PrincipalEntry> {
    let what = format!("principal type `{}`", entry.key);
    let plain =
        |sink: &mut Sink| sink.string_list(&what, &entry.value, |_, s, _| Some(s.to_owned()));
    match entry.key.as_ref() {
        "AWS" => Some(PrincipalEntry::Aws(sink.string_list(
            &what,
            &entry.value,
            aws_principal,
        ))),
        "Service" => Some(PrincipalEntry::Service(plain(sink))),
        "Federated" => Some(PrincipalEntry::Federated(plain(sink))),
        "CanonicalUser" => Some(PrincipalEntry::CanonicalUser(plain(sink))),
        other => {
            let suggestion = PRINCIPAL_TYPES
                .iter()
                .find(|t| t.eq_ignore_ascii_case(other));
            let d = Diagnostic::error(Code::P118, format!("unknown principal type `{other}`"))
                .label(entry.key_span, "not a principal type")
                .note("principal types are `AWS`, `Service`, `Federated` and `CanonicalUser`, case-sensitive");
            sink.push(match suggestion {
                Some(s) => d.help(format!("write `{s}`")),
                None => {
                    d.help("use `AWS` for accounts, users and roles, `Service` for AWS services")
                }
            });
            None
        }
    }
}

/// Reads one `"AWS"` value, reporting forms AWS rejects (partial wildcards, groups, malformed
/// ARNs) as errors and unfilled placeholders as warnings.
pub(crate) fn aws_principal(sink: &mut Sink, text: &str, span: Span) -> Option<AwsPrincipal> {
    let p = AwsPrincipal::parse(text);
    match p.form {
        PrincipalForm::Invalid => {
            let (why, help) = if text.contains('*') {
                (
                    "the only wildcard allowed in a principal is the whole value `\"*\"`",
                    "name the principal exactly, or use `\"*\"` with a condition on `aws:PrincipalArn` (`ArnLike`)",
                )
            } else if text.contains(":group/") {
                (
                    "IAM groups cannot be principals",
                    "name the group's users or roles, or the account",
                )
            } else {
                (
                    "an AWS principal is an account id, an account, user or role ARN, a session ARN, or `\"*\"`",
                    "write an ARN such as `arn:aws:iam::111122223333:role/Name`",
                )
            };
            sink.push(
                Diagnostic::error(Code::P116, format!("invalid principal `{text}`"))
                    .label(span, "not a valid AWS principal")
                    .note(format!("{why}; AWS rejects the policy (\"Policy contains a statement with one or more invalid principals\")"))
                    .help(help),
            );
        }
        PrincipalForm::Placeholder => sink.push(
            Diagnostic::warning(
                Code::P117,
                format!("principal `{text}` looks like an unfilled placeholder"),
            )
            .label(span, "not a real account or ARN")
            .note("AWS rejects principals that do not exist; this value matches nobody")
            .help("replace the placeholder with the 12-digit account id or the principal's ARN"),
        ),
        _ => {}
    }
    Some(p)
}
