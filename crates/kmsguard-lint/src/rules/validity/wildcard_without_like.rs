use kmsguard_syntax::ast::{BaseOperator, Condition, ConditionOperator, Policy, TemplatePart};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags `*` or `?` in a value of `StringEquals`, `StringNotEquals` or their `IgnoreCase`
/// forms, which compare literally.
///
/// ## Why it matters
/// Only the `Like` operators treat `*` and `?` as wildcards (conditions.md §4.1 and §7;
/// validation-checks.md §3.4 `WILDCARD_WITHOUT_LIKE_OPERATOR`, VC-07). `"StringEquals":
/// {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::bucket/*"}` matches only the literal text
/// `arn:aws:s3:::bucket/*`, so the statement never applies (the S3 replication bug), and the
/// negated form always matches.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::bucket/*"}}}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::bucket/*"},"StringEquals":{"aws:PrincipalTag/x":"a${*}b"}}}]}
/// ```
///
/// ## Known gaps
/// `Arn*` operators are not checked (`ArnEquals` takes wildcards like `ArnLike`), nor are
/// wildcards in `Numeric*`, `Date*`, `Bool` or IP values. `${*}` and `${?}` are literal characters
/// and are not reported.
pub(crate) WildcardWithoutLike {
    code: "I008",
    name: "wildcard-without-like",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for WildcardWithoutLike {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            for c in &st.node.conditions {
                let Some(like) = like_form(c.operator.node.base) else {
                    continue;
                };
                check_values(c, like, cx);
            }
        }
    }
}

/// The `Like` operator to use instead of `base`, when `base` compares literally.
fn like_form(base: BaseOperator) -> Option<BaseOperator> {
    match base {
        BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase => {
            Some(BaseOperator::StringLike)
        }
        BaseOperator::StringNotEquals | BaseOperator::StringNotEqualsIgnoreCase => {
            Some(BaseOperator::StringNotLike)
        }
        _ => None,
    }
}

fn check_values(c: &Condition, like: BaseOperator, cx: &mut Context<'_>) {
    for v in &c.values.node {
        // Literal parts are the raw text, or come from `${*}` and `${?}`: a value with
        // neither byte has no wildcard (nearly every value; tested first).
        if !crate::has_wildcard(&v.node.template.raw) {
            continue;
        }
        // A value that holds a placeholder is unknown until deploy: not judged.
        if crate::holds_placeholder(&v.node.template.raw) {
            continue;
        }
        let wild = v.node.template.parts().any(|p| match p {
            TemplatePart::Literal(s) => s.bytes().any(|b| b == b'*' || b == b'?'),
            _ => false,
        });
        if !wild {
            continue;
        }
        let op = c.operator.node;
        let replacement = ConditionOperator { base: like, ..op }.canonical_name();
        let mut d = cx
            .finding(format!(
                "wildcard in `{}` is compared literally by `{}`",
                v.node.template.raw,
                op.canonical_name()
            ))
            .label(v.span, "`*` and `?` are plain characters here")
            .secondary(c.operator.span, "literal comparison")
            .note("only `StringLike` and `StringNotLike` treat `*` and `?` as wildcards; other string operators compare them as text")
            .help(format!("did you mean `{replacement}`?"));
        if matches!(
            op.base,
            BaseOperator::StringEqualsIgnoreCase | BaseOperator::StringNotEqualsIgnoreCase
        ) {
            d = d.help(format!(
                "did you mean `{replacement}`? (it is case-sensitive; list each spelling)"
            ));
        }
        cx.report(d);
    }
}
