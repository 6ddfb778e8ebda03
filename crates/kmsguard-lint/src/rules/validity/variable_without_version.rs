use kmsguard_syntax::Span;
use kmsguard_syntax::ast::Policy;

use super::span_in_string;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a policy variable (`${...}`) in a `Resource` or condition value of a policy whose
/// `Version` is absent or `2008-10-17`.
///
/// ## Why it matters
/// Policy variables are interpreted only under `"Version": "2012-10-17"`; otherwise `${...}` is
/// literal text (conditions.md §6; evaluation.md A2; validation-checks.md §3.2
/// `VARIABLE_UNSUPPORTED_IN_VERSION`, VC-03). `arn:aws:s3:::home/${aws:username}/*` then matches
/// only an object literally named `${aws:username}`, so the statement never applies as meant.
///
/// ## Example
/// ```json,invalid
/// {"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}
/// ```
///
/// ## Known gaps
/// When the JSON string holds escapes the label marks the whole value, not the `${`.
pub(crate) VariableWithoutVersion {
    code: "I011",
    name: "variable-without-version",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for VariableWithoutVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        if policy.variables_enabled() {
            return;
        }
        let version = policy.version.as_ref().map(|v| v.span);
        for st in &policy.statements {
            if let Some(block) = &st.node.resource {
                for p in &block.patterns().node {
                    check(cx, &p.node.template.raw, p.span, version);
                }
            }
            for c in &st.node.conditions {
                for v in &c.values.node {
                    check(cx, &v.node.template.raw, v.span, version);
                }
            }
        }
    }
}

fn check(cx: &mut Context<'_>, raw: &str, span: Span, version: Option<Span>) {
    // A placeholder describes where a value comes from (`Fn::Sub ${AWS::Region}`); it holds no
    // policy variable.
    if crate::holds_placeholder(raw) {
        return;
    }
    let Some(at) = raw.find("${") else { return };
    let rest = raw.get(at..).unwrap_or("");
    let var = rest
        .find('}')
        .map_or(rest, |end| rest.get(..=end).unwrap_or(rest));
    let mark = span_in_string(cx.source(), span, raw, at, 2);
    let mut d = cx
        .finding(format!("policy variable `{var}` is literal text without `\"Version\": \"2012-10-17\"`"))
        .label(mark, "read as the characters `${`, not a variable")
        .note("IAM interprets policy variables only in policies with `\"Version\": \"2012-10-17\"`; an absent `Version` means `2008-10-17`")
        .help("add \"Version\": \"2012-10-17\"");
    if let Some(v) = version {
        d = d
            .secondary(v, "this version has no policy variables")
            .help("set \"Version\": \"2012-10-17\"");
    }
    cx.report(d);
}
