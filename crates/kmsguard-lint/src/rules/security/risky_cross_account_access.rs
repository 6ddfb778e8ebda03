use crate::probe::KeyProbe;
use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::probe::{
    Ask, CrossAccount, IamSide, MANAGEMENT_ACTIONS, Subject, action_span, distinct_named,
    principal_span, statement, statement_start, ticked,
};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key policy that gives a principal of another account key-management actions, or
/// lets it create grants with no limit — decided by the evaluator for each external principal
/// the policy names.
///
/// ## Why it matters
/// Only cryptographic operations, grant operations, `DescribeKey` and a few read actions work
/// across accounts (kms.md §8.7). Management actions such as `kms:PutKeyPolicy` or
/// `kms:ScheduleKeyDeletion` granted to another account are ineffective today, but they show an
/// intent to hand control of the key to an outside party, and every reviewer and scanner will
/// read them as external administrators (scenarios.md §5.3 XACCT-05). `kms:CreateGrant` with
/// no condition is worse: the other account can give any grantable operation to any principal
/// in any account, and grants work without the key policy or IAM (grants.md §1, §6;
/// scenarios.md §5.3 XACCT-10; validation-checks.md VC-31).
///
/// Each principal of another account named in an `Allow` is asked about as a caller of that
/// account that holds every IAM permission there (its administrators decide its IAM side).
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"PartnerUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"},
///  {"Sid":"PartnerGrants","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]}
/// ```
///
/// ## Known gaps
/// Cryptographic use by another account is not flagged, even with no condition: naming the
/// account (or a role of it) with the use actions is the documented way to share a key
/// (kms.md §8.3, scenarios.md §2.2, §5.1). Principals admitted through `"*"` are K201's.
/// The key owner is taken from the root delegation statement; a policy without one is judged
/// against the account of its first named principal.
pub(crate) RiskyCrossAccountAccess {
    code: "K202",
    name: "risky-cross-account-access",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for RiskyCrossAccountAccess {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let external: Vec<_> = {
            // An owner unknown until deploy makes no principal known to be cross-account.
            let Some(owner) = crate::probe::known_owner_account(policy) else {
                return;
            };
            distinct_named(policy)
                .into_iter()
                .filter(|(p, _)| p.form.account().is_some_and(|a| a != owner))
                .collect()
        };
        if external.is_empty() {
            return;
        }
        // Admin actions are asked about as if KMS honoured them across accounts, to see what
        // the policy *grants*.
        let probe = cx.key_probe(policy, IamSide::AllowAll, CrossAccount::Ignored);
        for (p, _) in external {
            let Some(who) = Subject::named(p) else {
                continue;
            };
            let account = p.form.account().unwrap_or_default();
            admin_finding(policy, probe, &who, account, cx);
            grant_finding(policy, probe, &who, account, cx);
        }
    }
}

fn admin_finding(
    policy: &Policy,
    probe: &KeyProbe,
    who: &Subject,
    account: &str,
    cx: &mut Context<'_>,
) {
    let granted: Vec<&str> = MANAGEMENT_ACTIONS
        .iter()
        .copied()
        .filter(|a| probe.allowed(who, a, Ask::Plain))
        .collect();
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
    let mut d = cx
        .finding(format!(
            "statement `{}` gives `{}` of account `{account}` key-management actions {}",
            st.node.label(),
            who.text,
            ticked(&granted)
        ))
        .label(at, "management actions for another account");
    if let Some(ps) = principal_span(&st.node, &who.text) {
        d = d.secondary(ps, format!("account `{account}`"));
    }
    cx.report(
        d.note("KMS does not honour management actions for principals of another account (kms.md §8.7): they are ineffective today, but they read as handing control of the key to an outside party")
            .help("give the other account only the actions it uses, for example `\"Action\": [\"kms:Decrypt\", \"kms:DescribeKey\"]`, and keep management actions with principals of the key's own account"),
    );
}

fn grant_finding(
    policy: &Policy,
    probe: &KeyProbe,
    who: &Subject,
    account: &str,
    cx: &mut Context<'_>,
) {
    let Some(st) = probe
        .allowing(who, "kms:CreateGrant", Ask::UnlimitedGrant)
        .first()
        .and_then(|&i| statement(policy, i))
    else {
        return;
    };
    let at = action_span(&st.node, "kms:creategrant").unwrap_or(statement_start(st));
    let mut d = cx
        .finding(format!(
            "statement `{}` lets `{}` of account `{account}` create grants for any operation and any grantee",
            st.node.label(),
            who.text
        ))
        .label(at, "`kms:CreateGrant` with no limit");
    if let Some(ps) = principal_span(&st.node, &who.text) {
        d = d.secondary(ps, format!("account `{account}`"));
    }
    cx.report(
        d.note("a principal allowed `kms:CreateGrant` can give any grantable operation on the key to any principal in any account, and the grants work without the key policy (grants.md §6)")
            .help("limit grant creation to AWS services acting for that account: add `\"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}`"),
    );
}
