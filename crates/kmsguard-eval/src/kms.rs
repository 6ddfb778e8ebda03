//! KMS-specific facts the decision needs (kms.md §8.7, §11; grants.md §4). Owned by the
//! decision layer.

use kmsguard_syntax::ast::GrantOperation;

/// KMS actions that have no key resource and are decided by IAM alone (kms.md §8.7: "putting
/// them in a key policy has no effect").
const KEYLESS: &[&str] = &[
    "kms:createkey",
    "kms:listkeys",
    "kms:listaliases",
    "kms:generaterandom",
    "kms:listretirablegrants",
    "kms:createcustomkeystore",
    "kms:connectcustomkeystore",
    "kms:disconnectcustomkeystore",
    "kms:deletecustomkeystore",
    "kms:describecustomkeystores",
    "kms:updatecustomkeystore",
];

/// KMS actions that work across accounts (kms.md §8.7; AWS KMS guide "Allowing users in other
/// accounts to use a KMS key"): every other key action granted to an external principal is
/// ineffective.
const CROSS_ACCOUNT: &[&str] = &[
    "kms:decrypt",
    "kms:encrypt",
    "kms:generatedatakey",
    "kms:generatedatakeypair",
    "kms:generatedatakeypairwithoutplaintext",
    "kms:generatedatakeywithoutplaintext",
    "kms:generatemac",
    "kms:verifymac",
    "kms:reencryptfrom",
    "kms:reencryptto",
    "kms:sign",
    "kms:verify",
    "kms:derivesharedsecret",
    "kms:getpublickey",
    "kms:creategrant",
    "kms:describekey",
    "kms:getkeyrotationstatus",
    "kms:listgrants",
    "kms:retiregrant",
    "kms:revokegrant",
];

/// Whether `action_lower` (lower case) is a KMS action.
#[must_use]
pub fn is_kms_action(action_lower: &str) -> bool {
    action_lower.starts_with("kms:")
}

/// Whether a KMS action has no key resource (IAM-only, kms.md §8.7).
#[must_use]
pub fn is_keyless_action(action_lower: &str) -> bool {
    KEYLESS.contains(&action_lower)
}

/// Whether a KMS key action can be performed by a principal of another account (kms.md §8.7).
#[must_use]
pub fn works_cross_account(action_lower: &str) -> bool {
    CROSS_ACCOUNT.contains(&action_lower)
}

/// The grant operation an action corresponds to (grants.md §4), if grants can allow it.
#[must_use]
pub fn grant_operation(action: &str) -> Option<GrantOperation> {
    let (svc, name) = action.split_once(':')?;
    if !svc.eq_ignore_ascii_case("kms") {
        return None;
    }
    GrantOperation::ALL
        .iter()
        .copied()
        .find(|op| op.name().eq_ignore_ascii_case(name))
}

/// Whether grant encryption-context constraints apply to `op` (grants.md §5.1: ignored for
/// `DescribeKey` and `RetireGrant`).
#[must_use]
pub fn constraints_apply(op: GrantOperation) -> bool {
    !matches!(
        op,
        GrantOperation::DescribeKey | GrantOperation::RetireGrant
    )
}

/// The context-key prefix of encryption-context pairs, lower case (context keys are stored in
/// lower case).
pub const ENCRYPTION_CONTEXT_PREFIX: &str = "kms:encryptioncontext:";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn classifies_actions() {
        assert!(is_keyless_action("kms:createkey"));
        assert!(!is_keyless_action("kms:decrypt"));
        assert!(works_cross_account("kms:decrypt"));
        assert!(!works_cross_account("kms:schedulekeydeletion"));
        assert_eq!(
            grant_operation("kms:Decrypt"),
            Some(GrantOperation::Decrypt)
        );
        assert_eq!(grant_operation("kms:PutKeyPolicy"), None);
        assert!(!constraints_apply(GrantOperation::DescribeKey));
    }
}
