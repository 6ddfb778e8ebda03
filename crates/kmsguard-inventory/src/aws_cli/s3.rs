//! `aws s3api` outputs: `get-bucket-replication`, `get-bucket-encryption`,
//! `get-bucket-location`, `get-bucket-versioning`, `get-bucket-policy`. None of them names its
//! bucket: the manifest's `bucket` does.

use kmsguard_syntax::ast::Policy;
use kmsguard_syntax::json::{Node, Value};
use kmsguard_syntax::{Span, Spanned};

use super::Cx;
use super::store::{bucket_index, bucket_resource};
use crate::model::{Bucket, BucketEncryption, Replication, ReplicationRule};

impl Cx<'_> {
    /// Claims facet `facet` of the bucket the manifest names and hands it to `write`; reports
    /// the document as unattached when the manifest names no bucket.
    fn with_bucket(
        &mut self,
        (span, location): (Span, &str),
        facet: &str,
        what: &str,
        write: impl FnOnce(&mut Bucket),
    ) {
        let Some(name) = self.hints.bucket.clone() else {
            self.unattached(
                span,
                &format!("bucket this {what} is of"),
                "bucket = \"<name>\"",
            );
            return;
        };
        let origin = self.origin(span, location);
        // What another reader may have put there (a template's bucket is proposed).
        let held = self.inv.find_bucket(&name).and_then(|b| match facet {
            "replication" => b.replication.as_ref().map(|r| r.origin.state),
            "policy" => b.policy.as_ref().map(|d| d.origin.state),
            "encryption" => b.encryption.as_ref().map(|_| b.origin.state),
            "versioning" => b.versioning_enabled.map(|_| b.origin.state),
            _ => None,
        });
        let claim = self.claim(&bucket_resource(&name), facet, held);
        let i = bucket_index(self.inv, self.session, &name, &origin);
        let Some(bucket) = self.inv.buckets.get_mut(i) else {
            return;
        };
        if bucket.account.is_none() {
            bucket.account.clone_from(&self.account);
        }
        if bucket.region.is_none() && facet != "location" {
            bucket.region.clone_from(&self.region);
        }
        if claim.writes() {
            write(bucket);
        }
    }

    /// `aws s3api get-bucket-replication`.
    pub(super) fn bucket_replication(&mut self, root: &Node<'_>) {
        let Some(config) = self.req_object(root, "ReplicationConfiguration") else {
            return;
        };
        let Some(role) = self.req_str(config, "Role") else {
            return;
        };
        let mut rules = Vec::new();
        for rule in self.list(config, "Rules") {
            if let Some(r) = self.replication_rule(rule) {
                rules.push(r);
            }
        }
        let replication = Replication {
            role,
            rules,
            origin: self.origin(config.span, "ReplicationConfiguration"),
        };
        self.with_bucket(
            (config.span, "ReplicationConfiguration"),
            "replication",
            "replication configuration",
            |b| {
                b.replication = Some(replication);
            },
        );
    }

    fn replication_rule(&mut self, rule: &Node<'_>) -> Option<ReplicationRule> {
        let id = self.opt_str(rule, "ID").map(|s| s.node);
        let enabled = self
            .opt_str(rule, "Status")
            .is_some_and(|s| s.node == "Enabled");
        let sse_kms_encrypted_objects = match rule
            .get("SourceSelectionCriteria")
            .and_then(|c| c.get("SseKmsEncryptedObjects"))
        {
            Some(o) => self
                .opt_str(o, "Status")
                .map(|s| Spanned::new(s.node == "Enabled", s.span)),
            None => None,
        };
        let destination = self.req_object(rule, "Destination")?;
        let destination_bucket = self.req_str(destination, "Bucket")?;
        let destination_account = self.opt_str(destination, "Account").map(|s| s.node);
        let replica_kms_key = match destination.get("EncryptionConfiguration") {
            Some(e) => self.opt_str(e, "ReplicaKmsKeyID"),
            None => None,
        };
        Some(ReplicationRule {
            id,
            enabled,
            sse_kms_encrypted_objects,
            destination_bucket,
            destination_account,
            replica_kms_key,
            span: rule.span,
        })
    }

    /// `aws s3api get-bucket-encryption`: the first rule with a default (S3 allows one).
    pub(super) fn bucket_encryption(&mut self, root: &Node<'_>) {
        let Some(config) = self.req_object(root, "ServerSideEncryptionConfiguration") else {
            return;
        };
        let rules = self.list(config, "Rules");
        let Some(rule) = rules.first() else {
            self.missing(config, "Rules");
            return;
        };
        let Some(default) = self.req_object(rule, "ApplyServerSideEncryptionByDefault") else {
            return;
        };
        let Some(algorithm) = self.req_str(default, "SSEAlgorithm") else {
            return;
        };
        let kms_key = self.opt_str(default, "KMSMasterKeyID");
        let bucket_key_enabled = self
            .opt_bool(rule, "BucketKeyEnabled")
            .is_some_and(|b| b.node);
        let blocked_encryption_types = self.blocked_types(rule);
        let encryption = BucketEncryption {
            algorithm,
            kms_key,
            bucket_key_enabled,
            blocked_encryption_types,
        };
        self.with_bucket(
            (config.span, "ServerSideEncryptionConfiguration"),
            "encryption",
            "default encryption",
            |b| {
                b.encryption = Some(encryption);
            },
        );
    }

    /// `BlockedEncryptionTypes`: `{"EncryptionType": ["SSE-C"]}` as the API writes it (an
    /// array or a single string accepted too). `NONE` blocks nothing and is dropped.
    fn blocked_types(&mut self, rule: &Node<'_>) -> Vec<String> {
        let Some(node) = rule.get("BlockedEncryptionTypes") else {
            return Vec::new();
        };
        let inner = node.get("EncryptionType").unwrap_or(node);
        let values: Vec<String> = match &inner.value {
            Value::String(s) => vec![s.to_string()],
            Value::Array(items) => items
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_owned)
                .collect(),
            Value::Null => Vec::new(),
            _ => {
                self.wrong_type(
                    "BlockedEncryptionTypes",
                    "an object with `EncryptionType`",
                    node,
                );
                Vec::new()
            }
        };
        values.into_iter().filter(|v| v != "NONE").collect()
    }

    /// `aws s3api get-bucket-location`: `null` (or empty) is `us-east-1`, the legacy `EU` is
    /// `eu-west-1`.
    pub(super) fn bucket_location(&mut self, root: &Node<'_>) {
        let Some(node) = root.get("LocationConstraint") else {
            return;
        };
        let region = match &node.value {
            Value::Null => "us-east-1".to_owned(),
            Value::String(s) if s.is_empty() => "us-east-1".to_owned(),
            Value::String(s) if s == "EU" => "eu-west-1".to_owned(),
            Value::String(s) => s.to_string(),
            _ => {
                self.wrong_type("LocationConstraint", "a string or null", node);
                return;
            }
        };
        self.with_bucket(
            (root.span, "LocationConstraint"),
            "location",
            "location",
            |b| {
                b.region = Some(region);
            },
        );
    }

    /// `aws s3api get-bucket-versioning`: `Enabled`, `Suspended`, or nothing (never enabled;
    /// the CLI prints no output, which the collector writes as `{}`).
    pub(super) fn bucket_versioning(&mut self, root: &Node<'_>) {
        let enabled = self
            .opt_str(root, "Status")
            .is_some_and(|s| s.node == "Enabled");
        self.with_bucket((root.span, ""), "versioning", "versioning status", |b| {
            b.versioning_enabled = Some(enabled);
        });
    }

    /// Attaches a bucket policy to the bucket the manifest names.
    pub(super) fn attach_bucket_policy(&mut self, policy: Policy, span: Span, location: &str) {
        let name = self.hints.bucket.clone().unwrap_or_default();
        let doc = self.doc(policy, span, location, format!("bucket policy of {name}"));
        self.with_bucket((span, location), "policy", "bucket policy", |b| {
            b.policy = Some(doc);
        });
    }
}
