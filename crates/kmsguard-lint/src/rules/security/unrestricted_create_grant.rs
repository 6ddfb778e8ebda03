use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::probe::{
    Ask, CrossAccount, IamSide, action_span, local_subjects, principal_span, statement,
    statement_start,
};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key-policy statement that lets a principal of the key's account call
/// `kms:CreateGrant` with nothing limiting the grant: no `kms:GrantIsForAWSResource`, no
/// `kms:GrantOperations` cap, no `kms:GranteePrincipal` or similar restriction.
///
/// ## Why it matters
/// `kms:CreateGrant` from a policy lets the caller create a grant for *any* grantable operation
/// and *any* grantee, in any account, without holding those operations itself; the grant then
/// works outside the key policy until someone revokes it (grants.md §1, §6). A key user with
/// plain `CreateGrant` can give itself, or anyone, `Decrypt`. AWS's console default allows it
/// only with `"Bool": {"kms:GrantIsForAWSResource": "true"}` (kms.md §8.5); Control Tower
/// CT.KMS.PR.3 requires that (validation-checks.md VC-35). kmsguard asks the evaluator whether
/// each named principal (and an unnamed member of the account, when a wildcard principal is
/// pinned to it) may call `CreateGrant` directly, for every grant operation, to a grantee in an
/// unrelated account. The root delegation statement is exempt (IAM decides), and so are
/// principals that may call `kms:PutKeyPolicy`, for whom a grant adds nothing.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Decrypt","kms:CreateGrant"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]}
/// ```
///
/// ## Known gaps
/// Principals of other accounts are reported by K202. A `kms:GranteePrincipal` pattern that
/// still admits many principals (`arn:aws:iam::111122223333:*`) counts as a limit.
pub(crate) UnrestrictedCreateGrant {
    code: "K206",
    name: "unrestricted-create-grant",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for UnrestrictedCreateGrant {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let subjects = local_subjects(policy);
        if subjects.is_empty() {
            return;
        }
        let probe = cx.key_probe(policy, IamSide::None, CrossAccount::Enforced);
        let mut reported: Vec<usize> = Vec::new();
        for who in &subjects {
            if probe.allowed(who, "kms:PutKeyPolicy", Ask::Plain) {
                continue;
            }
            for i in probe.allowing(who, "kms:CreateGrant", Ask::UnlimitedGrant) {
                if reported.contains(&i) {
                    continue;
                }
                let Some(st) = statement(policy, i) else {
                    continue;
                };
                reported.push(i);
                let at = action_span(&st.node, "kms:creategrant").unwrap_or(statement_start(st));
                let whom = if who.text == "*" {
                    "every principal of the account".to_owned()
                } else {
                    format!("`{}`", who.text)
                };
                let mut d = cx
                    .finding(format!(
                        "statement `{}` lets {whom} create grants for any operation and any grantee",
                        st.node.label()
                    ))
                    .label(at, "`kms:CreateGrant` with no limit");
                if let Some(ps) = principal_span(&st.node, &who.text) {
                    d = d.secondary(ps, "can grant itself or anyone `Decrypt`");
                }
                cx.report(
                    d.note("a principal allowed `kms:CreateGrant` by a policy can grant any grantable operation to any principal in any account, and the grant works outside the key policy until revoked (grants.md §6)")
                        .help("let only AWS services create grants for this principal: add `\"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}`; or cap what it may grant, for example `\"Condition\": {\"ForAllValues:StringEquals\": {\"kms:GrantOperations\": [\"Decrypt\", \"DescribeKey\"]}, \"StringEquals\": {\"kms:GranteePrincipal\": \"<grantee role ARN>\"}}`"),
                );
            }
        }
    }
}
