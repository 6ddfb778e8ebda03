//! `aws iam` outputs: `get-account-authorization-details`, `get-role-policy` /
//! `get-user-policy` / `get-group-policy`, `get-policy-version`; and bare policy documents
//! whose owner the manifest names.

use std::collections::HashMap;

use kmsguard_syntax::ast::{Policy, PolicyKind};
use kmsguard_syntax::json::Node;
use kmsguard_syntax::{Content, InputFormat, Span};

use super::kms::first_policy;
use super::manifest::DocKind;
use super::store::{identity_index, identity_resource, noun};
use super::{Cx, arn_parts, array};
use crate::model::{Doc, IdentityKind, ManagedPolicy, State};

/// The three identity lists of `get-account-authorization-details`: list, kind, name member,
/// id member, inline policy list.
const LISTS: [(&str, IdentityKind, &str, &str, &str); 3] = [
    (
        "UserDetailList",
        IdentityKind::User,
        "UserName",
        "UserId",
        "UserPolicyList",
    ),
    (
        "GroupDetailList",
        IdentityKind::Group,
        "GroupName",
        "GroupId",
        "GroupPolicyList",
    ),
    (
        "RoleDetailList",
        IdentityKind::Role,
        "RoleName",
        "RoleId",
        "RolePolicyList",
    ),
];

/// The policies of a `get-account-authorization-details` output, taken by location. Looked
/// up, never iterated: a hash index of the locations (thousands of them sharing long
/// prefixes make ordered comparisons costly), the policies themselves left in place.
struct Docs {
    index: HashMap<String, usize, foldhash::fast::RandomState>,
    policies: Vec<Option<(Policy, Span)>>,
}

impl Docs {
    fn new(documents: Vec<kmsguard_syntax::Document>) -> Self {
        let mut index = HashMap::with_capacity_and_hasher(documents.len(), Default::default());
        let mut policies = Vec::with_capacity(documents.len());
        for d in documents {
            if let Content::Policy(p) = d.content {
                // Of two documents at one location, the later one is kept.
                index.insert(d.location, policies.len());
                policies.push(Some((p, d.span)));
            }
        }
        Self { index, policies }
    }

    /// The policy at `location`, once.
    fn take(&mut self, location: &str) -> Option<(Policy, Span)> {
        let i = *self.index.get(location)?;
        self.policies.get_mut(i)?.take()
    }
}

impl Cx<'_> {
    /// `aws iam get-account-authorization-details`: every identity with its inline policies,
    /// attached managed policies, boundary and trust policy; the default version of every
    /// managed policy.
    pub(super) fn authorization_details(&mut self, root: &Node<'_>) {
        let parsed = self.parse_known(root, InputFormat::AuthorizationDetails, None);
        let mut docs = Docs::new(parsed.documents);
        // Thousands of identities are appended: grow the model's list once.
        let entities: usize = LISTS
            .iter()
            .map(|(list, ..)| array(root.get(list)).len())
            .sum();
        self.inv.identities.reserve(entities);
        // Facets: each identity's details and trust policy, and one per inline policy.
        let inline: usize = LISTS
            .iter()
            .flat_map(|(list, _, _, _, policies_key)| {
                array(root.get(list))
                    .iter()
                    .map(move |e| array(e.get(policies_key)).len())
            })
            .sum();
        self.session
            .reserve_identities(entities, entities.saturating_mul(2).saturating_add(inline));
        for (list, kind, name_key, id_key, policies_key) in LISTS {
            for (i, entity) in self.list(root, list).iter().enumerate() {
                let at = format!("{list}[{i}]");
                self.identity_details(
                    entity,
                    &at,
                    kind,
                    (name_key, id_key, policies_key),
                    &mut docs,
                );
            }
        }
        for (i, p) in self.list(root, "Policies").iter().enumerate() {
            let Some(arn) = self.req_str(p, "Arn") else {
                continue;
            };
            let name = p
                .get("PolicyName")
                .and_then(Node::as_str)
                .unwrap_or("?")
                .to_owned();
            let default = p.get("DefaultVersionId").and_then(Node::as_str);
            let versions = self.list(p, "PolicyVersionList");
            let chosen = versions.iter().position(|v| {
                v.get("IsDefaultVersion")
                    .is_some_and(|d| d.value == kmsguard_syntax::json::Value::Bool(true))
                    || (default.is_some() && v.get("VersionId").and_then(Node::as_str) == default)
            });
            let Some(j) = chosen else {
                continue;
            };
            let location = format!("Policies[{i}].PolicyVersionList[{j}].Document");
            if let Some((policy, span)) = docs.take(&location) {
                let version = default.unwrap_or("default version");
                let doc = self.doc(
                    policy,
                    span,
                    &location,
                    format!("managed policy {name} {version}"),
                );
                self.put_managed(arn.node, doc);
            }
        }
    }

    fn identity_details(
        &mut self,
        entity: &Node<'_>,
        at: &str,
        kind: IdentityKind,
        (name_key, id_key, policies_key): (&str, &str, &str),
        docs: &mut Docs,
    ) {
        let (Some(name), Some(arn)) = (self.req_str(entity, name_key), self.req_str(entity, "Arn"))
        else {
            return;
        };
        let Some(account) = arn_parts(&arn).map(|p| p.account.to_owned()) else {
            self.wrong_type("Arn", "an IAM ARN", entity.get("Arn").unwrap_or(entity));
            return;
        };
        let origin = self.origin(entity.span, at);
        let facet = identity_resource(kind, &account, &name.node);
        let existing = self
            .session
            .find_identity(self.inv, kind, &account, &name.node)
            .and_then(|i| self.inv.identities.get(i));
        let held = existing.map(|i| i.origin.state);
        let trust_held = existing.and_then(|i| i.trust_policy.as_ref().map(|d| d.origin.state));
        let claim = self.claim(&facet, "details", held);
        if !claim.writes() {
            return;
        }
        let unique_id = self.opt_str(entity, id_key).map(|s| s.node);
        let mut attached = Vec::new();
        for a in self.list(entity, "AttachedManagedPolicies") {
            if let Some(p) = self.req_str(a, "PolicyArn") {
                attached.push(p);
            }
        }
        let mut groups = Vec::new();
        for g in self.list(entity, "GroupList") {
            match g.as_str() {
                Some(s) => groups.push(s.to_owned()),
                None => self.wrong_type("GroupList", "an array of group names", g),
            }
        }
        let boundary = entity
            .get("PermissionsBoundary")
            .and_then(|b| self.opt_str(b, "PermissionsBoundaryArn"));
        let trust_at = [at, ".AssumeRolePolicyDocument"].concat();
        let trust = docs.take(&trust_at).map(|(p, span)| {
            self.doc(
                p,
                span,
                &trust_at,
                ["role/", &name.node, " trust policy"].concat(),
            )
        });
        let trust_claim = self.claim(&facet, "trust", trust_held);
        let i = identity_index(self.inv, self.session, kind, &account, &name.node, &origin);
        if let Some(identity) = self.inv.identities.get_mut(i) {
            if trust_claim.writes() {
                identity.trust_policy = trust;
            }
            identity.arn = arn.node;
            identity.unique_id = unique_id;
            identity.attached_policies = attached;
            identity.groups = groups;
            identity.boundary = boundary;
            identity.origin = origin;
            if claim.clears() {
                // A proposed description is complete: current inline policies it does not
                // list are gone.
                identity
                    .inline_policies
                    .retain(|d| d.origin.state == State::Proposed);
            }
        }
        for (j, p) in self.list(entity, policies_key).iter().enumerate() {
            let location = format!("{at}.{policies_key}[{j}].PolicyDocument");
            let pname = p.get("PolicyName").and_then(Node::as_str).unwrap_or("?");
            if let Some((policy, span)) = docs.take(&location) {
                let label = [noun(kind), "/", &name.node, " inline policy ", pname].concat();
                let doc = self.doc(policy, span, &location, label);
                self.put_inline(i, &facet, pname, doc);
            }
        }
    }

    /// Adds (or, by policy name, replaces) an inline policy of identity `i`.
    fn put_inline(&mut self, i: usize, facet: &str, policy_name: &str, doc: Doc) {
        let held = self.inv.identities.get(i).and_then(|identity| {
            identity
                .inline_policies
                .iter()
                .find(|d| d.label == doc.label)
                .map(|d| d.origin.state)
        });
        let claim = self.claim(facet, &["inline:", policy_name].concat(), held);
        if !claim.writes() {
            return;
        }
        let Some(identity) = self.inv.identities.get_mut(i) else {
            return;
        };
        match identity
            .inline_policies
            .iter_mut()
            .find(|d| d.label == doc.label)
        {
            Some(existing) => *existing = doc,
            None => identity.inline_policies.push(doc),
        }
    }

    /// Adds or replaces a managed policy.
    fn put_managed(&mut self, arn: String, doc: Doc) {
        let held = self
            .inv
            .find_managed_policy(&arn)
            .map(|p| p.doc.origin.state);
        let claim = self.claim(&format!("policy:{arn}"), "document", held);
        if !claim.writes() {
            return;
        }
        match self.inv.managed_policies.iter_mut().find(|p| p.arn == arn) {
            Some(existing) => existing.doc = doc,
            None => self.inv.managed_policies.push(ManagedPolicy { arn, doc }),
        }
    }

    /// `aws iam get-role-policy` / `get-user-policy` / `get-group-policy`.
    pub(super) fn inline_policy(&mut self, root: &Node<'_>) {
        let parsed = self.parse_known(
            root,
            InputFormat::GetInlinePolicy,
            Some(PolicyKind::Identity),
        );
        let Some(node) = root.get("PolicyDocument") else {
            return;
        };
        let Some(policy) = first_policy(parsed) else {
            return;
        };
        let owner = [
            ("RoleName", IdentityKind::Role),
            ("UserName", IdentityKind::User),
            ("GroupName", IdentityKind::Group),
        ]
        .into_iter()
        .find_map(|(k, kind)| {
            root.get(k)
                .and_then(Node::as_str)
                .map(|n| (kind, n.to_owned()))
        })
        .or_else(|| self.hinted_owner());
        let pname = root
            .get("PolicyName")
            .and_then(Node::as_str)
            .map(str::to_owned)
            .or_else(|| self.hints.name.clone())
            .unwrap_or_else(|| self.file_stem());
        self.attach_inline(owner, &pname, policy, node.span, "PolicyDocument");
    }

    /// The identity the manifest names (`role`, `user` or `group`).
    fn hinted_owner(&self) -> Option<(IdentityKind, String)> {
        let h = self.hints;
        h.role
            .clone()
            .map(|n| (IdentityKind::Role, n))
            .or_else(|| h.user.clone().map(|n| (IdentityKind::User, n)))
            .or_else(|| h.group.clone().map(|n| (IdentityKind::Group, n)))
    }

    fn attach_inline(
        &mut self,
        owner: Option<(IdentityKind, String)>,
        policy_name: &str,
        policy: Policy,
        span: Span,
        location: &str,
    ) {
        let Some((kind, name)) = owner else {
            self.unattached(
                span,
                "identity this policy belongs to",
                "role, user or group = \"<name>\"",
            );
            return;
        };
        let Some(account) = self.identity_account(kind, &name) else {
            self.unattached(
                span,
                "account this policy's identity is in",
                "account = \"<12 digits>\"",
            );
            return;
        };
        let label = format!("{}/{name} inline policy {policy_name}", noun(kind));
        let doc = self.doc(policy, span, location, label);
        let i = identity_index(self.inv, self.session, kind, &account, &name, &doc.origin);
        let facet = identity_resource(kind, &account, &name);
        self.put_inline(i, &facet, policy_name, doc);
    }

    /// The account an identity named in this file lives in: the manifest's, else the only
    /// account holding an identity of that kind and name.
    fn identity_account(&self, kind: IdentityKind, name: &str) -> Option<String> {
        if let Some(a) = &self.account {
            return Some(a.clone());
        }
        let mut found = self
            .inv
            .identities
            .iter()
            .filter(|i| i.kind == kind && i.name == name);
        match (found.next(), found.next()) {
            (Some(i), None) => Some(i.account.clone()),
            _ => None,
        }
    }

    /// `aws iam get-policy-version`: the manifest's `policy_arn` names the policy. A version
    /// that is not the default one is not in effect and is left out (unless proposed).
    pub(super) fn policy_version(&mut self, root: &Node<'_>) {
        let parsed = self.parse_known(
            root,
            InputFormat::GetPolicyVersion,
            Some(PolicyKind::Identity),
        );
        let Some(version) = root.get("PolicyVersion") else {
            return;
        };
        let Some(policy) = first_policy(parsed) else {
            return;
        };
        let span = version.get("Document").map_or(version.span, |d| d.span);
        let Some(arn) = self.hints.policy_arn.clone() else {
            self.unattached(
                span,
                "managed policy this version belongs to",
                "policy_arn = \"<policy ARN>\"",
            );
            return;
        };
        let is_default = self.opt_bool(version, "IsDefaultVersion");
        if let Some(d) = is_default.filter(|d| !d.node && self.state == State::Current) {
            self.diags.push(
                kmsguard_syntax::Diagnostic::info(
                    super::UNATTACHED,
                    "not the default version of the policy, so not in effect",
                )
                .label(d.span, "not the default version")
                .help("collect the default version (`DefaultVersionId` of `aws iam get-policy`), or mark the file `state = \"proposed\"`"),
            );
            return;
        }
        let vid = version
            .get("VersionId")
            .and_then(Node::as_str)
            .unwrap_or("default version");
        let doc = self.doc(
            policy,
            span,
            "PolicyVersion.Document",
            format!("managed policy {arn} {vid}"),
        );
        self.put_managed(arn, doc);
    }

    /// A policy document with no wrapper: what it is comes from the manifest.
    pub(super) fn bare_policy(&mut self, root: &Node<'_>) {
        let h = self.hints;
        let kind = h.kind;
        let span = root.span;
        if kind == Some(DocKind::KeyPolicy) || (kind.is_none() && h.key.is_some()) {
            let parsed = self.parse_known(root, InputFormat::Policy, Some(PolicyKind::Key));
            if let Some(p) = first_policy(parsed) {
                self.attach_key_policy(p, span, "");
            }
        } else if kind == Some(DocKind::BucketPolicy) || (kind.is_none() && h.bucket.is_some()) {
            let parsed = self.parse_known(root, InputFormat::Policy, Some(PolicyKind::Resource));
            if let Some(p) = first_policy(parsed) {
                self.attach_bucket_policy(p, span, "");
            }
        } else if matches!(kind, Some(DocKind::Scp | DocKind::Rcp)) {
            self.bare_org_policy(root, root);
        } else if kind == Some(DocKind::TrustPolicy) {
            let parsed = self.parse_known(root, InputFormat::Policy, Some(PolicyKind::Trust));
            if let Some(p) = first_policy(parsed) {
                self.attach_trust(p, span);
            }
        } else if h.policy_arn.is_some() || kind == Some(DocKind::ManagedPolicy) {
            let parsed = self.parse_known(root, InputFormat::Policy, Some(PolicyKind::Identity));
            match (first_policy(parsed), h.policy_arn.clone()) {
                (Some(p), Some(arn)) => {
                    let doc = self.doc(p, span, "", format!("managed policy {arn}"));
                    self.put_managed(arn, doc);
                }
                (Some(_), None) => self.unattached(
                    span,
                    "managed policy this document is",
                    "policy_arn = \"<policy ARN>\"",
                ),
                (None, _) => {}
            }
        } else if self.hinted_owner().is_some() || kind == Some(DocKind::InlinePolicy) {
            let parsed = self.parse_known(root, InputFormat::Policy, Some(PolicyKind::Identity));
            if let Some(p) = first_policy(parsed) {
                let pname = h.name.clone().unwrap_or_else(|| self.file_stem());
                self.attach_inline(self.hinted_owner(), &pname, p, span, "");
            }
        } else {
            // Read it anyway so its own mistakes are reported.
            let _ = self.parse_known(root, InputFormat::Policy, None);
            self.unattached(
                span,
                "resource or identity this policy document is attached to",
                "key, bucket, role, user, group or policy_arn (and kind where needed)",
            );
        }
    }

    fn attach_trust(&mut self, policy: Policy, span: Span) {
        let Some(name) = self.hints.role.clone() else {
            self.unattached(
                span,
                "role this trust policy belongs to",
                "role = \"<name>\"",
            );
            return;
        };
        let Some(account) = self.identity_account(IdentityKind::Role, &name) else {
            self.unattached(span, "account this role is in", "account = \"<12 digits>\"");
            return;
        };
        let doc = self.doc(policy, span, "", format!("role/{name} trust policy"));
        let held = self
            .inv
            .identities
            .iter()
            .find(|i| i.kind == IdentityKind::Role && i.account == account && i.name == name)
            .and_then(|i| i.trust_policy.as_ref().map(|d| d.origin.state));
        let claim = self.claim(
            &identity_resource(IdentityKind::Role, &account, &name),
            "trust",
            held,
        );
        let i = identity_index(
            self.inv,
            self.session,
            IdentityKind::Role,
            &account,
            &name,
            &doc.origin,
        );
        if let (true, Some(identity)) = (claim.writes(), self.inv.identities.get_mut(i)) {
            identity.trust_policy = Some(doc);
        }
    }
}
