//! Grants (grants.md §2–4) and key metadata.

use super::Sink;
use super::principal::aws_principal;
use crate::ast::{AwsPrincipal, Grant, GrantConstraints, GrantOperation, KeyMetadata};
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{Member, Node, Value};
use crate::source::{Span, Spanned};

/// Lowers one grant (a `ListGrants` entry or `CreateGrant` parameters).
pub fn grant(node: &Node<'_>, diags: &mut Vec<Diagnostic>) -> Option<Grant> {
    let mut sink = Sink::default();
    let g = lower_grant(node, &mut sink);
    diags.append(&mut sink.diags);
    g
}

fn optional_string(members: &[Member<'_>], name: &str, sink: &mut Sink) -> Option<Spanned<String>> {
    let m = members.iter().find(|m| m.key == name)?;
    match &m.value.value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        _ => sink.string(&format!("`{name}`"), &m.value),
    }
}

fn is_service_principal(s: &str) -> bool {
    !s.starts_with("arn:") && s.ends_with(".amazonaws.com")
}

fn principal_field(
    members: &[Member<'_>],
    name: &str,
    sink: &mut Sink,
) -> (Option<Spanned<AwsPrincipal>>, Option<Spanned<String>>) {
    let Some(s) = optional_string(members, name, sink) else {
        return (None, None);
    };
    if is_service_principal(&s.node) {
        return (None, Some(s));
    }
    let p = aws_principal(sink, &s.node, s.span);
    (p.map(|p| Spanned::new(p, s.span)), None)
}

fn lower_grant(node: &Node<'_>, sink: &mut Sink) -> Option<Grant> {
    let members = sink.object("a grant", node)?;
    let (grantee, grantee_sp) = principal_field(members, "GranteePrincipal", sink);
    let grantee_service = optional_string(members, "GranteeServicePrincipal", sink).or(grantee_sp);
    let (retiring, retiring_sp) = principal_field(members, "RetiringPrincipal", sink);
    let retiring_service =
        optional_string(members, "RetiringServicePrincipal", sink).or(retiring_sp);
    let (issuing_account, _) = principal_field(members, "IssuingAccount", sink);
    if grantee.is_none() && grantee_service.is_none() {
        sink.push(
            Diagnostic::error(Code::P201, "grant has no grantee principal")
                .label(
                    Span::new(node.span.start as usize, node.span.start as usize + 1),
                    "no `GranteePrincipal`",
                )
                .note("every grant names the principal that receives its permissions")
                .help("add `\"GranteePrincipal\"` with the principal's ARN"),
        );
    }
    let operations = match members.iter().find(|m| m.key == "Operations") {
        Some(m) => sink.string_list("`Operations`", &m.value, operation).node,
        None => {
            sink.push(
                Diagnostic::error(Code::P201, "grant has no `Operations`")
                    .label(Span::new(node.span.start as usize, node.span.start as usize + 1), "no `Operations`")
                    .note("a grant allows only the operations it lists; the list is required and not empty")
                    .help("add `\"Operations\": [\"Decrypt\"]` or the operations the grantee needs"),
            );
            Vec::new()
        }
    };
    let constraints = members
        .iter()
        .find(|m| m.key == "Constraints")
        .and_then(|m| constraints(&m.value, sink));
    let creation_date = members
        .iter()
        .find(|m| m.key == "CreationDate")
        .and_then(|m| match &m.value.value {
            Value::Number(n) => Some(Spanned::new((*n).to_owned(), m.value.span)),
            _ => sink.string("`CreationDate`", &m.value),
        });
    Some(Grant {
        key_id: optional_string(members, "KeyId", sink),
        grant_id: optional_string(members, "GrantId", sink),
        name: optional_string(members, "Name", sink),
        grantee,
        grantee_service,
        retiring,
        retiring_service,
        issuing_account,
        operations,
        constraints,
        creation_date,
    })
}

fn operation(sink: &mut Sink, text: &str, span: Span) -> Option<GrantOperation> {
    let op = GrantOperation::from_name(text);
    if op.is_none() {
        let bare = text.strip_prefix("kms:").unwrap_or(text);
        let help = match GrantOperation::ALL.iter().find(|o| o.name().eq_ignore_ascii_case(bare)) {
            Some(o) => format!("write `{}`", o.name()),
            None if bare.contains('*') => "grants take no wildcards; list each operation, for example `ReEncryptFrom` and `ReEncryptTo`".to_owned(),
            None => "grantable operations are Decrypt, Encrypt, GenerateDataKey*, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey, GenerateMac, VerifyMac, DeriveSharedSecret, CreateGrant, RetireGrant, DescribeKey".to_owned(),
        };
        sink.push(
            Diagnostic::error(Code::P202, format!("`{text}` is not a grant operation"))
                .label(span, "not grantable")
                .note("a grant can allow only the cryptographic operations, DescribeKey, CreateGrant and RetireGrant")
                .help(help),
        );
    }
    op
}

fn context_map(
    node: &Node<'_>,
    what: &str,
    sink: &mut Sink,
) -> Option<Vec<(Spanned<String>, Spanned<String>)>> {
    let members = sink.object(what, node)?;
    Some(
        members
            .iter()
            .filter_map(|m| {
                let v = sink.string(&format!("the value of `{}` in {what}", m.key), &m.value)?;
                Some((Spanned::new(m.key.to_string(), m.key_span), v))
            })
            .collect(),
    )
}

fn constraints(node: &Node<'_>, sink: &mut Sink) -> Option<Spanned<GrantConstraints>> {
    if matches!(node.value, Value::Null) {
        return None;
    }
    let members = sink.object("`Constraints`", node)?;
    let mut c = GrantConstraints::default();
    for m in members {
        match m.key.as_ref() {
            "EncryptionContextEquals" => c.equals = context_map(&m.value, "`EncryptionContextEquals`", sink),
            "EncryptionContextSubset" => c.subset = context_map(&m.value, "`EncryptionContextSubset`", sink),
            "SourceArn" => c.source_arn = sink.string("`SourceArn`", &m.value),
            other => sink.push(
                Diagnostic::error(Code::P201, format!("unknown grant constraint `{other}`"))
                    .label(m.key_span, "not a constraint")
                    .help("constraints are `EncryptionContextEquals`, `EncryptionContextSubset` and `SourceArn`"),
            ),
        }
    }
    Some(Spanned::new(c, node.span))
}

/// Lowers the `KeyMetadata` object of `aws kms describe-key` output.
pub fn key_metadata(node: &Node<'_>, diags: &mut Vec<Diagnostic>) -> Option<KeyMetadata> {
    let mut sink = Sink::default();
    let members = sink.object("`KeyMetadata`", node);
    let result = members.map(|members| {
        let s = |sink: &mut Sink, name: &str| {
            let m = members.iter().find(|m| m.key == name)?;
            match &m.value.value {
                Value::Null => None,
                Value::Number(n) => Some(Spanned::new((*n).to_owned(), m.value.span)),
                _ => sink.string(&format!("`{name}`"), &m.value),
            }
        };
        let b = |sink: &mut Sink, name: &str| {
            let m = members.iter().find(|m| m.key == name)?;
            match m.value.value {
                Value::Bool(v) => Some(Spanned::new(v, m.value.span)),
                _ => {
                    sink.wrong_type(&format!("`{name}`"), "a boolean", &m.value);
                    None
                }
            }
        };
        let mrk_type = members
            .iter()
            .find(|m| m.key == "MultiRegionConfiguration")
            .and_then(|m| m.value.get("MultiRegionKeyType"))
            .and_then(|n| sink.string("`MultiRegionKeyType`", n));
        KeyMetadata {
            key_id: s(&mut sink, "KeyId"),
            arn: s(&mut sink, "Arn"),
            account: s(&mut sink, "AWSAccountId"),
            description: s(&mut sink, "Description"),
            enabled: b(&mut sink, "Enabled"),
            key_state: s(&mut sink, "KeyState"),
            key_usage: s(&mut sink, "KeyUsage"),
            key_spec: s(&mut sink, "KeySpec").or_else(|| s(&mut sink, "CustomerMasterKeySpec")),
            origin: s(&mut sink, "Origin"),
            key_manager: s(&mut sink, "KeyManager"),
            multi_region: b(&mut sink, "MultiRegion"),
            multi_region_key_type: mrk_type,
            custom_key_store_id: s(&mut sink, "CustomKeyStoreId"),
            creation_date: s(&mut sink, "CreationDate"),
        }
    });
    diags.append(&mut sink.diags);
    result
}
