//! `aws_kms_key`, `aws_kms_external_key`, `aws_kms_replica_key`, `aws_kms_key_policy`,
//! `aws_kms_grant` and `aws_kms_alias`.

use std::borrow::Cow;

use kmsguard_syntax::Severity;
use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::json::{Member, Node, Value};

use super::Cx;
use super::cursor::{Cursor, Val};
use super::policy;
use crate::model::{Alias, Doc, GrantItem, Key, KeyManager};

/// `aws_kms_key` and `aws_kms_external_key`.
pub(super) fn key(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let external = cx
        .plan
        .res(res)
        .is_some_and(|r| r.kind == "aws_kms_external_key");
    let mut key = base_key(cx, &c);
    key.spec = known(&c, "key_spec")
        .or_else(|| known(&c, "customer_master_key_spec"))
        .or_else(|| external.then(|| "SYMMETRIC_DEFAULT".to_owned()));
    key.usage = known(&c, "key_usage").or_else(|| external.then(|| "ENCRYPT_DECRYPT".to_owned()));
    let store = known(&c, "custom_key_store_id");
    key.key_origin = Some(
        if external {
            "EXTERNAL"
        } else if known(&c, "xks_key_id").is_some() {
            "EXTERNAL_KEY_STORE"
        } else if store.is_some() {
            "AWS_CLOUDHSM"
        } else {
            "AWS_KMS"
        }
        .to_owned(),
    );
    key.custom_key_store = store;
    key.multi_region = c.get("multi_region").bool().map(|b| b.node);
    key.state = enabled_state(&c, if external { "enabled" } else { "is_enabled" });
    if external
        && c.get("key_material_base64").node().is_none()
        && !c.get("key_material_base64").is_unknown()
    {
        key.state = Some("PendingImport".to_owned());
    }
    if !external {
        key.rotation_enabled = c.get("enable_key_rotation").bool();
    }
    key.policy = key_policy_of(cx, &c, &key);
    cx.inv.keys.push(key);
}

/// `aws_kms_replica_key` and `aws_kms_replica_external_key`.
pub(super) fn replica_key(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let mut key = base_key(cx, &c);
    let primary = c.get("primary_key_arn").string().map(|v| v.text);
    // A replica has its primary's key spec, usage and origin; the provider reports them only
    // once the replica exists.
    if let Some(p) = primary.as_deref().and_then(|p| cx.inv.find_key(p)) {
        key.spec.clone_from(&p.spec);
        key.usage.clone_from(&p.usage);
        key.key_origin.clone_from(&p.key_origin);
    }
    key.spec = known(&c, "key_spec").or(key.spec);
    key.usage = known(&c, "key_usage").or(key.usage);
    // Rotation of a multi-Region key is set on the primary; the replica reports it.
    key.rotation_enabled = c.get("key_rotation_enabled").bool();
    key.multi_region = Some(true);
    key.primary_arn = primary;
    key.state = enabled_state(&c, "enabled");
    key.policy = key_policy_of(cx, &c, &key);
    cx.inv.keys.push(key);
}

fn base_key(cx: &Cx<'_, '_>, c: &Cursor<'_, '_>) -> Key {
    let res = c.res_index();
    Key {
        arn: ident(c, "arn"),
        id: ident(c, "key_id"),
        account: cx.plan.account_of(res),
        region: cx.plan.region_of(res),
        spec: None,
        usage: None,
        key_origin: None,
        manager: Some(KeyManager::Customer),
        state: None,
        multi_region: None,
        primary_arn: None,
        multi_region_set: Vec::new(),
        custom_key_store: None,
        rotation_enabled: None,
        rotation_origin: None,
        policy: None,
        grants: Vec::new(),
        origin: cx.origin(c.resource_span(), c.address()),
    }
}

/// The key's policy: its `policy`, or the default key policy when the configuration sets
/// none (KMS attaches it at creation).
fn key_policy_of(cx: &mut Cx<'_, '_>, c: &Cursor<'_, '_>, key: &Key) -> Option<Doc> {
    let p = c.get("policy");
    let label = format!("key policy of {}", c.address());
    let has_config = cx
        .plan
        .res(c.res_index())
        .is_some_and(|r| r.config.is_some());
    if p.node().is_none() && has_config && !p.configured() {
        let root = policy::default_key_policy(&key.account, p.span());
        return policy::lower(
            cx,
            &root,
            PolicyKind::Key,
            format!("default {label}"),
            c.address(),
        );
    }
    policy::doc(cx, &p, PolicyKind::Key, &label)
}

fn enabled_state(c: &Cursor<'_, '_>, attr: &str) -> Option<String> {
    c.get(attr)
        .bool()
        .map(|b| if b.node { "Enabled" } else { "Disabled" }.to_owned())
}

/// A known, non-empty string attribute.
pub(super) fn known(c: &Cursor<'_, '_>, attr: &str) -> Option<String> {
    c.get(attr)
        .string()
        .filter(|v| v.is_known() && !v.text.is_empty())
        .map(|v| v.text)
}

/// An identifying attribute: its value, or the stand-in (`string` gives the stand-in for an
/// unknown value; a trimmed plan may omit the attribute altogether).
pub(super) fn ident(c: &Cursor<'_, '_>, attr: &str) -> String {
    c.get(attr)
        .string()
        .map(|v| v.text)
        .or_else(|| super::symbolic::value(c.plan(), c.res_index(), attr, 0))
        .unwrap_or_else(|| c.get(attr).placeholder().text)
}

/// The key of this file with ARN or id `reference`, created from the reference when the plan
/// does not hold it (a key managed elsewhere).
fn key_mut<'i>(cx: &'i mut Cx<'_, '_>, reference: &Val, location: &str) -> Option<&'i mut Key> {
    let file = cx.file;
    let found =
        cx.inv.keys.iter().position(|k| {
            k.origin.file == file && (k.arn == reference.text || k.id == reference.text)
        });
    let i = match found {
        Some(i) => i,
        None => {
            let (arn, id, account, region) = match reference.text.strip_prefix("arn:") {
                Some(rest) => {
                    let parts: Vec<&str> = rest.split(':').collect();
                    let id = parts
                        .get(4)
                        .and_then(|r| r.strip_prefix("key/"))
                        .unwrap_or(rest);
                    (
                        reference.text.clone(),
                        id.to_owned(),
                        parts
                            .get(3)
                            .map_or_else(|| cx.plan.env.account.clone(), |s| (*s).to_owned()),
                        parts
                            .get(2)
                            .map_or_else(|| cx.plan.env.region.clone(), |s| (*s).to_owned()),
                    )
                }
                None => (
                    format!(
                        "arn:aws:kms:{}:{}:key/{}",
                        cx.plan.env.region, cx.plan.env.account, reference.text
                    ),
                    reference.text.clone(),
                    cx.plan.env.account.clone(),
                    cx.plan.env.region.clone(),
                ),
            };
            let origin = cx.origin(reference.span, location);
            cx.inv
                .keys
                .push(Key::unknown(arn, id, account, region, origin));
            cx.inv.keys.len().checked_sub(1)?
        }
    };
    cx.inv.keys.get_mut(i)
}

/// `aws_kms_key_policy`: replaces the key's policy.
pub(super) fn key_policy(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(key_id) = c.get("key_id").string() else {
        return;
    };
    let label = format!("key policy of {} ({})", key_id.text, c.address());
    let doc = policy::doc(cx, &c.get("policy"), PolicyKind::Key, &label);
    if let Some(key) = key_mut(cx, &key_id, c.address()) {
        key.policy = doc;
    }
}

/// `aws_kms_grant`: a grant on its key, lowered from a `CreateGrant`-shaped object built
/// from the resource's values (so grant findings point into the plan).
pub(super) fn grant(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(key_id) = c.get("key_id").string() else {
        return;
    };
    let mut members = vec![member("KeyId", string(key_id.clone()))];
    for (attr, field) in [
        ("grantee_principal", "GranteePrincipal"),
        ("retiring_principal", "RetiringPrincipal"),
        ("name", "Name"),
        ("grant_id", "GrantId"),
    ] {
        if let Some(v) = c.get(attr).string().filter(|v| !v.text.is_empty()) {
            if attr != "grant_id" || v.is_known() {
                members.push(member(field, string(v)));
            }
        }
    }
    let ops = c.get("operations");
    let op_nodes = ops.strings().into_iter().map(string).collect();
    members.push(member(
        "Operations",
        Node {
            value: Value::Array(op_nodes),
            span: ops.span(),
        },
    ));
    if let Some(cons) = c.get("constraints").first() {
        let mut cm = Vec::new();
        for (attr, field) in [
            ("encryption_context_equals", "EncryptionContextEquals"),
            ("encryption_context_subset", "EncryptionContextSubset"),
        ] {
            let map = cons.get(attr);
            if let Some(Node {
                value: Value::Object(pairs),
                span,
            }) = map.node()
            {
                let pairs = pairs
                    .iter()
                    .map(|m| Member {
                        key: Cow::Owned(m.key.to_string()),
                        key_span: m.key_span,
                        value: Node {
                            value: Value::String(Cow::Owned(
                                m.value.as_str().unwrap_or_default().to_owned(),
                            )),
                            span: m.value.span,
                        },
                    })
                    .collect();
                cm.push(member(
                    field,
                    Node {
                        value: Value::Object(pairs),
                        span: *span,
                    },
                ));
            }
        }
        if !cm.is_empty() {
            members.push(member(
                "Constraints",
                Node {
                    value: Value::Object(cm),
                    span: cons.span(),
                },
            ));
        }
    }
    let node = Node {
        value: Value::Object(members),
        span: c.resource_span(),
    };
    let mut diags = Vec::new();
    let lowered = kmsguard_syntax::lower::grant(&node, &mut diags);
    let errors = diags.iter().any(|d| d.severity == Severity::Error);
    for d in diags {
        cx.report(d);
    }
    let Some(grant) = lowered else { return };
    if errors && grant.operations.is_empty() {
        return;
    }
    let origin = cx.origin(c.resource_span(), c.address());
    if let Some(key) = key_mut(cx, &key_id, c.address()) {
        key.grants.push(GrantItem { grant, origin });
    }
}

/// `aws_kms_alias`.
pub(super) fn alias(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(name) = c.get("name").string() else {
        return;
    };
    let arn = c.get("arn").string().map(|v| v.text);
    let target = c.get("target_key_id").string().map(|v| v.text);
    let alias = Alias {
        name: name.text,
        arn,
        target_key: target,
        account: Some(cx.plan.account_of(res)),
        region: Some(cx.plan.region_of(res)),
        origin: cx.origin(c.resource_span(), c.address()),
    };
    cx.inv.aliases.push(alias);
}

fn string(v: Val) -> Node<'static> {
    Node {
        value: Value::String(Cow::Owned(v.text)),
        span: v.span,
    }
}

fn member(key: &'static str, value: Node<'static>) -> Member<'static> {
    Member {
        key: Cow::Borrowed(key),
        key_span: value.span,
        value,
    }
}
