use kmsguard_syntax::ast::{
    Policy, PolicyKind, PrincipalEntry, PrincipalForm, Principals, UniqueIdKind,
};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a principal written as an IAM unique id (`AIDA…` for a user, `AROA…` for a role): the
/// user or role it named has been deleted.
///
/// ## Why it matters
/// When a user or role named in a key policy is deleted, AWS replaces its ARN in the policy with
/// the principal's unique id (evaluation.md A7.5). The id matches no current principal: a new
/// role or user with the same name is a different principal and gets nothing from the
/// statement (or, for a `Deny`, escapes it). The statement is dead weight at best, and at worst
/// the only administrator or the only exception the policy had (validation-checks.md VC-12,
/// scenarios.md GEN-10).
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"App","Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEID1234567"},"Action":"kms:Decrypt","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"kms:Decrypt","Resource":"*"}]}
/// ```
pub(crate) OrphanedPrincipal {
    code: "K208",
    name: "orphaned-principal",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for OrphanedPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            let Some(block) = &st.node.principal else {
                continue;
            };
            let Principals::Map(entries) = &block.principals().node else {
                continue;
            };
            for e in entries {
                let PrincipalEntry::Aws(list) = e else {
                    continue;
                };
                for p in &list.node {
                    let PrincipalForm::UniqueId(kind) = p.node.form else {
                        continue;
                    };
                    let what = match kind {
                        UniqueIdKind::User => "user",
                        UniqueIdKind::Role => "role",
                    };
                    cx.report(
                        cx.finding(format!(
                            "principal `{}` in statement `{}` is the unique id of a deleted IAM {what}",
                            p.node.text,
                            st.node.label()
                        ))
                        .label(p.span, format!("deleted {what}"))
                        .note("AWS replaces the ARN of a deleted user or role with its unique id; a new principal with the same name does not match it (evaluation.md A7.5)")
                        .help(format!(
                            "replace it with the ARN of the current {what}, such as `arn:aws:iam::<account>:{what}/<name>`, or remove it"
                        )),
                    );
                }
            }
        }
    }
}
