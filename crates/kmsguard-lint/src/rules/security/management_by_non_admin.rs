use crate::probe::KeyProbe;
use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::probe::{
    Ask, CrossAccount, IamSide, MANAGEMENT_ACTIONS, Subject, USE_ACTIONS, action_span,
    aws_principals, is_admin_statement, local_subjects, principal_span, statement, statement_start,
    ticked,
};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a principal of the key's account that the key policy lets manage the key (change its
/// policy, schedule its deletion, disable it, change rotation, description or tags) although
/// the policy does not designate it as a key administrator.
///
/// ## Why it matters
/// Management actions decide who can use the key and whether it keeps working: `PutKeyPolicy`
/// hands out any permission, `ScheduleKeyDeletion` destroys every ciphertext, `DisableKey`
/// stops every workload (kms.md §8.5, validation-checks.md VC-33). The console separates them
/// into an "Allow access for Key Administrators" statement with no cryptographic actions; this
/// rule treats the principals of such statements as the designated administrators and asks
/// the evaluator, for every other principal the policy names (and for an unnamed member of the
/// account when a wildcard principal is pinned to it), which management actions the key
/// policy alone allows. The root delegation statement is not a finding: it only lets IAM in
/// the account decide (kms.md §8.3).
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Encrypt","kms:DisableKey"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":["kms:Describe*","kms:Put*","kms:Disable*","kms:ScheduleKeyDeletion"],"Resource":"*"},
///  {"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// Unlimited `kms:CreateGrant` is reported by K206, and a principal that can both administer
/// and use the key by K204, not here. Principals of other accounts are K202's.
pub(crate) ManagementByNonAdmin {
    code: "K203",
    name: "management-by-non-admin",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for ManagementByNonAdmin {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let subjects = local_subjects(policy);
        if subjects.is_empty() {
            return;
        }
        let admins: Vec<&str> = aws_principals(policy)
            .filter(|(st, _)| is_admin_statement(&st.node))
            .map(|(_, p)| p.node.text.as_str())
            .collect();
        let probe = cx.key_probe(policy, IamSide::None, CrossAccount::Enforced);
        for who in subjects
            .iter()
            .filter(|w| !admins.contains(&w.text.as_str()))
        {
            let granted: Vec<&str> = MANAGEMENT_ACTIONS
                .iter()
                .copied()
                .filter(|a| probe.allowed(who, a, Ask::Plain))
                .collect();
            if granted.is_empty() || administers_and_uses(probe, who, &granted) {
                continue;
            }
            report(policy, probe, who, &granted, cx);
        }
    }
}

/// K204's finding: the principal can change the policy or delete the key, and use it.
fn administers_and_uses(probe: &KeyProbe, who: &Subject, granted: &[&str]) -> bool {
    granted
        .iter()
        .any(|a| matches!(*a, "kms:PutKeyPolicy" | "kms:ScheduleKeyDeletion"))
        && USE_ACTIONS
            .iter()
            .any(|a| probe.allowed(who, a, Ask::Plain))
}

fn report(
    policy: &Policy,
    probe: &KeyProbe,
    who: &Subject,
    granted: &[&str],
    cx: &mut Context<'_>,
) {
    let Some(first) = granted.first() else {
        return;
    };
    let Some(st) = probe
        .allowing(who, first, Ask::Plain)
        .first()
        .and_then(|&i| statement(policy, i))
    else {
        return;
    };
    let at = action_span(&st.node, &first.to_ascii_lowercase()).unwrap_or(statement_start(st));
    let whom = if who.text == "*" {
        "every principal of the account".to_owned()
    } else {
        format!("`{}`", who.text)
    };
    let mut d = cx
        .finding(format!(
            "statement `{}` lets {whom} call key-management actions {} but it is not a designated key administrator",
            st.node.label(),
            ticked(granted)
        ))
        .label(at, "management action");
    if let Some(ps) = principal_span(&st.node, &who.text) {
        d = d.secondary(ps, "not named in a key-administrator statement");
    }
    cx.report(
        d.note("management actions decide who can use the key and whether it keeps working; AWS's default policy gives them only to the account (root delegation) and to a separate key-administrator statement without cryptographic actions (kms.md §8.5)")
            .help(format!(
                "remove {} from this statement; if the principal is meant to administer the key, move them to a statement of their own with no cryptographic actions",
                ticked(granted)
            )),
    );
}
