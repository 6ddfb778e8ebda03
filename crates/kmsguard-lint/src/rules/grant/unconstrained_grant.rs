use kmsguard_syntax::ast::{Grant, GrantOperation};

use super::{grant_label, is_service_linked_grant};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a grant for symmetric cryptographic operations (`Encrypt`, `Decrypt`, `ReEncrypt*`,
/// `GenerateDataKey*`) with no `Constraints`: the grantee may use the key on any data.
///
/// ## Why it matters
/// A grant lives until it is retired or revoked and works outside the key policy (grants.md
/// §1). An encryption-context constraint (`EncryptionContextSubset` or
/// `EncryptionContextEquals`) or a `SourceArn` constraint limits it to the data or resource it
/// was made for — the way AWS services make their grants (grants.md §5.1, §10). grants.md §12
/// rates an unconstrained grant for cryptographic operations on a symmetric key a warning.
/// Grants that AWS services create for
/// themselves, and grants to service-linked roles (whose operations AWS prescribes), are not reported.
///
/// ## Example
/// ```json,invalid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::111122223333:role/Batch","RetiringPrincipal":"arn:aws:iam::111122223333:role/Batch","Operations":["Decrypt"]}
/// ```
/// ```json,valid
/// {"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","GranteePrincipal":"arn:aws:iam::111122223333:role/Batch","RetiringPrincipal":"arn:aws:iam::111122223333:role/Batch","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"pipeline":"nightly"}}}
/// ```
///
/// ## Known gaps
/// The key type is not known from the grant alone; operations that exist only for asymmetric
/// or HMAC keys (`Sign`, `GenerateMac`, …), where encryption-context constraints are not
/// allowed, are not reported.
pub(crate) UnconstrainedGrant {
    code: "G001",
    name: "grant-without-constraints",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[]),
    since: "0.1.0",
}
}

/// Operations that take an encryption context (grants.md §5.1).
const CONTEXT_OPERATIONS: &[GrantOperation] = &[
    GrantOperation::Decrypt,
    GrantOperation::Encrypt,
    GrantOperation::GenerateDataKey,
    GrantOperation::GenerateDataKeyWithoutPlaintext,
    GrantOperation::GenerateDataKeyPair,
    GrantOperation::GenerateDataKeyPairWithoutPlaintext,
    GrantOperation::ReEncryptFrom,
    GrantOperation::ReEncryptTo,
];

impl Rule for UnconstrainedGrant {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_grant(&self, grant: &Grant, cx: &mut Context<'_>) {
        if is_service_linked_grant(grant) {
            return;
        }
        let constrained = grant.constraints.as_ref().is_some_and(|c| {
            c.node.equals.as_ref().is_some_and(|v| !v.is_empty())
                || c.node.subset.as_ref().is_some_and(|v| !v.is_empty())
                || c.node.source_arn.is_some()
        });
        if constrained {
            return;
        }
        let ops: Vec<_> = grant
            .operations
            .iter()
            .filter(|o| CONTEXT_OPERATIONS.contains(&o.node))
            .collect();
        let Some(first) = ops.first() else {
            return;
        };
        let names = ops
            .iter()
            .map(|o| format!("`{}`", o.node.name()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = cx
            .finding(format!(
                "{} allows {names} on any data: it has no encryption-context constraint",
                grant_label(grant)
            ))
            .label(first.span, "unconstrained cryptographic operation");
        if let Some(c) = &grant.constraints {
            d = d.secondary(c.span, "no constraint here");
        }
        cx.report(
            d.note("a grant works outside the key policy until it is retired or revoked; a constraint limits it to the data it was made for (grants.md §5.1, §12)")
                .help("recreate the grant with a constraint, for example `--constraints EncryptionContextSubset={Purpose=nightly-batch}` (`\"Constraints\": {\"EncryptionContextSubset\": {\"Purpose\": \"nightly-batch\"}}`), and revoke this one"),
        );
    }
}
