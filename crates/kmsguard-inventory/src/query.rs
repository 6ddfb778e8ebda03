//! Queries over an inventory: who can call an action on a key, and what one principal can do
//! with every key.

use kmsguard_eval::Decision;
use kmsguard_eval::context::ContextValue;
use kmsguard_eval::decision::{Layer, Verdict};

use crate::access::{Ask, Principal, World};
use crate::model::{IdentityKind, Key};

/// How a principal gets access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Path {
    /// A key-policy statement names it (or `*`): the statements, as `label (Sid)`.
    KeyPolicy(Vec<String>),
    /// Both the key policy (naming the caller, or delegating to its account) and an IAM
    /// policy allow it: the IAM side counts (same-account delegation, or any cross-account
    /// access).
    Delegation {
        /// The key-policy statements that delegate.
        key_policy: Vec<String>,
        /// The IAM statements that allow.
        iam: Vec<String>,
    },
    /// A grant allows it.
    Grant(Vec<String>),
    /// The answer is Indeterminate: why.
    Unknown(String),
}

/// One principal's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The role or user ARN.
    pub principal: String,
    /// Allow or Indeterminate (denied principals are not listed).
    pub decision: Decision,
    /// How.
    pub path: Path,
}

fn statements(ex: &kmsguard_eval::Explanation, layer: Layer) -> Vec<String> {
    ex.layer(layer)
        .filter(|l| l.verdict == Verdict::Allow)
        .map(|l| {
            l.decisive
                .iter()
                .map(|s| match &s.sid {
                    Some(sid) => format!("{} ({sid})", s.policy),
                    None => format!("{} (statement #{})", s.policy, s.index),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every role and user of the inventory that can call `action` on `key` (Allow), or might
/// (Indeterminate), with the path that admits it, for a request with `context` (caller keys
/// are added per principal). Ordered by principal ARN.
#[must_use]
pub fn who_can(
    world: &World<'_>,
    action: &str,
    key: &Key,
    context: &[(String, ContextValue)],
) -> Vec<Access> {
    use rayon::prelude::*;
    let inv = world.inventory();
    let mut principals: Vec<Principal> = inv
        .identities
        .iter()
        .filter(|i| i.kind != IdentityKind::Group)
        .filter_map(|i| Principal::from_arn(&i.arn))
        .collect();
    principals.sort_by(|a, b| a.arn.cmp(&b.arn));
    let out: Vec<Access> = principals
        .par_iter()
        .filter_map(|p| {
            let ask = Ask {
                principal: p,
                action,
                key,
                context: context.to_vec(),
            };
            let wanted = |d| matches!(d, Decision::Allow | Decision::Indeterminate);
            let ex = world.explain_if(&ask, wanted)?;
            let decision = ex.decision;
            if !wanted(decision) {
                return None;
            }
            let path = if decision == Decision::Indeterminate {
                Path::Unknown(crate::access::unknown_reason(&ex))
            } else {
                let key_policy = statements(&ex, Layer::KeyPolicy);
                let iam = statements(&ex, Layer::Identity);
                let grants = statements(&ex, Layer::Grants);
                if !grants.is_empty() && key_policy.is_empty() {
                    Path::Grant(grants)
                } else if iam.is_empty() {
                    Path::KeyPolicy(key_policy)
                } else {
                    Path::Delegation { key_policy, iam }
                }
            };
            Some(Access {
                principal: p.arn.clone(),
                decision,
                path,
            })
        })
        .collect();
    out
}

/// The KMS actions `access` asks about: the key operations a principal uses and manages.
pub const KEY_ACTIONS: &[&str] = &[
    "kms:CancelKeyDeletion",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeriveSharedSecret",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:GetPublicKey",
    "kms:ListGrants",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:Sign",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
    "kms:Verify",
    "kms:VerifyMac",
];

/// What `principal` can do with one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAccess {
    /// The key ARN.
    pub key: String,
    /// Actions allowed.
    pub allowed: Vec<&'static str>,
    /// Actions that might be allowed (Indeterminate).
    pub maybe: Vec<&'static str>,
}

/// Every key of the inventory on which `principal` can call some action, with the actions.
#[must_use]
pub fn access(
    world: &World<'_>,
    principal: &Principal,
    context: &[(String, ContextValue)],
) -> Vec<KeyAccess> {
    let inv = world.inventory();
    let mut out = Vec::new();
    for key in &inv.keys {
        let mut allowed = Vec::new();
        let mut maybe = Vec::new();
        for &action in KEY_ACTIONS {
            let d = world.decide(&Ask {
                principal,
                action,
                key,
                context: context.to_vec(),
            });
            match d {
                Decision::Allow => allowed.push(action),
                Decision::Indeterminate => maybe.push(action),
                _ => {}
            }
        }
        if !allowed.is_empty() || !maybe.is_empty() {
            out.push(KeyAccess {
                key: key.arn.clone(),
                allowed,
                maybe,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}
