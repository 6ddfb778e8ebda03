use kmsguard_syntax::ast::Grant;

use super::{grant_label, is_service_grant};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a grant whose grantee belongs to another account than the key (taken from the key ARN
/// in `KeyId`, else from `IssuingAccount`).
///
/// ## Why it matters
/// A grant to another account's principal gives access outside the key policy: the grantee
/// needs nothing in its own IAM to use it (grants.md §5 item 3, §11), and a linter or reviewer
/// that reads only the key policy misses it. Access Analyzer counts such grants as external
/// access; grants.md §12 rates them a security warning. Grants that AWS services create for
/// themselves are not reported.
///
/// ## Example
/// ```json,invalid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::444455556666:role/BatchReader","RetiringPrincipal":"arn:aws:iam::444455556666:role/BatchReader","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"pipeline":"nightly"}}}
/// ```
/// ```json,valid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::111122223333:role/BatchReader","RetiringPrincipal":"arn:aws:iam::111122223333:role/BatchReader","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"pipeline":"nightly"}}}
/// ```
///
/// ## Known gaps
/// With a bare key id in `KeyId` and no `IssuingAccount` the key's account is unknown and
/// nothing is reported. Whether the other account is a trusted one is not known to the linter.
pub(crate) CrossAccountGrant {
    code: "G004",
    name: "cross-account-grant",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[]),
    since: "0.1.0",
}
}

impl Rule for CrossAccountGrant {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_grant(&self, grant: &Grant, cx: &mut Context<'_>) {
        if is_service_grant(grant) {
            return;
        }
        let Some(grantee) = &grant.grantee else {
            return;
        };
        let Some(theirs) = grantee.node.form.account() else {
            return;
        };
        // A key ARN that holds a placeholder names an account unknown until deploy.
        if grant
            .key_id
            .as_ref()
            .is_some_and(|k| k.node.starts_with("arn:") && crate::holds_placeholder(&k.node))
        {
            return;
        }
        let key_account = grant
            .key_id
            .as_ref()
            .and_then(|k| k.node.strip_prefix("arn:"))
            .and_then(|r| r.split(':').nth(3))
            .filter(|a| !a.is_empty())
            .or_else(|| {
                grant
                    .issuing_account
                    .as_ref()
                    .and_then(|i| i.node.form.account())
            });
        let Some(ours) = key_account else {
            return;
        };
        if ours == theirs {
            return;
        }
        let mut d = cx
            .finding(format!(
                "{} gives `{}` of account `{theirs}` access to a key of account `{ours}`",
                grant_label(grant),
                grantee.node.text
            ))
            .label(grantee.span, format!("account `{theirs}`"));
        if let Some(k) = &grant.key_id {
            d = d.secondary(k.span, format!("key of account `{ours}`"));
        }
        cx.report(
            d.note("a grant to another account's principal works without the key policy and without IAM in that account; reviews of the key policy do not see it (grants.md §5, §11)")
                .help("if the access is intended, record it (suppress this finding for the grant); otherwise revoke it with `aws kms revoke-grant --key-id <key ARN> --grant-id <grant id>`"),
        );
    }
}
