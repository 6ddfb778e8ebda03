//! S3 replication of SSE-KMS objects (scenarios.md §1).

use kmsguard_eval::context::ContextValue;

use super::{Finding, Need, ask_all, codes, finding, place, report_missing, span_in};
use crate::access::{Principal, World};
use crate::model::{Bucket, Inventory, Key, KeyManager, Replication, ReplicationRule};

/// A sample object key: S3 sends the object's ARN as encryption context.
const SAMPLE_OBJECT: &str = "kmsguard-sample/object";

pub(super) fn check(world: &mut World<'_>, out: &mut Vec<Finding>) {
    let inv = world.inventory();
    for bucket in &inv.buckets {
        let Some(rep) = &bucket.replication else {
            continue;
        };
        for rule in rep.rules.iter().filter(|r| r.enabled) {
            check_rule(world, inv, bucket, rep, rule, out);
        }
    }
}

fn uses_sse_kms(b: &Bucket) -> bool {
    b.encryption
        .as_ref()
        .is_some_and(|e| e.algorithm.node.starts_with("aws:kms"))
}

fn is_alias(reference: &str) -> bool {
    reference.starts_with("alias/") || reference.contains(":alias/")
}

/// The Region of a key ARN.
fn arn_region(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?
        .split(':')
        .nth(2)
        .filter(|r| !r.is_empty())
}

fn context(via_region: &str, ec: String) -> Vec<(String, ContextValue)> {
    vec![
        (
            "kms:ViaService".to_owned(),
            ContextValue::Single(format!("s3.{via_region}.amazonaws.com")),
        ),
        (
            "kms:EncryptionContext:aws:s3:arn".to_owned(),
            ContextValue::Single(ec),
        ),
        (
            "kms:EncryptionContextKeys".to_owned(),
            ContextValue::Multi(vec!["aws:s3:arn".to_owned()]),
        ),
    ]
}

/// The encryption context S3 sends for objects of `bucket`: the object ARN, or the bucket ARN
/// when S3 Bucket Keys are on (scenarios.md §1.1).
fn encryption_context(bucket_name: &str, bucket: Option<&Bucket>) -> String {
    let bucket_key = bucket
        .and_then(|b| b.encryption.as_ref())
        .is_some_and(|e| e.bucket_key_enabled);
    if bucket_key {
        format!("arn:aws:s3:::{bucket_name}")
    } else {
        format!("arn:aws:s3:::{bucket_name}/{SAMPLE_OBJECT}")
    }
}

#[allow(clippy::too_many_lines)]
fn check_rule(
    world: &mut World<'_>,
    inv: &Inventory,
    bucket: &Bucket,
    rep: &Replication,
    rule: &ReplicationRule,
    out: &mut Vec<Finding>,
) {
    let rule_origin = span_in(&rep.origin, rule.span);
    let rule_name = rule.id.as_deref().map_or_else(
        || "replication rule".to_owned(),
        |id| format!("replication rule `{id}`"),
    );
    let opted_in = rule
        .sse_kms_encrypted_objects
        .as_ref()
        .is_some_and(|s| s.node);
    if uses_sse_kms(bucket) && !opted_in {
        out.push(with_help(
            finding(
                codes::S101,
                &rule_origin,
                "SSE-KMS objects are not selected",
                format!(
                    "{rule_name} of bucket `{}` does not replicate SSE-KMS objects, but the bucket encrypts with SSE-KMS by default",
                    bucket.name
                ),
            ),
            "add `\"SourceSelectionCriteria\": {\"SseKmsEncryptedObjects\": {\"Status\": \"Enabled\"}}` to the rule, and a `ReplicaKmsKeyID` in `Destination.EncryptionConfiguration`",
        ));
        return;
    }
    if !opted_in {
        return;
    }
    let dest_name = rule
        .destination_bucket
        .node
        .strip_prefix("arn:aws:s3:::")
        .unwrap_or(&rule.destination_bucket.node)
        .to_owned();
    let dest = inv.find_bucket(&dest_name);
    let Some(replica_ref) = &rule.replica_kms_key else {
        out.push(with_help(
            finding(
                codes::S102,
                &rule_origin,
                "no `ReplicaKmsKeyID`",
                format!(
                    "{rule_name} of bucket `{}` replicates SSE-KMS objects but names no replica key",
                    bucket.name
                ),
            ),
            "add `\"EncryptionConfiguration\": {\"ReplicaKmsKeyID\": \"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\"}` to the rule's `Destination`, with the ARN of a symmetric key in the destination bucket's Region",
        ));
        return;
    };
    if kmsguard_syntax::unknown::contains(&replica_ref.node) {
        return;
    }
    let replica_origin = span_in(&rep.origin, replica_ref.span);
    if is_alias(&replica_ref.node) {
        out.push(with_help(
            finding(
                codes::S103,
                &replica_origin,
                "an alias, not a key ARN",
                format!(
                    "`ReplicaKmsKeyID` of {rule_name} is the alias `{}`: S3 resolves it in the source account, so replicas fail or use the wrong key",
                    replica_ref.node
                ),
            ),
            "use the full key ARN of the replica key (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`)",
        ));
        return;
    }
    let dest_region = dest.and_then(|d| d.region.as_deref());
    if let (Some(kr), Some(dr)) = (arn_region(&replica_ref.node), dest_region) {
        if kr != dr && !kmsguard_syntax::unknown::contains(kr) {
            out.push(with_help(
                finding(
                    codes::S103,
                    &replica_origin,
                    "a key in another Region",
                    format!(
                        "the replica key of {rule_name} is in `{kr}` but the destination bucket `{dest_name}` is in `{dr}`"
                    ),
                ),
                &format!("use a key in `{dr}` (a multi-Region replica of the source key works too, but S3 still re-encrypts with it)"),
            ));
            return;
        }
    }
    let replica = inv.find_key(&replica_ref.node);
    if let Some(k) = replica {
        if let Some(why) = unusable_replica(k, rule.destination_account.as_deref(), bucket) {
            out.push(with_help(
                finding(
                    codes::S103,
                    &replica_origin,
                    "this key cannot encrypt replicas",
                    format!("the replica key `{}` of {rule_name} {why}", k.arn),
                ),
                "point `ReplicaKmsKeyID` at an enabled customer managed symmetric encryption key in the destination Region",
            ));
            return;
        }
    }
    let Some(role) = Principal::from_arn(&rep.role.node) else {
        return;
    };
    let needed_by = format!("for {rule_name} ({})", place(inv, &rule_origin));
    // R1: Decrypt with the source key.
    if let Some(src_key) = bucket
        .encryption
        .as_ref()
        .filter(|_| uses_sse_kms(bucket))
        .and_then(|e| e.kms_key.as_ref())
        .and_then(|r| inv.find_key(&r.node))
    {
        let need = Need {
            principal: &role,
            key: src_key,
            actions: &["kms:Decrypt"],
            context: context(
                &src_key.region,
                encryption_context(&bucket.name, Some(bucket)),
            ),
            grant_context: false,
        };
        let missing = ask_all(world, &need);
        report_missing(
            world,
            &need,
            &missing,
            (codes::S104, codes::S104),
            &format!(
                "to read the objects of bucket `{}` {needed_by}",
                bucket.name
            ),
            "ReplicationDecryptSource",
            &rep.origin,
            out,
        );
    }
    // R2/R3: Encrypt with the replica key (and Decrypt when the destination uses Bucket Keys).
    if let Some(k) = replica {
        let bucket_key = dest
            .and_then(|d| d.encryption.as_ref())
            .is_some_and(|e| e.bucket_key_enabled);
        let actions: &[&str] = if bucket_key {
            &["kms:Encrypt", "kms:Decrypt"]
        } else {
            &["kms:Encrypt"]
        };
        let need = Need {
            principal: &role,
            key: k,
            actions,
            context: context(&k.region, encryption_context(&dest_name, dest)),
            grant_context: false,
        };
        let missing = ask_all(world, &need);
        report_missing(
            world,
            &need,
            &missing,
            (codes::S105, codes::S105),
            &format!("to write replicas into bucket `{dest_name}` {needed_by}"),
            "ReplicationEncryptReplica",
            &rep.origin,
            out,
        );
    }
    // S3REP-18: SSE-C objects into a bucket that blocks SSE-C.
    if let Some(d) = dest {
        let blocks = |b: &Bucket| {
            b.encryption
                .as_ref()
                .is_some_and(|e| e.blocked_encryption_types.iter().any(|t| t == "SSE-C"))
        };
        if blocks(d) && !blocks(bucket) {
            let origin = &d.origin;
            out.push(with_help(
                finding(
                    codes::S106,
                    origin,
                    "blocks SSE-C",
                    format!(
                        "destination bucket `{dest_name}` blocks SSE-C, but source bucket `{}` accepts SSE-C objects, which S3 replicates",
                        bucket.name
                    ),
                ),
                "block SSE-C on the source bucket too (`BlockedEncryptionTypes: [\"SSE-C\"]`), or allow it on the destination",
            ));
        }
    }
}

fn unusable_replica(k: &Key, dest_account: Option<&str>, source: &Bucket) -> Option<String> {
    if let Some(spec) = &k.spec {
        if spec != "SYMMETRIC_DEFAULT" {
            return Some(format!(
                "has key spec `{spec}`; S3 encrypts only with symmetric keys"
            ));
        }
    }
    if let Some(usage) = &k.usage {
        if usage != "ENCRYPT_DECRYPT" {
            return Some(format!("has key usage `{usage}`, not `ENCRYPT_DECRYPT`"));
        }
    }
    if let Some(state) = &k.state {
        if state != "Enabled" {
            return Some(format!("is `{state}`"));
        }
    }
    let other_account = dest_account
        .or(Some(k.account.as_str()))
        .zip(source.account.as_deref())
        .is_some_and(|(d, s)| d != s);
    if k.manager == Some(KeyManager::Aws) && other_account {
        return Some("is an AWS managed key, which cannot be used by another account".to_owned());
    }
    None
}

fn with_help(f: Finding, help: &str) -> Finding {
    Finding {
        diagnostic: f.diagnostic.help(help),
        ..f
    }
}
