use kmsguard_catalog::KeyType;
use kmsguard_syntax::ast::{
    ActionBlock, BaseOperator, Condition, Effect, Policy, PolicyKind, Qualifier, Statement,
};

use crate::facts::KnownKey;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags set qualifiers that do not fit the key: `ForAllValues:`/`ForAnyValue:` on a
/// single-valued key, a multivalued key (`ArrayOf...`) without a qualifier, and
/// `ForAllValues:` on a multivalued key in an `Allow` without a `Null` guard.
///
/// ## Why it matters
/// Set qualifiers compare request value sets (conditions.md §5; validation-checks.md §3.2
/// `MISSING_QUALIFIER`, §3.3 `FORALLVALUES_WITH_SINGLE_VALUED_KEY`, VC-10). On a single-valued
/// key `ForAllValues:` is true when the key is absent, so it admits callers without it. A
/// multivalued key without a qualifier does not match a request that carries a list
/// (conditions.md §5.4). `ForAllValues:` in an `Allow` is vacuously true for requests without
/// the key, unless a `"Null": {"<key>": "false"}` condition requires it (conditions.md §5.2).
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":["o-a1b2c3d4e5"]}}}]}
/// ```
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContextKeys":"Department"}}}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["Department","Project"]},"Null":{"kms:EncryptionContextKeys":"false"}}}]}
/// ```
///
/// ## Known gaps
/// Not reported: `ForAnyValue:` with a positive operator on a single-valued key (it means the
/// same as no qualifier); `ForAllValues:` on tag-key lists such as `aws:TagKeys` (the allow-list
/// idiom, where a request without tags is meant to pass); `ForAllValues:` on
/// `kms:GrantOperations` when the statement allows only `kms:CreateGrant` (the key is always
/// present). In key policies, `ForAllValues:` on `kms:EncryptionContext:*` and `aws:RequestTag/*` is left
/// to P126 (KMS rejects it). A `ForAnyValue:` condition on the same key also counts as a guard,
/// since it is false when the key is absent. Keys unknown to the catalog are not checked.
pub(crate) MisusedSetQualifier {
    code: "I007",
    name: "misused-set-qualifier",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for MisusedSetQualifier {
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
                let Some(KnownKey { def, .. }) = *known else {
                    continue;
                };
                if def.key_type == KeyType::Other {
                    continue;
                }
                let op = c.operator.node;
                match (op.qualifier, def.key_type.is_multivalued()) {
                    // `ForAnyValue:` with a positive operator on one value means the same as
                    // no qualifier; only the negated forms change the result.
                    (Some(q), false)
                        if !rejected_by_kms(policy.kind, q, c)
                            && (q == Qualifier::ForAllValues || op.base.is_negated()) =>
                    {
                        single_valued(c, q, cx);
                    }
                    (None, true) if op.base != BaseOperator::Null => unqualified(c, cx),
                    (Some(Qualifier::ForAllValues), true)
                        if st.node.effect.node == Effect::Allow
                            && !guarded(&st.node, c)
                            && !always_present(&st.node, c) =>
                    {
                        unguarded(c, cx);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The case P126 reports as an error in key policies.
fn rejected_by_kms(kind: PolicyKind, q: Qualifier, c: &Condition) -> bool {
    let lower = &c.key.node.lower();
    kind == PolicyKind::Key
        && q == Qualifier::ForAllValues
        && (lower.starts_with("kms:encryptioncontext:") || lower.starts_with("aws:requesttag/"))
}

fn qualifier_name(q: Qualifier) -> &'static str {
    match q {
        Qualifier::ForAllValues => "ForAllValues",
        Qualifier::ForAnyValue => "ForAnyValue",
    }
}

fn single_valued(c: &Condition, q: Qualifier, cx: &mut Context<'_>) {
    let name = qualifier_name(q);
    let note = match q {
        Qualifier::ForAllValues => {
            "a single value is compared as a one-element set, and `ForAllValues` is true when the key is absent, so the condition also admits requests without the key"
        }
        Qualifier::ForAnyValue => {
            "a single value is compared as a one-element set; with a negated operator `ForAnyValue` is false when the key is absent, unlike the unqualified operator"
        }
    };
    let d = cx
        .finding(format!(
            "`{name}:` on the single-valued key `{}`",
            c.key.node.text()
        ))
        .label(c.operator.span, "set qualifier on a single-valued key")
        .secondary(c.key.span, "single-valued key")
        .note(note)
        .help(format!(
            "drop the qualifier: write `{}`",
            c.operator
                .node
                .canonical_name()
                .trim_start_matches(name)
                .trim_start_matches(':')
        ));
    cx.report(d);
}

fn unqualified(c: &Condition, cx: &mut Context<'_>) {
    let op = c.operator.node.canonical_name();
    let d = cx
        .finding(format!("multivalued key `{}` without `ForAnyValue:` or `ForAllValues:`", c.key.node.text()))
        .label(c.operator.span, "no set qualifier")
        .secondary(c.key.span, "multivalued key")
        .note("AWS requires a set qualifier on multivalued keys; without one the condition does not match a request that carries a list of values")
        .help(format!(
            "write `ForAnyValue:{op}` (some value matches) or `ForAllValues:{op}` (every value matches)"
        ));
    cx.report(d);
}

/// Whether the missing-key case is not a trap: tag-key allow lists (`aws:TagKeys`,
/// `s3:RequestObjectTagKeys`, ...), where "no tags" is meant to pass, and
/// `kms:GrantOperations` in a statement that allows only `kms:CreateGrant`, whose `Operations`
/// parameter is required.
fn always_present(st: &Statement, c: &Condition) -> bool {
    let key = c.key.node.lower();
    if key.ends_with("tagkeys") {
        return true;
    }
    key == "kms:grantoperations"
        && matches!(&st.action, Some(ActionBlock::Action(list)) if list.node.iter().all(|p| {
            p.node.service().eq_ignore_ascii_case("kms") && p.node.name().eq_ignore_ascii_case("CreateGrant")
        }))
}

/// Whether another condition of the statement requires the key to be present.
fn guarded(st: &Statement, c: &Condition) -> bool {
    let key = c.key.node.lower();
    st.conditions.iter().any(|g| {
        g.key.node.lower() == key
            && match (g.operator.node.base, g.operator.node.qualifier) {
                // A placeholder may be `false` once deployed: not judged.
                (BaseOperator::Null, _) => g.values.node.iter().all(|v| {
                    let raw = &v.node.template.raw;
                    raw.eq_ignore_ascii_case("false") || crate::holds_placeholder(raw)
                }),
                (_, Some(Qualifier::ForAnyValue)) => true,
                _ => false,
            }
    })
}

fn unguarded(c: &Condition, cx: &mut Context<'_>) {
    let key = &c.key.node.text();
    let d = cx
        .finding(format!("`ForAllValues:` on `{key}` in an `Allow` also allows requests without `{key}`"))
        .label(c.operator.span, "true when the key is absent or empty")
        .secondary(c.key.span, "multivalued key")
        .note("`ForAllValues` is vacuously true when the request has no values for the key; AWS recommends a `Null` check")
        .help(format!("add `\"Null\": {{\"{key}\": \"false\"}}` to the statement's conditions"));
    cx.report(d);
}
