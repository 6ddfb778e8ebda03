//! `AWS::IAM::Role`, `User`, `Group`, and the policies that attach to them by name
//! (`AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`).

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::{Span, Spanned};

use super::Cx;
use crate::cloudformation::template::Resource;
use crate::cloudformation::value::{Kind, Val};
use crate::model::{Doc, Identity, IdentityKind, ManagedPolicy};

/// `AWS::IAM::Role`, `AWS::IAM::User` or `AWS::IAM::Group`.
pub(super) fn identity(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let kind = match res.kind {
        "AWS::IAM::Role" => IdentityKind::Role,
        "AWS::IAM::User" => IdentityKind::User,
        _ => IdentityKind::Group,
    };
    let props = cx.props(res);
    let name = cx.r.physical_name(res);
    let arn = cx.r.resource_att(res, "Arn");
    let inline_policies = inline_policies(cx, res, &props);
    let attached_policies = cx.strings(res, &props, "ManagedPolicyArns");
    let boundary = cx.string(res, &props, "PermissionsBoundary");
    let groups = if kind == IdentityKind::User {
        cx.strings(res, &props, "Groups")
            .into_iter()
            .map(|g| g.node)
            .collect()
    } else {
        Vec::new()
    };
    let trust_policy = match (kind, props.get("AssumeRolePolicyDocument")) {
        (IdentityKind::Role, Some(doc)) => {
            let location = format!("Resources.{}.Properties.AssumeRolePolicyDocument", res.id);
            cx.doc(
                res,
                doc,
                PolicyKind::Trust,
                "AssumeRolePolicyDocument",
                location,
            )
        }
        _ => None,
    };
    let identity = Identity {
        kind,
        arn,
        name,
        account: cx.r.env.account.clone(),
        unique_id: None,
        inline_policies,
        attached_policies,
        groups,
        boundary,
        trust_policy,
        origin: cx.origin(res.span, format!("Resources.{}", res.id)),
    };
    cx.inv.identities.push(identity);
}

/// `Policies: [{PolicyName, PolicyDocument}]`.
fn inline_policies(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>, props: &Val) -> Vec<Doc> {
    let Some(list) = props.get("Policies") else {
        return Vec::new();
    };
    let Some(items) = list.as_array() else {
        if list.as_str().is_none() {
            cx.bad_property(res, "Policies", "a list of policies", list.span);
        }
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if !matches!(item.kind, Kind::Object(_)) {
            if item.as_str().is_none() {
                cx.bad_property(
                    res,
                    "Policies",
                    "a list of `PolicyName` and `PolicyDocument` mappings",
                    item.span,
                );
            }
            continue;
        }
        let name = cx
            .string(res, item, "PolicyName")
            .map_or_else(|| format!("#{i}"), |n| n.node);
        let Some(doc) = item.get("PolicyDocument") else {
            cx.bad_property(res, "PolicyDocument", "a policy document", item.span);
            continue;
        };
        let location = format!(
            "Resources.{}.Properties.Policies[{i}].PolicyDocument",
            res.id
        );
        out.extend(cx.doc(
            res,
            doc,
            PolicyKind::Identity,
            &format!("policy {name}"),
            location,
        ));
    }
    out
}

/// The roles, users and groups a policy resource names, with the span of each name.
fn targets(
    cx: &mut Cx<'_, '_, '_, '_>,
    res: &Resource<'_, '_>,
    props: &Val,
) -> Vec<(IdentityKind, Spanned<String>)> {
    let mut out = Vec::new();
    for (key, kind) in [
        ("Roles", IdentityKind::Role),
        ("Users", IdentityKind::User),
        ("Groups", IdentityKind::Group),
    ] {
        out.extend(cx.strings(res, props, key).into_iter().map(|n| (kind, n)));
    }
    out
}

/// The index in the inventory of the identity `name` of `kind` in the stack's account: one of
/// this template's first, then one read before; else a stub that stands for an identity
/// defined outside the template.
fn identity_index(
    cx: &mut Cx<'_, '_, '_, '_>,
    kind: IdentityKind,
    name: &str,
    span: Span,
    location: &str,
) -> usize {
    let account = cx.r.env.account.clone();
    let matches = |i: &Identity| i.kind == kind && i.name == name && i.account == account;
    let found = cx
        .inv
        .identities
        .iter()
        .position(|i| matches(i) && i.origin.file == cx.file)
        .or_else(|| cx.inv.identities.iter().position(matches));
    if let Some(i) = found {
        return i;
    }
    let ty = match kind {
        IdentityKind::Role => "role",
        IdentityKind::User => "user",
        IdentityKind::Group => "group",
    };
    let arn = format!("arn:{}:iam::{account}:{ty}/{name}", cx.r.env.partition);
    let origin = cx.origin(span, location.to_owned());
    cx.inv.identities.push(Identity {
        kind,
        arn,
        name: name.to_owned(),
        account,
        unique_id: None,
        inline_policies: Vec::new(),
        attached_policies: Vec::new(),
        groups: Vec::new(),
        boundary: None,
        trust_policy: None,
        origin,
    });
    cx.inv.identities.len().saturating_sub(1)
}

/// `AWS::IAM::Policy`: an inline policy of each role, user and group it names.
pub(super) fn policy(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let name = cx
        .string(res, &props, "PolicyName")
        .map_or_else(|| res.id.to_owned(), |n| n.node);
    let Some(value) = props.get("PolicyDocument") else {
        cx.bad_property(res, "PolicyDocument", "a policy document", res.id_span);
        return;
    };
    let location = format!("Resources.{}.Properties.PolicyDocument", res.id);
    let Some(doc) = cx.doc(
        res,
        value,
        PolicyKind::Identity,
        &format!("policy {name}"),
        location.clone(),
    ) else {
        return;
    };
    for (kind, target) in targets(cx, res, &props) {
        let i = identity_index(cx, kind, &target.node, target.span, &location);
        if let Some(identity) = cx.inv.identities.get_mut(i) {
            identity.inline_policies.push(doc.clone());
        }
    }
}

/// `AWS::IAM::ManagedPolicy`: a managed policy, attached to each role, user and group it names.
pub(super) fn managed_policy(cx: &mut Cx<'_, '_, '_, '_>, res: &Resource<'_, '_>) {
    let props = cx.props(res);
    let arn = cx.r.resource_att(res, "PolicyArn");
    let Some(value) = props.get("PolicyDocument") else {
        cx.bad_property(res, "PolicyDocument", "a policy document", res.id_span);
        return;
    };
    let location = format!("Resources.{}.Properties.PolicyDocument", res.id);
    let Some(doc) = cx.doc(
        res,
        value,
        PolicyKind::Identity,
        "PolicyDocument",
        location.clone(),
    ) else {
        return;
    };
    cx.inv.managed_policies.push(ManagedPolicy {
        arn: arn.clone(),
        doc,
    });
    for (kind, target) in targets(cx, res, &props) {
        let i = identity_index(cx, kind, &target.node, target.span, &location);
        if let Some(identity) = cx.inv.identities.get_mut(i) {
            identity
                .attached_policies
                .push(Spanned::new(arn.clone(), target.span));
        }
    }
}
