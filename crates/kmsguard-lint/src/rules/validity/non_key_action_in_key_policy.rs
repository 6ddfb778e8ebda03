use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::{ActionBlock, ActionPattern, Policy, PolicyKind};

use super::expand;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags actions in a key policy's `Action` that a key policy cannot control: actions of other
/// services, and the KMS actions that do not act on a key (`kms:CreateKey`, `kms:ListKeys`,
/// `kms:ListAliases`, `kms:GenerateRandom`, `kms:ListRetirableGrants`, the custom key store
/// actions). A wildcard is flagged only when everything it matches is such an action.
///
/// ## Why it matters
/// A key policy governs only its own key (kms.md §8.7 and §11; validation-checks.md §3.6,
/// VC-15). Actions with no key resource are authorized by IAM policies alone, and other
/// services' actions are never evaluated against a key policy, so these entries have no effect:
/// an `Allow` grants nothing and a `Deny` protects nothing.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":["kms:CreateKey","kms:DescribeKey","s3:GetObject"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":["kms:*","kms:List*","kms:DescribeKey"],"Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// `NotAction` is not checked (excluding an IAM-only action there is harmless). `kms:RetireGrant`,
/// which the grant decides, is not flagged.
pub(crate) NonKeyActionInKeyPolicy {
    code: "K004",
    name: "non-key-action-in-key-policy",
    severity: Warning,
    category: Validity,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

/// KMS actions with no key resource (kms.md §8.7), lower case.
const IAM_ONLY: &[&str] = &[
    "connectcustomkeystore",
    "createcustomkeystore",
    "createkey",
    "deletecustomkeystore",
    "describecustomkeystores",
    "disconnectcustomkeystore",
    "generaterandom",
    "listaliases",
    "listkeys",
    "listretirablegrants",
    "updatecustomkeystore",
];

fn iam_only(name: &str) -> bool {
    IAM_ONLY.iter().any(|n| n.eq_ignore_ascii_case(name))
}

impl Rule for NonKeyActionInKeyPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            let Some(ActionBlock::Action(list)) = &st.node.action else {
                continue;
            };
            // One finding per statement: the first such action, the others as secondary labels.
            let mut found = list
                .node
                .iter()
                .filter_map(|p| why(&p.node).map(|w| (p, w)));
            let Some((first, (label, note))) = found.next() else {
                continue;
            };
            let rest: Vec<&Spanned<ActionPattern>> = found.map(|(p, _)| p).collect();
            let text = first.node.text();
            let message = match rest.len() {
                0 => format!("`{text}` has no effect in a key policy"),
                n => format!("`{text}` and {n} more actions have no effect in a key policy"),
            };
            let mut d = cx
                .finding(message)
                .label(first.span, label)
                .note(note)
                .help(if rest.is_empty() {
                    format!("remove `{text}` from the key policy; allow it in an IAM policy if it is needed")
                } else {
                    "remove these actions from the key policy; allow them in an IAM policy if they are needed".to_owned()
                });
            for p in rest {
                d = d.secondary(p.span, "no effect here either");
            }
            cx.report(d);
        }
    }
}

/// Why `a` has no effect in a key policy (label, note), or `None`.
fn why(a: &ActionPattern) -> Option<(String, &'static str)> {
    // An action that holds a placeholder is unknown until deploy: not judged.
    if a.is_any() || crate::holds_placeholder(a.text()) {
        return None;
    }
    if !a.service().eq_ignore_ascii_case("kms") {
        // An unknown prefix is most likely a typo of `kms` (I001 reports it).
        kmsguard_catalog::catalog().service(a.service())?;
        return Some((
            format!("an action of `{}`", a.service()),
            "a key policy controls access to its KMS key only; other services' actions are never evaluated against it",
        ));
    }
    if !a.has_wildcard() {
        return iam_only(a.name()).then(|| {
            (
                "does not act on a key".to_owned(),
                "this KMS action has no key resource, so only IAM policies can allow or deny it",
            )
        });
    }
    let mut any = false;
    let all = expand(a).all(|x| {
        any = true;
        iam_only(x.name())
    });
    (any && all).then(|| {
        (
            "matches only actions that do not act on a key".to_owned(),
            "these KMS actions have no key resource, so only IAM policies can allow or deny them",
        )
    })
}
