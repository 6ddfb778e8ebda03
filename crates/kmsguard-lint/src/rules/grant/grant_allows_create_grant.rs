use kmsguard_syntax::ast::{Grant, GrantOperation};

use super::{grant_label, is_service_linked_grant};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a grant whose operations include `CreateGrant`: the grantee can pass its operations on
/// to other principals, in any account, with grants of its own.
///
/// ## Why it matters
/// A grantee holding `CreateGrant` through a grant may create child grants for any subset of
/// the grant's operations, to any grantee; the key policy's `kms:GrantOperations` or
/// `kms:GranteePrincipal` conditions do not apply to them (grants.md §6). That builds a
/// delegation chain nobody reviews, and the children survive the parent's retirement.
/// grants.md §12 rates it a warning. Grants that AWS services create for
/// themselves, and grants to service-linked roles (whose operations AWS prescribes), are not
/// reported.
///
/// ## Example
/// ```json,invalid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::111122223333:role/Batch","RetiringPrincipal":"arn:aws:iam::111122223333:role/Batch","Operations":["Decrypt","CreateGrant"],"Constraints":{"EncryptionContextEquals":{"pipeline":"nightly"}}}
/// ```
/// ```json,valid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::111122223333:role/Batch","RetiringPrincipal":"arn:aws:iam::111122223333:role/Batch","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"pipeline":"nightly"}}}
/// ```
pub(crate) GrantAllowsCreateGrant {
    code: "G002",
    name: "grant-allows-create-grant",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[]),
    since: "0.1.0",
}
}

impl Rule for GrantAllowsCreateGrant {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_grant(&self, grant: &Grant, cx: &mut Context<'_>) {
        if is_service_linked_grant(grant) {
            return;
        }
        let Some(op) = grant
            .operations
            .iter()
            .find(|o| o.node == GrantOperation::CreateGrant)
        else {
            return;
        };
        let grantee = grant.grantee.as_ref().map_or_else(
            || "the grantee".to_owned(),
            |p| format!("`{}`", p.node.text),
        );
        cx.report(
            cx.finding(format!(
                "{} lets {grantee} create further grants on the key",
                grant_label(grant)
            ))
            .label(op.span, "`CreateGrant` in a grant")
            .note("a grantee with `CreateGrant` can give the grant's operations to any principal in any account; key-policy limits on `kms:CreateGrant` do not apply to grants made this way (grants.md §6, §12)")
            .help("recreate the grant without `CreateGrant` in `Operations` and revoke this one; if the grantee must delegate, give it `kms:CreateGrant` in the key policy with `kms:GrantOperations` and `kms:GranteePrincipal` conditions"),
        );
    }
}
