use kmsguard_syntax::ast::{Effect, Policy, PolicyKind, PrincipalBlock};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags an `Allow` statement with `NotPrincipal`.
///
/// ## Why it matters
/// AWS documents `NotPrincipal` only with `Deny` (evaluation.md A7.7; validation-checks.md §3.3
/// `ALLOW_WITH_NOT_PRINCIPAL`). Historically `Allow` + `NotPrincipal` granted the statement to
/// everyone except the listed principals, anonymous callers included: in a key policy that makes
/// the key public.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/Blocked"},"Action":"kms:Decrypt","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// Role trust policies and RCPs are left to P128, and kinds without principals to P110.
pub(crate) NotPrincipalWithAllow {
    code: "I009",
    name: "not-principal-with-allow",
    severity: Error,
    category: Validity,
    applies: Applies::Only(&[PolicyKind::Key, PolicyKind::Resource, PolicyKind::VpcEndpoint]),
    since: "0.1.0",
}
}

impl Rule for NotPrincipalWithAllow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            let Some(PrincipalBlock::NotPrincipal(p)) = &st.node.principal else {
                continue;
            };
            if st.node.effect.node != Effect::Allow {
                continue;
            }
            let d = cx
                .finding(format!("statement `{}` uses `NotPrincipal` with `Allow`", st.node.label()))
                .label(p.span, "`NotPrincipal` is supported only with `Deny`")
                .secondary(st.node.effect.span, "`Allow`")
                .note("`Allow` with `NotPrincipal` is not supported; where it is honoured it grants the statement to every principal not listed, anonymous callers included")
                .help("use `Principal` with the principals to allow, or a `Deny` with `NotPrincipal`");
            cx.report(d);
        }
    }
}
