use kmsguard_syntax::Span;
use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key-policy statement without `Action` or without `Resource`: KMS accepts it, but it
/// has no effect.
///
/// ## Why it matters
/// `CreateKey` and `PutKeyPolicy` accept a key-policy statement that lacks `Action`/`NotAction`
/// or `Resource`/`NotResource`, yet such a statement never applies (kms.md §8.1; evaluation.md
/// A9). A Deny written this way protects nothing; an Allow grants nothing.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"DenyOthers","Effect":"Deny","Principal":"*","Action":"kms:*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}
/// ```
pub(crate) InertStatement {
    code: "K003",
    name: "inert-key-policy-statement",
    severity: Error,
    category: Validity,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for InertStatement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            let missing = match (&st.node.action, &st.node.resource) {
                (None, None) => "`Action` and `Resource`",
                (None, Some(_)) => "`Action`",
                (Some(_), None) => "`Resource`",
                (Some(_), Some(_)) => continue,
            };
            let head = Span::new(st.span.start as usize, st.span.start as usize + 1);
            let label = st.node.sid.as_ref().map_or(head, |s| s.span);
            let d = cx
                .finding(format!("statement `{}` has no {missing}, so it has no effect", st.node.label()))
                .label(label, format!("{} statement without {missing}", st.node.effect.node))
                .note("KMS accepts key-policy statements without `Action` or `Resource`, but they never apply")
                .help("add `\"Resource\": \"*\"` (this key) and the actions the statement is meant to cover");
            cx.report(d);
        }
    }
}
