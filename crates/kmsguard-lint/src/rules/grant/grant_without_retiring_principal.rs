use kmsguard_syntax::ast::{Grant, GrantOperation};

use super::{grant_head, grant_label, is_service_linked_grant};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Reports a grant that names no retiring principal and does not let its grantee retire it:
/// only a principal with `kms:RevokeGrant` on the key can remove it.
///
/// ## Why it matters
/// Grants never expire (grants.md §1). The workload that asked for a grant usually knows when
/// it is done and should be able to retire it; without a retiring principal (and without
/// `RetireGrant` in the operations, which lets the grantee retire it) cleaning up needs a key
/// administrator, so grants tend to pile up towards the 50,000-per-key quota (grants.md §8,
/// §11, §12: info). Grants that AWS services create for
/// themselves, and grants to service-linked roles (whose operations AWS prescribes), are not reported.
///
/// ## Example
/// ```json,invalid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::111122223333:role/Batch","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"pipeline":"nightly"}}}
/// ```
/// ```json,valid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::111122223333:role/Batch","RetiringPrincipal":"arn:aws:iam::111122223333:role/Batch","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"pipeline":"nightly"}}}
/// ```
pub(crate) GrantWithoutRetiringPrincipal {
    code: "G003",
    name: "grant-without-retiring-principal",
    severity: Info,
    category: Operational,
    applies: Applies::Only(&[]),
    since: "0.1.0",
}
}

impl Rule for GrantWithoutRetiringPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_grant(&self, grant: &Grant, cx: &mut Context<'_>) {
        if is_service_linked_grant(grant)
            || grant.retiring.is_some()
            || grant.retiring_service.is_some()
            || grant
                .operations
                .iter()
                .any(|o| o.node == GrantOperation::RetireGrant)
        {
            return;
        }
        cx.report(
            cx.finding(format!(
                "{} has no retiring principal and its grantee cannot retire it",
                grant_label(grant)
            ))
            .label(grant_head(grant, cx), "nobody but a key administrator can remove this grant")
            .note("grants never expire; without a retiring principal only a principal with `kms:RevokeGrant` on the key (or the issuing account) can remove it (grants.md §8, §12)")
            .help("when you next create it, pass `--retiring-principal` with the ARN of the role that finishes the work (usually the grantee)"),
        );
    }
}
