use kmsguard_catalog::KeyType;
use kmsguard_syntax::ast::{Condition, OperatorFamily, Policy};

use crate::facts::KnownKey;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a condition operator whose family does not fit the type of its key in the service
/// catalog: `Numeric*` on a non-numeric key, `Date*` on a non-date key, `Bool` on a non-Boolean
/// key, `IpAddress` on a non-IP key, `Arn*` on a key that holds no ARN, `BinaryEquals` on a
/// non-binary key.
///
/// ## Why it matters
/// IAM accepts the condition, but the request value never parses as the operator's type, so a
/// positive operator never matches and a negated one always does (conditions.md §7 and §8;
/// validation-checks.md §3.4 `TYPE_MISMATCH*`, VC-06). `NumericLessThan` on `aws:username` or
/// `Bool` on `kms:ViaService` never does what it says.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"kms:ViaService":"true"}}}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}
/// ```
///
/// ## Known gaps
/// `String*` operators are not flagged on keys of other types: they compare the request value's
/// text, which often works (`StringEquals` on a Bool key with `"true"`). `Arn*` on a String key
/// is accepted when every value is an ARN (AWS documents `ArnLike` on
/// `kms:EncryptionContext:aws:logs:arn`). `Numeric*` is accepted on the date keys
/// `aws:EpochTime` and `kms:ValidTo` (conditions.md §8). Unknown keys are left to I004.
pub(crate) OperatorTypeMismatch {
    code: "I006",
    name: "operator-type-mismatch",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

/// Date keys that also take epoch seconds with `Numeric*` (conditions.md §8).
const NUMERIC_DATE_KEYS: &[&str] = &["aws:epochtime", "kms:validto"];

impl Rule for OperatorTypeMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let facts = cx.facts(policy);
        for (s, st) in policy.statements.iter().enumerate() {
            // Most statements have no condition.
            if st.node.conditions.is_empty() {
                continue;
            }
            for (c, known) in st.node.conditions.iter().zip(facts.keys(s)) {
                let family = c.operator.node.base.family();
                if matches!(family, OperatorFamily::Null | OperatorFamily::String) {
                    continue;
                }
                let Some(KnownKey { def, .. }) = *known else {
                    continue;
                };
                let ty = def.key_type.element_type();
                if !fits(family, ty, c) {
                    report(c, family, def.key_type, cx);
                }
            }
        }
    }
}

fn fits(family: OperatorFamily, ty: KeyType, c: &Condition) -> bool {
    match family {
        OperatorFamily::Null | OperatorFamily::String => true,
        _ if ty == KeyType::Other => true,
        OperatorFamily::Numeric => {
            ty == KeyType::Numeric
                || (ty == KeyType::Date && NUMERIC_DATE_KEYS.contains(&c.key.node.lower()))
        }
        OperatorFamily::Date => ty == KeyType::Date,
        OperatorFamily::Bool => ty == KeyType::Bool,
        OperatorFamily::Binary => ty == KeyType::Binary,
        OperatorFamily::Ip => ty == KeyType::IpAddress,
        OperatorFamily::Arn => {
            ty == KeyType::Arn
                || (ty == KeyType::String
                    && c.values.node.iter().all(|v| arn_like(&v.node.template.raw)))
        }
    }
}

/// Whether a policy value reads as an ARN (or is produced by a policy variable, or holds a
/// placeholder, which may be an ARN once deployed).
fn arn_like(raw: &str) -> bool {
    raw.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("arn:"))
        || raw.starts_with("${")
        || crate::holds_placeholder(raw)
}

fn family_name(f: OperatorFamily) -> &'static str {
    match f {
        OperatorFamily::String => "strings",
        OperatorFamily::Numeric => "numbers",
        OperatorFamily::Date => "dates",
        OperatorFamily::Bool => "Booleans",
        OperatorFamily::Binary => "binary values",
        OperatorFamily::Ip => "IP addresses",
        OperatorFamily::Arn => "ARNs",
        OperatorFamily::Null => "presence",
    }
}

/// The operator to use for a key of type `ty`.
fn suggested_operator(ty: KeyType) -> &'static str {
    match ty.element_type() {
        KeyType::Numeric => "`NumericEquals` (or another `Numeric*` operator)",
        KeyType::Date => "`DateGreaterThan` (or another `Date*` operator)",
        KeyType::Bool => "`Bool`",
        KeyType::IpAddress => "`IpAddress` or `NotIpAddress`",
        KeyType::Arn => "`ArnLike` (or another `Arn*` operator)",
        KeyType::Binary => "`BinaryEquals`",
        _ => "`StringEquals` (or another `String*` operator)",
    }
}

fn report(c: &Condition, family: OperatorFamily, ty: KeyType, cx: &mut Context<'_>) {
    let op = c.operator.node.canonical_name();
    let qualifier = if ty.is_multivalued() {
        " with its set qualifier"
    } else {
        ""
    };
    let d = cx
        .finding(format!(
            "`{op}` compares {}, but `{}` is a {ty} key",
            family_name(family),
            c.key.node.text()
        ))
        .label(c.operator.span, format!("operator for {}", family_name(family)))
        .secondary(c.key.span, format!("{ty} key"))
        .note("IAM accepts the condition, but the request value never parses as the operator's type: positive operators never match and negated ones always do")
        .help(format!("use {}{qualifier}", suggested_operator(ty)));
    cx.report(d);
}
