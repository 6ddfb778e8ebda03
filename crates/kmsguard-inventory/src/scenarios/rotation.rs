//! Rotation by key type (kms.md §6.1) and keys in use that cannot work (kms.md §7).

use super::{Finding, codes, finding, span_in};
use crate::model::{Inventory, Key, KeyManager, Origin};

/// Whether automatic rotation applies to `key` (kms.md §6.1): customer managed,
/// `SYMMETRIC_DEFAULT`, `AWS_KMS` origin, not in a custom key store. Unknown facts count as
/// "cannot tell", and nothing is reported.
fn can_auto_rotate(key: &Key) -> bool {
    key.manager == Some(KeyManager::Customer)
        && key.spec.as_deref() == Some("SYMMETRIC_DEFAULT")
        && key.key_origin.as_deref() == Some("AWS_KMS")
        && key.custom_key_store.is_none()
}

pub(super) fn check(inv: &Inventory, out: &mut Vec<Finding>) {
    for key in &inv.keys {
        // A multi-Region replica follows its primary's setting.
        // A key pending deletion reports rotation as off whatever its setting (kms.md §6.2).
        if key.primary_arn.is_some()
            || matches!(
                key.state.as_deref(),
                Some("PendingDeletion" | "PendingReplicaDeletion")
            )
        {
            continue;
        }
        if let Some(r) = &key.rotation_enabled {
            if !r.node && can_auto_rotate(key) {
                let base = key.rotation_origin.as_ref().unwrap_or(&key.origin);
                let origin = if r.span.is_empty() {
                    base.clone()
                } else {
                    span_in(base, r.span)
                };
                out.push(Finding {
                    diagnostic: finding(
                        codes::S401,
                        &origin,
                        "rotation is off",
                        format!("automatic rotation is off for key `{}`", key.arn),
                    )
                    .diagnostic
                    .help(format!(
                        "enable it: `aws kms enable-key-rotation --key-id {}` (CloudFormation `EnableKeyRotation: true`, Terraform `enable_key_rotation = true`)",
                        key.arn
                    )),
                    file: origin.file,
                    fixes: Vec::new(),
                    scope: kmsguard_syntax::Span::default(),
                });
            }
        }
    }
    in_use(inv, out);
}

fn unusable(key: &Key) -> Option<&str> {
    key.state.as_deref().filter(|s| {
        matches!(
            *s,
            "Disabled"
                | "PendingDeletion"
                | "PendingImport"
                | "Unavailable"
                | "PendingReplicaDeletion"
        )
    })
}

fn in_use(inv: &Inventory, out: &mut Vec<Finding>) {
    let mut report = |reference: &str, origin: &Origin, by: String| {
        let Some(key) = inv.find_key(reference) else {
            return;
        };
        let Some(state) = unusable(key) else {
            return;
        };
        out.push(Finding {
            diagnostic: finding(
                codes::S402,
                origin,
                "this key cannot be used",
                format!("key `{}` is `{state}` but is {by}", key.arn),
            )
            .diagnostic
            .help(match state {
                "PendingDeletion" => "cancel the deletion (`aws kms cancel-key-deletion`, then `enable-key`), or point the configuration at another key",
                "PendingImport" => "import key material, or point the configuration at another key",
                _ => "enable the key (`aws kms enable-key`), or point the configuration at another key",
            }),
            file: origin.file,
            fixes: Vec::new(),
            scope: kmsguard_syntax::Span::default(),
        });
    };
    for b in &inv.buckets {
        if let Some(k) = b.encryption.as_ref().and_then(|e| e.kms_key.as_ref()) {
            let origin = span_in(&b.origin, k.span);
            let origin = if k.span.is_empty() {
                b.origin.clone()
            } else {
                origin
            };
            report(
                &k.node,
                &origin,
                format!("the default encryption key of bucket `{}`", b.name),
            );
        }
    }
    for s in &inv.snapshots {
        if let Some(k) = &s.kms_key {
            report(
                &k.node,
                &s.origin,
                format!("the key of snapshot `{}`", s.id),
            );
        }
    }
    for e in &inv.ebs_defaults {
        report(
            &e.kms_key.node,
            &e.origin,
            "the EBS default encryption key".to_owned(),
        );
    }
}
