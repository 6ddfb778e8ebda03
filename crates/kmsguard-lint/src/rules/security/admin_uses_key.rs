use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::probe::{
    Ask, CrossAccount, IamSide, USE_ACTIONS, action_span, local_subjects, principal_span,
    statement, statement_start, ticked,
};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a principal (other than the account itself) that the key policy alone lets both
/// administer the key (`kms:PutKeyPolicy` or `kms:ScheduleKeyDeletion`) and use it
/// (`Decrypt`, `Encrypt`, `GenerateDataKey`, `Sign` or `GenerateMac`).
///
/// ## Why it matters
/// Separating key administrators from key users is what the console's default policy is
/// built around (kms.md §8.5) and what audits look for (validation-checks.md VC-33,
/// scenarios.md GEN-16): one stolen credential should not be able both to read the data and to
/// rewrite who may read it, or destroy it. kmsguard asks the evaluator, for each user or role
/// of the key's account the policy names (and an unnamed member of the account when a wildcard
/// principal is pinned to it), with the key policy alone — so wildcards such as `kms:*` and
/// `kms:Put*`, `NotAction` and conditions count exactly as AWS applies them.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Ops"},"Action":"kms:*","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":["kms:Put*","kms:ScheduleKeyDeletion","kms:Describe*"],"Resource":"*"},
///  {"Sid":"Users","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// Use is probed as a direct call with no encryption context: an administrator whose use is
/// limited to `kms:ViaService` or an encryption context is not reported, although it can still
/// use the key through that service. An administrator can always grant itself use through
/// `PutKeyPolicy`; this rule reports only what the policy grants today. Access that IAM
/// policies add through the root delegation is not known to the linter.
pub(crate) AdminUsesKey {
    code: "K204",
    name: "admin-uses-key",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for AdminUsesKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let subjects = local_subjects(policy);
        if subjects.is_empty() {
            return;
        }
        let probe = cx.key_probe(policy, IamSide::None, CrossAccount::Enforced);
        for who in &subjects {
            let Some(admin) = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]
                .into_iter()
                .find(|a| probe.allowed(who, a, Ask::Plain))
            else {
                continue;
            };
            let uses: Vec<&str> = USE_ACTIONS
                .iter()
                .copied()
                .filter(|a| probe.allowed(who, a, Ask::Plain))
                .collect();
            let Some(first_use) = uses.first() else {
                continue;
            };
            let Some(admin_st) = probe
                .allowing(who, admin, Ask::Plain)
                .first()
                .and_then(|&i| statement(policy, i))
            else {
                continue;
            };
            let use_st = probe
                .allowing(who, first_use, Ask::Plain)
                .first()
                .and_then(|&i| statement(policy, i));
            let at = principal_span(&admin_st.node, &who.text).unwrap_or(statement_start(admin_st));
            let whom = if who.text == "*" {
                "every principal of the account".to_owned()
            } else {
                format!("`{}`", who.text)
            };
            let mut d = cx
                .finding(format!(
                    "{whom} can both administer the key (`{admin}`) and use it ({})",
                    ticked(&uses)
                ))
                .label(
                    at,
                    format!("allowed `{admin}` by statement `{}`", admin_st.node.label()),
                );
            if let Some(u) = use_st.filter(|u| u.node.index != admin_st.node.index) {
                let span = principal_span(&u.node, &who.text).unwrap_or(statement_start(u));
                d = d.secondary(span, format!("allowed `{first_use}` here"));
            } else if let Some(span) = action_span(&admin_st.node, &first_use.to_ascii_lowercase())
            {
                d = d.secondary(span, format!("also allows `{first_use}`"));
            }
            cx.report(
                d.note("a principal that can both change the key policy (or delete the key) and decrypt defeats the separation between key administrators and key users that AWS's default policy sets up (kms.md §8.5)")
                    .help("give administration and use to different principals: keep this principal in a key-administrator statement without cryptographic actions, and name the workloads in a separate key-user statement"),
            );
        }
    }
}
