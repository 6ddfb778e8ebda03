//! IAM roles, users, groups, managed policies, inline policies and attachments.

use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::PolicyKind;

use super::Cx;
use super::cursor::{Cursor, Val};
use super::kms::{ident, known};
use super::policy;
use super::symbolic::iam_arn;
use crate::model::{Identity, IdentityKind, ManagedPolicy};

fn kind_of(resource_type: &str) -> IdentityKind {
    if resource_type.contains("_user") {
        IdentityKind::User
    } else if resource_type.contains("_group") {
        IdentityKind::Group
    } else {
        IdentityKind::Role
    }
}

fn noun(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Role => "role",
        IdentityKind::User => "user",
        IdentityKind::Group => "group",
    }
}

/// `aws_iam_role`, `aws_iam_user`, `aws_iam_group`.
pub(super) fn identity(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(r) = cx.plan.res(res) else { return };
    let kind = kind_of(&r.kind);
    let name = ident(&c, "name");
    let mut identity = Identity {
        kind,
        arn: ident(&c, "arn"),
        name: name.clone(),
        account: cx.plan.account_of(res),
        unique_id: known(&c, "unique_id"),
        inline_policies: Vec::new(),
        attached_policies: Vec::new(),
        groups: Vec::new(),
        boundary: c
            .get("permissions_boundary")
            .string()
            .filter(|v| !v.text.is_empty())
            .map(Val::spanned),
        trust_policy: None,
        origin: cx.origin(c.resource_span(), c.address()),
    };
    let who = format!("{}/{name}", noun(kind));
    if kind == IdentityKind::Role {
        let label = format!("trust policy of {who} ({})", c.address());
        identity.trust_policy =
            policy::doc(cx, &c.get("assume_role_policy"), PolicyKind::Trust, &label);
        // Provider 5.x: `inline_policy` blocks and `managed_policy_arns` are computed; an
        // unconfigured unknown value says nothing.
        let inline = c.get("inline_policy");
        if inline.is_unknown() && inline.configured() {
            let label = format!("the inline policies of {who} ({})", c.address());
            policy::unknown_until_apply(cx, &inline, &label);
        }
        for block in inline.items() {
            let policy_name = block
                .get("name")
                .string()
                .map_or_else(String::new, |v| v.text);
            let label = format!("{who} inline policy {policy_name} ({})", c.address());
            identity.inline_policies.extend(policy::doc(
                cx,
                &block.get("policy"),
                PolicyKind::Identity,
                &label,
            ));
        }
        let arns = c.get("managed_policy_arns");
        if !arns.is_unknown() || arns.configured() {
            identity
                .attached_policies
                .extend(arns.strings().into_iter().map(Val::spanned));
        }
    }
    cx.inv.identities.push(identity);
}

/// `aws_iam_policy`.
pub(super) fn managed_policy(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let arn = ident(&c, "arn");
    let name = ident(&c, "name");
    let label = format!("managed policy {name} ({})", c.address());
    if let Some(doc) = policy::doc(cx, &c.get("policy"), PolicyKind::Identity, &label) {
        cx.inv.managed_policies.push(ManagedPolicy { arn, doc });
    }
}

/// The identity of this file of `kind` named (or with ARN) `reference`; created when the
/// plan does not hold it.
fn identity_mut<'i>(
    cx: &'i mut Cx<'_, '_>,
    kind: IdentityKind,
    reference: &Val,
    location: &str,
) -> Option<&'i mut Identity> {
    let file = cx.file;
    let name = reference
        .text
        .rsplit_once('/')
        .filter(|_| reference.text.starts_with("arn:"))
        .map_or(reference.text.as_str(), |(_, n)| n)
        .to_owned();
    let found = cx.inv.identities.iter().position(|i| {
        i.origin.file == file && i.kind == kind && (i.name == name || i.arn == reference.text)
    });
    let i = match found {
        Some(i) => i,
        None => {
            let arn = if reference.text.starts_with("arn:") {
                reference.text.clone()
            } else {
                iam_arn(&cx.plan.env.account, noun(kind), None, &name)
            };
            let origin = cx.origin(reference.span, location);
            cx.inv.identities.push(Identity {
                kind,
                arn,
                name,
                account: cx.plan.env.account.clone(),
                unique_id: None,
                inline_policies: Vec::new(),
                attached_policies: Vec::new(),
                groups: Vec::new(),
                boundary: None,
                trust_policy: None,
                origin,
            });
            cx.inv.identities.len().checked_sub(1)?
        }
    };
    cx.inv.identities.get_mut(i)
}

fn owner_attr(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Role => "role",
        IdentityKind::User => "user",
        IdentityKind::Group => "group",
    }
}

/// `aws_iam_role_policy`, `aws_iam_user_policy`, `aws_iam_group_policy`.
pub(super) fn inline_policy(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(kind) = cx.plan.res(res).map(|r| kind_of(&r.kind)) else {
        return;
    };
    let Some(owner) = c.get(owner_attr(kind)).string() else {
        return;
    };
    let policy_name = c.get("name").string().map_or_else(String::new, |v| v.text);
    let label = format!(
        "{}/{} inline policy {policy_name} ({})",
        noun(kind),
        owner.text,
        c.address()
    );
    let doc = policy::doc(cx, &c.get("policy"), PolicyKind::Identity, &label);
    if let (Some(doc), Some(identity)) = (doc, identity_mut(cx, kind, &owner, c.address())) {
        identity.inline_policies.push(doc);
    }
}

/// `aws_iam_role_policy_attachment` and its user and group forms.
pub(super) fn attachment(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(kind) = cx.plan.res(res).map(|r| kind_of(&r.kind)) else {
        return;
    };
    let (Some(owner), Some(arn)) = (
        c.get(owner_attr(kind)).string(),
        c.get("policy_arn").string(),
    ) else {
        return;
    };
    if let Some(identity) = identity_mut(cx, kind, &owner, c.address()) {
        identity.attached_policies.push(arn.spanned());
    }
}

/// `aws_iam_policy_attachment` (the exclusive attachment to lists of roles, users, groups).
pub(super) fn exclusive_attachment(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let Some(arn) = c.get("policy_arn").string() else {
        return;
    };
    for (attr, kind) in [
        ("roles", IdentityKind::Role),
        ("users", IdentityKind::User),
        ("groups", IdentityKind::Group),
    ] {
        for owner in c.get(attr).strings() {
            if let Some(identity) = identity_mut(cx, kind, &owner, c.address()) {
                identity
                    .attached_policies
                    .push(Spanned::new(arn.text.clone(), arn.span));
            }
        }
    }
}

/// `aws_iam_user_group_membership` (one user, its groups) and `aws_iam_group_membership`
/// (one group, its users).
pub(super) fn membership(cx: &mut Cx<'_, '_>, res: usize) {
    let c = cx.root(res);
    let pairs: Vec<(Val, Val)> = match cx.plan.res(res).map(|r| r.kind.as_str()) {
        Some("aws_iam_user_group_membership") => {
            let Some(user) = c.get("user").string() else {
                return;
            };
            c.get("groups")
                .strings()
                .into_iter()
                .map(|g| (user.clone(), g))
                .collect()
        }
        _ => {
            let Some(group) = c.get("group").string() else {
                return;
            };
            c.get("users")
                .strings()
                .into_iter()
                .map(|u| (u, group.clone()))
                .collect()
        }
    };
    add_memberships(cx, &c, pairs);
}

fn add_memberships(cx: &mut Cx<'_, '_>, c: &Cursor<'_, '_>, pairs: Vec<(Val, Val)>) {
    for (user, group) in pairs {
        if let Some(u) = identity_mut(cx, IdentityKind::User, &user, c.address()) {
            if !u.groups.contains(&group.text) {
                u.groups.push(group.text);
            }
        }
    }
}
