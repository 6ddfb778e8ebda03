//! `aws kms` outputs: `describe-key`, `get-key-policy`, `list-grants`,
//! `get-key-rotation-status`, `list-aliases`.

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::json::{self, Limits, Node, embedded_text};
use kmsguard_syntax::{Content, InputFormat, Spanned};

use super::manifest::DocKind;
use super::store::{described, key_index, key_resource};
use super::{Cx, arn_parts};
use crate::model::{Alias, GrantItem, KeyManager};

/// Whether `s` is a KMS key ARN.
pub(crate) fn is_key_arn(s: &str) -> bool {
    arn_parts(s).is_some_and(|p| p.service == "kms" && p.resource.starts_with("key/"))
}

/// The Regions of `MultiRegionConfiguration.PrimaryKey` and `ReplicaKeys` (the whole set, as
/// every key of it describes it).
fn multi_region_set(mrc: &Node<'_>) -> Vec<String> {
    let region = |k: &Node<'_>| k.get("Region").and_then(Node::as_str).map(str::to_owned);
    let mut out: Vec<String> = mrc.get("PrimaryKey").and_then(region).into_iter().collect();
    out.extend(
        super::array(mrc.get("ReplicaKeys"))
            .iter()
            .filter_map(region),
    );
    out
}

/// What a `{"Policy": "<json>"}` document belongs to.
enum PolicyOwner {
    Key,
    Bucket,
    Org,
}

impl Cx<'_> {
    /// `aws kms describe-key`.
    pub(super) fn describe_key(&mut self, root: &Node<'_>) {
        let parsed = self.parse_known(root, InputFormat::DescribeKey, None);
        let Some(node) = root.get("KeyMetadata") else {
            return;
        };
        let Some(meta) = parsed.documents.into_iter().find_map(|d| match d.content {
            Content::KeyMetadata(m) => Some(m),
            _ => None,
        }) else {
            return;
        };
        let Some(arn) = meta.arn.as_ref().map(|a| a.node.clone()) else {
            self.missing(node, "Arn");
            return;
        };
        if !is_key_arn(&arn) {
            if let Some(n) = node.get("Arn") {
                self.wrong_type("Arn", "a KMS key ARN", n);
            }
            return;
        }
        let origin = self.origin(node.span, "KeyMetadata");
        let held = self.held_key(&arn, |k| described(k).then_some(k.origin.state));
        let claim = self.claim(&key_resource(&arn), "metadata", held);
        let i = key_index(self.inv, self.session, &arn, &origin);
        if !claim.writes() {
            return;
        }
        // `MultiRegionConfiguration.PrimaryKey.Arn` names the primary; on the primary itself
        // it names the key, so it is kept only for replicas.
        let mrc = node.get("MultiRegionConfiguration");
        let replica = mrc
            .and_then(|m| m.get("MultiRegionKeyType"))
            .and_then(Node::as_str)
            == Some("REPLICA");
        let primary_arn = mrc
            .and_then(|m| m.get("PrimaryKey"))
            .and_then(|p| p.get("Arn"))
            .and_then(Node::as_str)
            .filter(|_| replica)
            .map(str::to_owned);
        let multi_region_set = mrc.map(multi_region_set).unwrap_or_default();
        let manager = match meta.key_manager.as_ref().map(|m| m.node.as_str()) {
            Some("AWS") => Some(KeyManager::Aws),
            Some("CUSTOMER") => Some(KeyManager::Customer),
            _ => None,
        };
        let Some(key) = self.inv.keys.get_mut(i) else {
            return;
        };
        if let Some(id) = meta.key_id {
            key.id = id.node;
        }
        if let Some(account) = meta.account {
            key.account = account.node;
        }
        key.spec = meta.key_spec.map(|s| s.node);
        key.usage = meta.key_usage.map(|s| s.node);
        key.key_origin = meta.origin.map(|s| s.node);
        key.manager = manager;
        key.state = meta.key_state.map(|s| s.node);
        key.multi_region = meta.multi_region.map(|s| s.node);
        key.primary_arn = primary_arn;
        key.multi_region_set = multi_region_set;
        key.custom_key_store = meta.custom_key_store_id.map(|s| s.node);
        key.origin = origin;
    }

    /// `{"Policy": "<json>"}`: `kms get-key-policy`, `s3api get-bucket-policy`, or a policy
    /// the manifest calls an SCP or RCP. Only the manifest can tell a key policy from a bucket
    /// policy; without it, statements about `s3:` actions or S3 resources make a bucket policy.
    pub(super) fn policy_string(&mut self, root: &Node<'_>) {
        let Some(node) = root.get("Policy") else {
            return;
        };
        match self.policy_owner(node) {
            PolicyOwner::Org => self.bare_org_policy(root, node),
            PolicyOwner::Bucket => {
                let parsed =
                    self.parse_known(root, InputFormat::GetKeyPolicy, Some(PolicyKind::Resource));
                if let Some(policy) = first_policy(parsed) {
                    self.attach_bucket_policy(policy, node.span, "Policy");
                }
            }
            PolicyOwner::Key => {
                let parsed =
                    self.parse_known(root, InputFormat::GetKeyPolicy, Some(PolicyKind::Key));
                if let Some(policy) = first_policy(parsed) {
                    self.attach_key_policy(policy, node.span, "Policy");
                }
            }
        }
    }

    fn policy_owner(&self, node: &Node<'_>) -> PolicyOwner {
        match self.hints.kind {
            Some(DocKind::KeyPolicy) => return PolicyOwner::Key,
            Some(DocKind::BucketPolicy) => return PolicyOwner::Bucket,
            Some(DocKind::Scp | DocKind::Rcp) => return PolicyOwner::Org,
            _ => {}
        }
        if self.hints.key.is_some() {
            PolicyOwner::Key
        } else if self.hints.bucket.is_some() || names_s3(self.source.text(), node) {
            PolicyOwner::Bucket
        } else {
            PolicyOwner::Key
        }
    }

    /// Attaches a key policy to the key the manifest names.
    pub(super) fn attach_key_policy(
        &mut self,
        policy: kmsguard_syntax::ast::Policy,
        span: kmsguard_syntax::Span,
        location: &str,
    ) {
        let Some(arn) = self.hints.key.clone() else {
            self.unattached(
                span,
                "key this key policy belongs to",
                "key = \"<key ARN>\"",
            );
            return;
        };
        let doc = self.doc(policy, span, location, format!("key policy of {arn}"));
        let held = self.held_key(&arn, |k| k.policy.as_ref().map(|d| d.origin.state));
        let claim = self.claim(&key_resource(&arn), "policy", held);
        let i = key_index(self.inv, self.session, &arn, &doc.origin);
        if let (true, Some(key)) = (claim.writes(), self.inv.keys.get_mut(i)) {
            key.policy = Some(doc);
        }
    }

    /// `aws kms list-grants` / `list-retirable-grants`, or one grant object.
    pub(super) fn list_grants(&mut self, root: &Node<'_>, format: InputFormat) {
        let parsed = self.parse_known(root, format, None);
        for d in parsed.documents {
            let Content::Grant(grant) = d.content else {
                continue;
            };
            let Some(arn) = self.key_ref(grant.key_id.as_ref()) else {
                self.unattached(d.span, "key this grant is on", "key = \"<key ARN>\"");
                continue;
            };
            let origin = self.origin(d.span, d.location);
            let held = self.held_key(&arn, |k| k.grants.first().map(|g| g.origin.state));
            let claim = self.claim(&key_resource(&arn), "grants", held);
            let i = key_index(self.inv, self.session, &arn, &origin);
            let Some(key) = self.inv.keys.get_mut(i) else {
                continue;
            };
            if claim.clears() {
                key.grants.clear();
            }
            if !claim.writes() {
                continue;
            }
            let id = grant.grant_id.as_ref().map(|g| g.node.clone());
            let item = GrantItem { grant, origin };
            match key
                .grants
                .iter_mut()
                .find(|g| id.is_some() && g.grant.grant_id.as_ref().map(|g| &g.node) == id.as_ref())
            {
                Some(existing) => *existing = item,
                None => key.grants.push(item),
            }
        }
    }

    /// What the model holds for facet `f` of key `arn`, if the key exists.
    fn held_key(
        &mut self,
        arn: &str,
        f: impl Fn(&crate::model::Key) -> Option<crate::model::State>,
    ) -> Option<crate::model::State> {
        let i = self.session.find_key(self.inv, arn)?;
        self.inv.keys.get(i).and_then(f)
    }

    /// The key ARN a reference names: an ARN as is, else the manifest's `key`, else a bare id
    /// of a key already read or in the manifest's account and Region.
    pub(super) fn key_ref(&self, reference: Option<&Spanned<String>>) -> Option<String> {
        if let Some(r) = reference.filter(|r| is_key_arn(r)) {
            return Some(r.node.clone());
        }
        if let Some(k) = &self.hints.key {
            return Some(k.clone());
        }
        let id = reference?.node.as_str();
        if id.starts_with("alias/") || id.starts_with("arn:") {
            return None;
        }
        let mut known = self.inv.keys.iter().filter(|k| {
            k.id == id
                && self.account.as_ref().is_none_or(|a| *a == k.account)
                && self.region.as_ref().is_none_or(|r| *r == k.region)
        });
        if let (Some(k), None) = (known.next(), known.next()) {
            return Some(k.arn.clone());
        }
        match (&self.account, &self.region) {
            (Some(a), Some(r)) => Some(format!("arn:aws:kms:{r}:{a}:key/{id}")),
            _ => None,
        }
    }

    /// `aws kms get-key-rotation-status`.
    pub(super) fn rotation_status(&mut self, root: &Node<'_>) {
        let Some(enabled) = self.opt_bool(root, "KeyRotationEnabled") else {
            return;
        };
        let key_id = self.opt_str(root, "KeyId");
        let Some(arn) = self.key_ref(key_id.as_ref()) else {
            self.unattached(
                root.span,
                "key this rotation status is of",
                "key = \"<key ARN>\"",
            );
            return;
        };
        let origin = self.origin(root.span, "");
        let held = self.held_key(&arn, |k| k.rotation_enabled.map(|_| k.origin.state));
        let claim = self.claim(&key_resource(&arn), "rotation", held);
        let i = key_index(self.inv, self.session, &arn, &origin);
        if let (true, Some(key)) = (claim.writes(), self.inv.keys.get_mut(i)) {
            key.rotation_enabled = Some(enabled);
            key.rotation_origin = Some(origin.clone());
        }
    }

    /// `aws kms list-aliases`. A `TargetKeyId` (a bare key id) becomes the key ARN in the
    /// alias's account and Region, so that a multi-Region key id, which several Regions share,
    /// still names one key.
    pub(super) fn list_aliases(&mut self, root: &Node<'_>) {
        for (i, entry) in self.list(root, "Aliases").iter().enumerate() {
            let Some(name) = self.req_str(entry, "AliasName") else {
                continue;
            };
            let arn = self.opt_str(entry, "AliasArn").map(|a| a.node);
            let parts = arn.as_deref().and_then(arn_parts);
            let account = parts
                .map(|p| p.account.to_owned())
                .or_else(|| self.account.clone());
            let region = parts
                .map(|p| p.region.to_owned())
                .or_else(|| self.region.clone());
            let target = self
                .opt_str(entry, "TargetKeyId")
                .map(|t| match (&account, &region) {
                    (Some(a), Some(r)) if !t.starts_with("arn:") => {
                        format!("arn:aws:kms:{r}:{a}:key/{}", t.node)
                    }
                    _ => t.node,
                });
            let facet = match &arn {
                Some(a) => a.clone(),
                None => format!(
                    "{}@{}/{}",
                    name.node,
                    account.as_deref().unwrap_or("?"),
                    region.as_deref().unwrap_or("?")
                ),
            };
            let held = self
                .inv
                .aliases
                .iter()
                .find(|a| a.name == name.node && a.account == account && a.region == region)
                .map(|a| a.origin.state);
            let claim = self.claim(&format!("alias:{facet}"), "alias", held);
            if !claim.writes() {
                continue;
            }
            let alias = Alias {
                name: name.node,
                arn,
                target_key: target,
                account,
                region,
                origin: self.origin(entry.span, format!("Aliases[{i}]")),
            };
            match self.inv.aliases.iter_mut().find(|a| {
                a.name == alias.name && a.account == alias.account && a.region == alias.region
            }) {
                Some(existing) => *existing = alias,
                None => self.inv.aliases.push(alias),
            }
        }
    }
}

/// The first policy of a parsed file.
pub(super) fn first_policy(
    parsed: kmsguard_syntax::ParsedFile,
) -> Option<kmsguard_syntax::ast::Policy> {
    parsed.documents.into_iter().find_map(|d| match d.content {
        Content::Policy(p) => Some(p),
        _ => None,
    })
}

/// The elements of an array node, or the node itself.
fn items<'n, 'a>(node: &'n Node<'a>) -> &'n [Node<'a>] {
    node.as_array().unwrap_or(std::slice::from_ref(node))
}

/// Whether a policy (an object or a string holding one) names `s3:` actions or S3 ARNs.
fn names_s3(text: &str, node: &Node<'_>) -> bool {
    let scan = |root: &Node<'_>| {
        let statements = root.get("Statement").map_or(&[][..], items);
        statements.iter().any(|s| {
            let strings = |keys: [&'static str; 2]| {
                keys.into_iter()
                    .filter_map(|k| s.get(k))
                    .flat_map(items)
                    .filter_map(Node::as_str)
                    .collect::<Vec<_>>()
            };
            let s3_action = strings(["Action", "NotAction"])
                .iter()
                .any(|a| a.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("s3:")));
            let s3_resource = strings(["Resource", "NotResource"])
                .iter()
                .any(|r| arn_parts(r).is_some_and(|p| p.service == "s3"));
            s3_action || s3_resource
        })
    };
    if node.as_str().is_none() {
        return scan(node);
    }
    embedded_text(text, node.span)
        .and_then(|(inner, _)| {
            json::parse(&inner, &Limits::default())
                .ok()
                .map(|root| scan(&root))
        })
        .unwrap_or(false)
}
