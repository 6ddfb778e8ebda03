//! AWS Organizations outputs: `describe-policy` (SCPs and RCPs, optionally with the `Targets`
//! of `list-targets-for-policy` in the same object), `list-targets-for-policy` on its own
//! (the manifest's `policy` names the policy), `list-parents` (the manifest's `child` names the
//! account or OU asked about), and bare SCP/RCP documents the manifest names.

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::json::Node;
use kmsguard_syntax::{Diagnostic, InputFormat};

use super::kms::first_policy;
use super::manifest::DocKind;
use super::{Cx, UNATTACHED};
use crate::model::{Doc, OrgPolicy, OrgPolicyKind};

impl Cx<'_> {
    /// `aws organizations describe-policy`.
    pub(super) fn org_policy(&mut self, root: &Node<'_>) {
        let Some(policy) = self.req_object(root, "Policy") else {
            return;
        };
        let summary = policy.get("PolicySummary");
        let id = summary.and_then(|s| s.get("Id")).and_then(Node::as_str);
        let type_node = summary.and_then(|s| s.get("Type"));
        let kind = match type_node.and_then(Node::as_str) {
            Some("SERVICE_CONTROL_POLICY") => OrgPolicyKind::Scp,
            Some("RESOURCE_CONTROL_POLICY") => OrgPolicyKind::Rcp,
            Some(other) => {
                let span = type_node.map_or(policy.span, |t| t.span);
                self.diags.push(
                    Diagnostic::info(
                        UNATTACHED,
                        format!("`{other}` policies are not part of the inventory"),
                    )
                    .label(
                        span,
                        "only service and resource control policies decide KMS access",
                    )
                    .help("leave this file out of the inventory"),
                );
                return;
            }
            None => match self.hints.kind {
                Some(DocKind::Rcp) => OrgPolicyKind::Rcp,
                Some(DocKind::Scp) => OrgPolicyKind::Scp,
                _ => {
                    self.missing(policy, "PolicySummary.Type");
                    return;
                }
            },
        };
        let Some(content) = self.req_str_node(policy, "Content") else {
            return;
        };
        let name = summary
            .and_then(|s| s.get("Name"))
            .and_then(Node::as_str)
            .or(id)
            .map(str::to_owned)
            .or_else(|| self.hints.name.clone())
            .unwrap_or_else(|| self.file_stem());
        let Some(p) = self.embedded_policy(content, policy_kind(kind)) else {
            return;
        };
        let label = format!("{} {name}", kind_name(kind));
        let doc = self.doc(p, content.span, "Policy.Content", label);
        let mut targets = self.hints.targets.clone();
        for t in self.list(root, "Targets") {
            if let Some(id) = self.req_str(t, "TargetId") {
                targets.push(id.node);
            }
        }
        if let Some(id) = id {
            self.session.org_id(id.to_owned(), name.clone());
        }
        self.put_org(kind, name, doc, targets);
    }

    /// An SCP or RCP document without the Organizations wrapper: a bare document, or
    /// `{"Policy": "<json>"}`. The manifest's `kind` says which, `name` names it.
    pub(super) fn bare_org_policy(&mut self, root: &Node<'_>, node: &Node<'_>) {
        let kind = if self.hints.kind == Some(DocKind::Rcp) {
            OrgPolicyKind::Rcp
        } else {
            OrgPolicyKind::Scp
        };
        let (format, location) = if node.as_str().is_some() {
            (InputFormat::GetKeyPolicy, "Policy")
        } else {
            (InputFormat::Policy, "")
        };
        let parsed = self.parse_known(root, format, Some(policy_kind(kind)));
        let Some(p) = first_policy(parsed) else {
            return;
        };
        let name = self.hints.name.clone().unwrap_or_else(|| self.file_stem());
        let label = format!("{} {name}", kind_name(kind));
        let doc = self.doc(p, node.span, location, label);
        let targets = self.hints.targets.clone();
        self.put_org(kind, name, doc, targets);
    }

    fn put_org(&mut self, kind: OrgPolicyKind, name: String, doc: Doc, targets: Vec<String>) {
        let held = self
            .inv
            .org_policies
            .iter()
            .find(|p| p.kind == kind && p.name == name)
            .map(|p| p.doc.origin.state);
        let claim = self.claim(&format!("org:{}:{name}", kind_name(kind)), "policy", held);
        if !claim.writes() {
            return;
        }
        match self
            .inv
            .org_policies
            .iter_mut()
            .find(|p| p.kind == kind && p.name == name)
        {
            Some(existing) => {
                existing.doc = doc;
                if claim.clears() {
                    existing.targets.clear();
                }
                for t in targets {
                    if !existing.targets.contains(&t) {
                        existing.targets.push(t);
                    }
                }
            }
            None => self.inv.org_policies.push(OrgPolicy {
                kind,
                name,
                doc,
                targets,
            }),
        }
    }

    /// `aws organizations list-targets-for-policy`: attached once every file is read.
    pub(super) fn policy_targets(&mut self, root: &Node<'_>) {
        let mut targets = Vec::new();
        for t in self.list(root, "Targets") {
            if let Some(id) = self.req_str(t, "TargetId") {
                targets.push(id.node);
            }
        }
        match self.hints.policy.clone() {
            Some(policy) => self
                .session
                .pending_targets(policy, targets, self.file, root.span),
            None => self.unattached(
                root.span,
                "policy these targets are of",
                "policy = \"<policy id or name>\"",
            ),
        }
    }

    /// `aws organizations list-parents`: the parent of the account or OU the manifest's
    /// `child` names.
    pub(super) fn parents(&mut self, root: &Node<'_>) {
        let parent = self
            .list(root, "Parents")
            .first()
            .and_then(|p| p.get("Id"))
            .and_then(Node::as_str)
            .map(str::to_owned);
        let Some(parent) = parent else {
            self.missing(root, "Parents[0].Id");
            return;
        };
        match self.hints.child.clone() {
            Some(child) => self.session.parent(child, parent),
            None => self.unattached(
                root.span,
                "account or OU these parents are of",
                "child = \"<account or OU id>\"",
            ),
        }
    }

    /// A string member, returned as its node (for embedded documents).
    fn req_str_node<'n, 'j>(&mut self, node: &'n Node<'j>, key: &str) -> Option<&'n Node<'j>> {
        match node.get(key) {
            Some(v) if v.as_str().is_some() || v.as_object().is_some() => Some(v),
            Some(v) => {
                self.wrong_type(key, "a string holding a policy", v);
                None
            }
            None => {
                self.missing(node, key);
                None
            }
        }
    }
}

fn policy_kind(kind: OrgPolicyKind) -> PolicyKind {
    match kind {
        OrgPolicyKind::Scp => PolicyKind::Scp,
        OrgPolicyKind::Rcp => PolicyKind::Rcp,
    }
}

fn kind_name(kind: OrgPolicyKind) -> &'static str {
    match kind {
        OrgPolicyKind::Scp => "SCP",
        OrgPolicyKind::Rcp => "RCP",
    }
}
