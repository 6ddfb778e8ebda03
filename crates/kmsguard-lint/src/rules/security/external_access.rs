use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::probe::{
    Ask, CrossAccount, IamSide, Subject, USE_ACTIONS, distinct_named, principal_span, statement,
    statement_start, ticked,
};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Lists the principals of other accounts that can use the key, and how — decided by the
/// evaluator, with no condition on the admitting statement.
///
/// ## Why it matters
/// Sharing a key with another account is legitimate (kms.md §8.3, scenarios.md §5.1), but it is
/// access that a reviewer must see: whoever administers IAM in that account decides which of
/// its principals use the key (evaluation.md D9). Access Analyzer reports each such account as
/// external access (validation-checks.md VC-31). kmsguard reports it as information, naming the
/// account and the cryptographic actions, when the admitting statement has no condition
/// (`kms:ViaService`, `aws:PrincipalArn`, encryption context) narrowing it.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"PartnerViaS3","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}
/// ```
///
/// ## Known gaps
/// Principals admitted through `"*"` are reported by K201, management actions and unlimited
/// grants by K202.
pub(crate) ExternalAccess {
    code: "K209",
    name: "external-access",
    severity: Info,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for ExternalAccess {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        // An owner unknown until deploy makes no principal known to be external.
        let Some(owner) = crate::probe::known_owner_account(policy) else {
            return;
        };
        let external: Vec<_> = distinct_named(policy)
            .into_iter()
            .filter(|(p, _)| p.form.account().is_some_and(|a| a != owner))
            .collect();
        if external.is_empty() {
            return;
        }
        let probe = cx.key_probe(policy, IamSide::AllowAll, CrossAccount::Enforced);
        for (p, _) in external {
            let Some(who) = Subject::named(p) else {
                continue;
            };
            let account = p.form.account().unwrap_or_default();
            // Actions allowed by a statement without conditions.
            let mut actions = Vec::new();
            let mut at = None;
            for &action in USE_ACTIONS {
                let unconditioned = probe
                    .allowing(&who, action, Ask::Plain)
                    .into_iter()
                    .filter_map(|i| statement(policy, i))
                    .find(|st| st.node.conditions.is_empty());
                if let Some(st) = unconditioned {
                    actions.push(action);
                    at.get_or_insert(st);
                }
            }
            let Some(st) = at else { continue };
            let span = principal_span(&st.node, &who.text).unwrap_or(statement_start(st));
            let who_text = if who.text.ends_with(":root") || who.text == account {
                format!("account `{account}` (whichever of its principals its IAM policies allow)")
            } else {
                format!("`{}` of account `{account}`", who.text)
            };
            let d = cx
                .finding(format!("{who_text} can call {} on this key", ticked(&actions)))
                .label(span, format!("external account `{account}`"))
                .note("principals of another account use the key as that account's IAM policies allow; the key policy is the only control on this side")
                .help("if the access is intended, narrow it with a condition such as `kms:ViaService` or `aws:PrincipalArn`, or suppress this finding with a reason in kmsguard.toml");
            cx.report(d);
        }
    }
}
