use kmsguard_syntax::Span;
use kmsguard_syntax::ast::{
    Policy, PolicyKind, PrincipalEntry, PrincipalForm, Principals, Statement,
};

use crate::probe::outsider_access;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key policy that lets principals of any account (or anonymous callers) use or manage
/// the key — decided by the evaluator, not by spotting `"*"`.
///
/// ## Why it matters
/// An `Allow` to `"*"` or `{"AWS": "*"}` grants the statement to every AWS principal; principals
/// in other accounts then need only their own IAM permission, which they control
/// (evaluation.md A7.6, D9). A wildcard principal pinned by a condition such as
/// `kms:CallerAccount`, `aws:PrincipalAccount`, `aws:PrincipalOrgID` or `aws:SourceArn` is not
/// public; text-matching scanners flag those anyway. kmsguard asks the evaluator whether a
/// principal of an unrelated account, holding every IAM permission in its own account, or an
/// anonymous caller, would be allowed each cryptographic and management action.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Everyone","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"OnlyOurAccount","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}]}
/// ```
///
/// ## Known gaps
/// The stranger calls directly, without `kms:ViaService`: a wildcard principal limited only by
/// `kms:ViaService` is treated as not public, although any account using that service in the
/// Region could use the key through it.
pub(crate) PublicKey {
    code: "K201",
    name: "public-key",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

/// The actions probed: cryptographic use, grants, and management.
const ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:Sign",
    "kms:GenerateMac",
    "kms:CreateGrant",
    "kms:DescribeKey",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
];

impl Rule for PublicKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let exposure = outsider_access(policy, ACTIONS);
        if exposure.actions.is_empty() {
            return;
        }
        let actions = exposure
            .actions
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        for s in &exposure.statements {
            let Some(st) = policy.statements.iter().find(|st| st.node.index == s.index) else {
                continue;
            };
            let at = wildcard_span(&st.node)
                .unwrap_or_else(|| Span::new(st.span.start as usize, st.span.start as usize + 1));
            let d = cx
                .finding(format!("statement `{}` lets principals of any account call {actions}", st.node.label()))
                .label(at, "open to every AWS account")
                .note("a wildcard principal in a key policy admits every AWS principal; callers in other accounts need only their own IAM permission")
                .help("name the principals, or restrict with a condition such as `\"StringEquals\": {\"kms:CallerAccount\": \"<your account>\"}` or `aws:PrincipalOrgID`");
            cx.report(d);
        }
    }
}

/// The wildcard in the statement's principal (`"*"` or the `"*"` of `{"AWS": "*"}`), else the
/// principal element (a `NotPrincipal`, or named principals opened up by conditions).
fn wildcard_span(st: &Statement) -> Option<Span> {
    let p = st.principal.as_ref()?.principals();
    let star = match &p.node {
        Principals::Any => Some(p.span),
        Principals::Map(entries) => entries.iter().find_map(|e| match e {
            PrincipalEntry::Aws(list) => list
                .node
                .iter()
                .find(|a| a.node.form == PrincipalForm::Any)
                .map(|a| a.span),
            _ => None,
        }),
    };
    Some(star.unwrap_or(p.span))
}
