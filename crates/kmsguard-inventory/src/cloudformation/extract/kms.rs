//! `AWS::KMS::Key`, `AWS::KMS::ReplicaKey`, `AWS::KMS::Alias`.
//!
//! Defaults are CloudFormation's: `KeySpec` `SYMMETRIC_DEFAULT`, `KeyUsage` `ENCRYPT_DECRYPT`,
//! `Origin` `AWS_KMS`, `MultiRegion` false, `Enabled` true, `EnableKeyRotation` false, and a
//! key without `KeyPolicy` gets the default key policy (the account may use the key through
//! IAM). <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html>

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::{Span, Spanned};

use super::Cx;
use crate::cloudformation::template::Resource;
use crate::cloudformation::value::{Field, Kind, Val};
use crate::model::{Alias, Doc, Key, KeyManager};

/// `AWS::KMS::Key`.
pub(super) fn key(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let text = |cx: &mut Cx<'_, '_, '_, '_>, name: &str, default: &str| {
        cx.string(res, &props, name)
            .map_or_else(|| default.to_owned(), |s| s.node)
    };
    let spec = text(cx, "KeySpec", "SYMMETRIC_DEFAULT");
    let usage = text(cx, "KeyUsage", "ENCRYPT_DECRYPT");
    let key_origin = text(cx, "Origin", "AWS_KMS");
    let multi_region = cx
        .boolean(res, &props, "MultiRegion")
        .is_some_and(|b| b.node);
    let enabled = cx.boolean(res, &props, "Enabled").is_none_or(|b| b.node);
    // Rotation is off unless the template turns it on; an absent property is reported at the
    // resource's logical id.
    let rotation = match props.get("EnableKeyRotation") {
        Some(_) => cx.boolean(res, &props, "EnableKeyRotation"),
        None => Some(Spanned::new(false, res.id_span)),
    };
    let policy = key_policy(cx, res, &props);
    let arn = cx.r.resource_att(res, "Arn");
    let key = Key {
        arn,
        id: res.id.to_owned(),
        account: cx.r.env.account.clone(),
        region: cx.r.env.region.clone(),
        spec: Some(spec),
        usage: Some(usage),
        key_origin: Some(key_origin),
        manager: Some(KeyManager::Customer),
        state: Some(if enabled { "Enabled" } else { "Disabled" }.to_owned()),
        multi_region: Some(multi_region),
        primary_arn: None,
        multi_region_set: Vec::new(),
        custom_key_store: None,
        rotation_enabled: rotation,
        rotation_origin: None,
        policy,
        grants: Vec::new(),
        origin: cx.origin(res.span, format!("Resources.{}", res.id)),
    };
    cx.inv.keys.push(key);
}

/// `AWS::KMS::ReplicaKey`: a multi-Region replica with its own key policy. Its spec, usage
/// and rotation are the primary's, copied when the primary is in the inventory.
pub(super) fn replica_key(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let primary = cx.string(res, &props, "PrimaryKeyArn");
    if primary.is_none() && props.get("PrimaryKeyArn").is_none() {
        cx.bad_property(res, "PrimaryKeyArn", "the primary key's ARN", res.id_span);
    }
    let enabled = cx.boolean(res, &props, "Enabled").is_none_or(|b| b.node);
    let policy = key_policy(cx, res, &props);
    let arn = cx.r.resource_att(res, "Arn");
    cx.inv.keys.push(Key {
        arn,
        id: res.id.to_owned(),
        account: cx.r.env.account.clone(),
        region: cx.r.env.region.clone(),
        spec: None,
        usage: None,
        key_origin: None,
        manager: Some(KeyManager::Customer),
        state: Some(if enabled { "Enabled" } else { "Disabled" }.to_owned()),
        multi_region: Some(true),
        primary_arn: primary.map(|p| p.node),
        multi_region_set: Vec::new(),
        custom_key_store: None,
        rotation_enabled: None,
        rotation_origin: None,
        policy,
        grants: Vec::new(),
        origin: cx.origin(res.span, format!("Resources.{}", res.id)),
    });
}

/// The key policy of a key or replica key; the default key policy when none is written.
fn key_policy(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>, props: &Val) -> Option<Doc> {
    if let Some(value) = props.get("KeyPolicy") {
        let location = format!("Resources.{}.Properties.KeyPolicy", res.id);
        return cx.doc(res, value, PolicyKind::Key, "KeyPolicy", location);
    }
    let root = format!("arn:{}:iam::{}:root", cx.r.env.partition, cx.r.env.account);
    let value = default_key_policy(&root, res.id_span);
    let location = format!("Resources.{}", res.id);
    cx.doc(res, &value, PolicyKind::Key, "default key policy", location)
}

/// The policy KMS gives a key created without one: the account (through IAM) may do anything
/// with the key. <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>
fn default_key_policy(root: &str, span: Span) -> Val {
    let s = |v: &str| Val::string(v, span);
    let obj = |fields: Vec<(&str, Val)>| Val {
        kind: Kind::Object(
            fields
                .into_iter()
                .map(|(k, value)| Field {
                    key: k.to_owned(),
                    key_span: span,
                    value,
                })
                .collect(),
        ),
        span,
    };
    let statement = obj(vec![
        ("Sid", s("Enable IAM User Permissions")),
        ("Effect", s("Allow")),
        ("Principal", obj(vec![("AWS", s(root))])),
        ("Action", s("kms:*")),
        ("Resource", s("*")),
    ]);
    obj(vec![
        ("Version", s("2012-10-17")),
        ("Id", s("key-default-1")),
        (
            "Statement",
            Val {
                kind: Kind::Array(vec![statement]),
                span,
            },
        ),
    ])
}

/// `AWS::KMS::Alias`.
pub(super) fn alias(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let Some(name) = cx.string(res, &props, "AliasName") else {
        if props.get("AliasName").is_none() {
            cx.bad_property(res, "AliasName", "`alias/` and a name", res.id_span);
        }
        return;
    };
    let target = cx.string(res, &props, "TargetKeyId").map(|t| t.node);
    let arn = format!(
        "arn:{}:kms:{}:{}:{}",
        cx.r.env.partition, cx.r.env.region, cx.r.env.account, name.node
    );
    cx.inv.aliases.push(Alias {
        name: name.node,
        arn: Some(arn),
        target_key: target,
        account: Some(cx.r.env.account.clone()),
        region: Some(cx.r.env.region.clone()),
        origin: cx.origin(res.span, format!("Resources.{}", res.id)),
    });
}

/// Copies a primary key's spec, usage, origin and rotation to the replicas of this file whose
/// primary is in the inventory.
pub(super) fn inherit_from_primaries(cx: &mut Cx<'_, '_, '_, '_>) {
    let file = cx.file;
    let keys = &mut cx.inv.keys;
    for i in 0..keys.len() {
        let Some(replica) = keys.get(i) else {
            continue;
        };
        if replica.origin.file != file || replica.spec.is_some() {
            continue;
        }
        let Some(primary_arn) = replica.primary_arn.clone() else {
            continue;
        };
        let Some(primary) = keys.iter().find(|k| k.arn == primary_arn) else {
            continue;
        };
        let (spec, usage, origin, rotation) = (
            primary.spec.clone(),
            primary.usage.clone(),
            primary.key_origin.clone(),
            primary.rotation_enabled,
        );
        if let Some(replica) = keys.get_mut(i) {
            replica.spec = spec;
            replica.usage = usage;
            replica.key_origin = origin;
            replica.rotation_enabled = rotation;
        }
    }
}
