//! S3 buckets and their separate configuration resources (provider 4.x and later), and the
//! inline blocks of `aws_s3_bucket` that older providers use.

use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::PolicyKind;

use super::Cx;
use super::cursor::{Cursor, Val};
use super::kms::ident;
use super::policy;
use crate::model::{Bucket, BucketEncryption, Replication, ReplicationRule};

/// `aws_s3_bucket`.
pub(super) fn bucket(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let name = ident(&c, "bucket");
    let mut bucket = Bucket {
        name: name.clone(),
        account: Some(cx.plan.account_of(res)),
        region: Some(cx.plan.region_of(res)),
        encryption: None,
        versioning_enabled: None,
        replication: None,
        policy: None,
        origin: cx.origin(c.resource_span(), c.address()),
    };
    // Inline blocks of provider 3.x; computed (and unknown) in later providers unless set.
    if let Some(rule) = c
        .get("server_side_encryption_configuration")
        .first()
        .and_then(|b| b.get("rule").first())
    {
        bucket.encryption = encryption_rule(&rule, "apply_server_side_encryption_by_default");
    }
    if let Some(v) = c.get("versioning").first() {
        bucket.versioning_enabled = v.get("enabled").bool().map(|b| b.node);
    }
    if let Some(r) = c.get("replication_configuration").first() {
        bucket.replication = Some(Replication {
            role: required(&r.get("role")),
            rules: r.get("rules").items().iter().map(legacy_rule).collect(),
            origin: cx.origin(r.span(), c.address()),
        });
    }
    let p = c.get("policy");
    if p.node().is_some() || p.configured() {
        let label = format!("bucket policy of {name} ({})", c.address());
        bucket.policy = policy::doc(cx, &p, PolicyKind::Resource, &label);
    }
    cx.inv.buckets.push(bucket);
}

/// The bucket of this file named by the `bucket` attribute of `c`; created when the plan
/// does not hold it.
fn bucket_mut<'i>(cx: &'i mut Cx<'_, '_>, c: &Cursor<'_, '_>) -> Option<&'i mut Bucket> {
    let reference = c.get("bucket").string()?;
    let name = reference
        .text
        .strip_prefix("arn:aws:s3:::")
        .unwrap_or(&reference.text)
        .to_owned();
    let file = cx.file;
    let found = cx
        .inv
        .buckets
        .iter()
        .position(|b| b.origin.file == file && b.name == name);
    let i = match found {
        Some(i) => i,
        None => {
            let res = c.res_index();
            cx.inv.buckets.push(Bucket {
                name,
                account: Some(cx.plan.account_of(res)),
                region: Some(cx.plan.region_of(res)),
                encryption: None,
                versioning_enabled: None,
                replication: None,
                policy: None,
                origin: cx.origin(reference.span, c.address()),
            });
            cx.inv.buckets.len().checked_sub(1)?
        }
    };
    cx.inv.buckets.get_mut(i)
}

/// `aws_s3_bucket_policy`.
pub(super) fn bucket_policy(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let name = c
        .get("bucket")
        .string()
        .map_or_else(String::new, |v| v.text);
    let label = format!("bucket policy of {name} ({})", c.address());
    let doc = policy::doc(cx, &c.get("policy"), PolicyKind::Resource, &label);
    if let Some(b) = bucket_mut(cx, &c) {
        b.policy = doc;
    }
}

/// `aws_s3_bucket_versioning`.
pub(super) fn versioning(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let status = c
        .get("versioning_configuration")
        .first()
        .and_then(|v| v.get("status").string())
        .filter(Val::is_known);
    if let Some(b) = bucket_mut(cx, &c) {
        b.versioning_enabled = status.map(|s| s.text == "Enabled");
    }
}

/// `aws_s3_bucket_server_side_encryption_configuration`.
pub(super) fn encryption(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let rules = c.get("rule").items();
    let enc = rules
        .iter()
        .find_map(|r| encryption_rule(r, "apply_server_side_encryption_by_default"));
    if let Some(b) = bucket_mut(cx, &c) {
        b.encryption = enc;
    }
}

fn encryption_rule(rule: &Cursor<'_, '_>, default_block: &str) -> Option<BucketEncryption> {
    let d = rule.get(default_block).first()?;
    Some(BucketEncryption {
        algorithm: d.get("sse_algorithm").string()?.spanned(),
        kms_key: d
            .get("kms_master_key_id")
            .string()
            .filter(|v| !v.text.is_empty())
            .map(Val::spanned),
        bucket_key_enabled: rule
            .get("bucket_key_enabled")
            .bool()
            .is_some_and(|b| b.node),
        blocked_encryption_types: rule
            .get("blocked_encryption_types")
            .strings()
            .into_iter()
            .filter(Val::is_known)
            .map(|v| v.text)
            .collect(),
    })
}

/// `aws_s3_bucket_replication_configuration`.
pub(super) fn replication(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let replication = Replication {
        role: required(&c.get("role")),
        rules: c.get("rule").items().iter().map(rule).collect(),
        origin: cx.origin(c.resource_span(), c.address()),
    };
    if let Some(b) = bucket_mut(cx, &c) {
        b.replication = Some(replication);
    }
}

/// A rule of `aws_s3_bucket_replication_configuration`.
fn rule(r: &Cursor<'_, '_>) -> ReplicationRule {
    let dest = r.get("destination").first();
    let sse = r
        .get("source_selection_criteria")
        .first()
        .and_then(|s| s.get("sse_kms_encrypted_objects").first())
        .and_then(|s| s.get("status").string())
        .filter(Val::is_known)
        .map(|s| Spanned::new(s.text == "Enabled", s.span));
    let account = dest
        .as_ref()
        .and_then(|d| d.get("account").string())
        .filter(|v| !v.text.is_empty())
        .map(|v| v.text);
    let replica = dest
        .as_ref()
        .and_then(|d| d.get("encryption_configuration").first())
        .and_then(|e| e.get("replica_kms_key_id").string())
        .filter(|v| !v.text.is_empty())
        .map(Val::spanned);
    rule_with(r, dest.as_ref(), sse, account, replica)
}

/// A `replication_configuration` rule of the older inline `aws_s3_bucket` block, whose
/// attribute names differ.
fn legacy_rule(r: &Cursor<'_, '_>) -> ReplicationRule {
    let dest = r.get("destination").first();
    let sse = r
        .get("source_selection_criteria")
        .first()
        .and_then(|s| s.get("sse_kms_encrypted_objects").first())
        .and_then(|s| s.get("enabled").bool());
    let dest_str = |attr: &str| {
        dest.as_ref()
            .and_then(|d| d.get(attr).string())
            .filter(|v| !v.text.is_empty())
    };
    let account = dest_str("account_id").map(|v| v.text);
    let replica = dest_str("replica_kms_key_id").map(Val::spanned);
    rule_with(r, dest.as_ref(), sse, account, replica)
}

/// The parts both rule schemas share: id, status and destination bucket.
fn rule_with(
    r: &Cursor<'_, '_>,
    dest: Option<&Cursor<'_, '_>>,
    sse_kms_encrypted_objects: Option<Spanned<bool>>,
    destination_account: Option<String>,
    replica_kms_key: Option<Spanned<String>>,
) -> ReplicationRule {
    ReplicationRule {
        id: r
            .get("id")
            .string()
            .filter(|v| v.is_known() && !v.text.is_empty())
            .map(|v| v.text),
        enabled: r
            .get("status")
            .string()
            .is_some_and(|s| s.text == "Enabled"),
        sse_kms_encrypted_objects,
        destination_bucket: dest.map_or_else(
            || r.get("destination").placeholder().spanned(),
            |d| bucket_arn(required(&d.get("bucket"))),
        ),
        destination_account,
        replica_kms_key,
        span: r.span(),
    }
}

/// A value the resource requires: the value, or a placeholder when the plan lacks it.
fn required(c: &Cursor<'_, '_>) -> Spanned<String> {
    c.string().unwrap_or_else(|| c.placeholder()).spanned()
}

/// A bucket ARN from a value that may be a bare name (`"arn:aws:s3:::${aws_s3_bucket.b.id}"`
/// resolves to the name).
fn bucket_arn(mut v: Spanned<String>) -> Spanned<String> {
    if !v.node.starts_with("arn:") && !kmsguard_syntax::unknown::contains(&v.node) {
        v.node = format!("arn:aws:s3:::{}", v.node);
    }
    v
}
