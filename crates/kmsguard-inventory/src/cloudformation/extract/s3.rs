//! `AWS::S3::Bucket` (default encryption, versioning, replication) and
//! `AWS::S3::BucketPolicy`.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html>

use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::PolicyKind;

use super::Cx;
use crate::cloudformation::template::Resource;
use crate::cloudformation::value::Val;
use crate::model::{Bucket, BucketEncryption, Replication, ReplicationRule};

/// `AWS::S3::Bucket`.
pub(super) fn bucket(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let name = cx.r.physical_name(res);
    let encryption = encryption(cx, res, &props);
    // A new bucket is unversioned unless the template enables versioning.
    let versioning_enabled = Some(
        props
            .get("VersioningConfiguration")
            .and_then(|v| v.get("Status"))
            .and_then(Val::as_str)
            == Some("Enabled"),
    );
    let replication = replication(cx, res, &props);
    cx.inv.buckets.push(Bucket {
        name,
        account: Some(cx.r.env.account.clone()),
        region: Some(cx.r.env.region.clone()),
        encryption,
        versioning_enabled,
        replication,
        policy: None,
        origin: cx.origin(res.span, format!("Resources.{}", res.id)),
    });
}

/// `BucketEncryption.ServerSideEncryptionConfiguration[0]`.
fn encryption(
    cx: &mut Cx<'_, '_, '_, '_>,
    res: &Resource<'_, '_>,
    props: &Val,
) -> Option<BucketEncryption> {
    let rule = props
        .get("BucketEncryption")?
        .get("ServerSideEncryptionConfiguration")?
        .as_array()?
        .first()?;
    let default = rule.get("ServerSideEncryptionByDefault")?;
    let algorithm = cx.string(res, default, "SSEAlgorithm")?;
    let kms_key = cx.string(res, default, "KMSMasterKeyID");
    let bucket_key_enabled = cx
        .boolean(res, rule, "BucketKeyEnabled")
        .is_some_and(|b| b.node);
    let blocked_encryption_types = rule
        .get("BlockedEncryptionTypes")
        .map(|b| cx.strings(res, b, "EncryptionType"))
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.node)
        .collect();
    Some(BucketEncryption {
        algorithm,
        kms_key,
        bucket_key_enabled,
        blocked_encryption_types,
    })
}

/// `ReplicationConfiguration`.
fn replication(
    cx: &mut Cx<'_, '_, '_, '_>,
    res: &Resource<'_, '_>,
    props: &Val,
) -> Option<Replication> {
    let config = props.get("ReplicationConfiguration")?;
    let Some(role) = cx.string(res, config, "Role") else {
        cx.bad_property(
            res,
            "ReplicationConfiguration.Role",
            "the replication role's ARN",
            config.span,
        );
        return None;
    };
    let mut rules = Vec::new();
    for rule in config.get("Rules").and_then(Val::as_array).unwrap_or(&[]) {
        let Some(destination) = rule.get("Destination") else {
            cx.bad_property(res, "Destination", "a replication destination", rule.span);
            continue;
        };
        let Some(destination_bucket) = cx.string(res, destination, "Bucket") else {
            cx.bad_property(
                res,
                "Destination.Bucket",
                "the destination bucket's ARN",
                destination.span,
            );
            continue;
        };
        let sse_kms_encrypted_objects = rule
            .get("SourceSelectionCriteria")
            .and_then(|c| c.get("SseKmsEncryptedObjects"))
            .and_then(|c| c.get("Status"))
            .and_then(|s| s.as_str().map(|t| Spanned::new(t == "Enabled", s.span)));
        let replica_kms_key = destination
            .get("EncryptionConfiguration")
            .and_then(|e| cx.string(res, e, "ReplicaKmsKeyID"));
        rules.push(ReplicationRule {
            id: cx.string(res, rule, "Id").map(|s| s.node),
            enabled: rule.get("Status").and_then(Val::as_str) == Some("Enabled"),
            sse_kms_encrypted_objects,
            destination_bucket,
            destination_account: cx.string(res, destination, "Account").map(|s| s.node),
            replica_kms_key,
            span: rule.span,
        });
    }
    let location = format!("Resources.{}.Properties.ReplicationConfiguration", res.id);
    Some(Replication {
        role,
        rules,
        origin: cx.origin(config.span, location),
    })
}

/// `AWS::S3::BucketPolicy`: the policy of the bucket it names (a stub bucket when the bucket
/// is not in the inventory).
pub(super) fn bucket_policy(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let Some(bucket) = cx.string(res, &props, "Bucket") else {
        cx.bad_property(res, "Bucket", "the bucket's name", res.id_span);
        return;
    };
    let Some(value) = props.get("PolicyDocument") else {
        cx.bad_property(res, "PolicyDocument", "a policy document", res.id_span);
        return;
    };
    let location = format!("Resources.{}.Properties.PolicyDocument", res.id);
    let Some(doc) = cx.doc(res, value, PolicyKind::Resource, "PolicyDocument", location) else {
        return;
    };
    let name = bucket
        .node
        .strip_prefix("arn:aws:s3:::")
        .unwrap_or(&bucket.node)
        .to_owned();
    let file = cx.file;
    let found = cx
        .inv
        .buckets
        .iter()
        .position(|b| b.name == name && b.origin.file == file)
        .or_else(|| cx.inv.buckets.iter().position(|b| b.name == name));
    match found.and_then(|i| cx.inv.buckets.get_mut(i)) {
        Some(b) => b.policy = Some(doc),
        None => {
            let origin = cx.origin(res.span, format!("Resources.{}", res.id));
            cx.inv.buckets.push(Bucket {
                name,
                account: Some(cx.r.env.account.clone()),
                region: Some(cx.r.env.region.clone()),
                encryption: None,
                versioning_enabled: None,
                replication: None,
                policy: Some(doc),
                origin,
            });
        }
    }
}
