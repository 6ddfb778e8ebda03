//! AWS CLI JSON outputs and the `kmsguard.inventory.toml` manifest.
//!
//! Each file is recognised by its content (its top-level members), never by its name:
//! `describe-key`, `get-key-policy`, `list-grants`, `get-key-rotation-status`, `list-aliases`
//! ([`kms`]); `get-account-authorization-details`, `get-role-policy` and friends,
//! `get-policy-version` ([`iam`]); `get-bucket-replication`, `get-bucket-encryption`,
//! `get-bucket-location`, `get-bucket-versioning`, `get-bucket-policy` ([`s3`]);
//! `describe-images`, `describe-snapshots`, their permission attributes and
//! `get-ebs-default-kms-key-id` ([`ec2`]); `describe-policy`, `list-targets-for-policy` and
//! `list-parents` of AWS Organizations ([`organizations`]); `dynamodb describe-table`
//! ([`dynamodb`]) and `rds describe-global-clusters` ([`rds`]). Policies are read with
//! `kmsguard_syntax`, so a policy embedded as a string keeps spans into the file.
//!
//! Much of what an output describes is not in the output: `get-bucket-encryption` does not
//! name its bucket, a bare key policy does not name its key. The [`manifest`] of the file's
//! directory says it ([`FileHints`]); without it such a document is reported as unattached
//! (`P501`) and left out of the model.
//!
//! Where a proposed item (the manifest's `state = "proposed"`) and a current one describe the
//! same facet of the same resource, the proposed one wins whatever the order of the files
//! ([`Session`]).

mod dynamodb;
mod ec2;
mod fields;
mod iam;
mod kms;
pub mod manifest;
mod organizations;
mod rds;
mod s3;
mod store;

use kmsguard_syntax::ast::{Policy, PolicyKind};
use kmsguard_syntax::json::{self, Limits, Node, embedded_text, percent_decode};
use kmsguard_syntax::{
    Code, Diagnostic, InputFormat, ParseOptions, ParsedFile, Severity, SourceFile, Span,
};

use crate::load::LoadOptions;
use crate::model::{Doc, FileId, Inventory, Origin, State};

pub(crate) use fields::{arn_parts, array, is_account_id};
pub use manifest::{DocKind, FileHints, Manifest, ManifestError, OrgAccountEntry};
pub use store::Session;

/// A document the reader recognised but cannot tie to a resource: a bare key policy without
/// the key, an S3 output without its bucket, an inline policy whose account is unknown.
pub const UNATTACHED: Code = Code::new("P501", "unattached-document");

/// Reads one CLI output file already added to `inv`, using only its content (no manifest).
/// Relations that need another file (policy targets, organization parents) are resolved
/// against what `inv` already holds.
pub fn read(inv: &mut Inventory, file: FileId, options: &LoadOptions) {
    let mut session = Session::default();
    read_with(inv, file, options, &FileHints::default(), &mut session);
    session.finish(inv);
}

/// Reads one CLI output file already added to `inv`, with what the manifest says about it.
/// Call [`Session::finish`] once every file of a load is read.
pub fn read_with(
    inv: &mut Inventory,
    file: FileId,
    options: &LoadOptions,
    hints: &FileHints,
    session: &mut Session,
) {
    let Some(source) = inv.file(file).cloned() else {
        return;
    };
    let root = json::parse(source.text(), &Limits::default());
    read_parsed(inv, file, options, hints, session, root.as_ref(), None);
}

/// [`read_with`] for a file whose text was already parsed into `root` (the loader parses
/// files in parallel, then reads them in order).
pub fn read_parsed(
    inv: &mut Inventory,
    file: FileId,
    options: &LoadOptions,
    hints: &FileHints,
    session: &mut Session,
    root: Result<&Node<'_>, &kmsguard_syntax::json::JsonError>,
    pre: Option<(InputFormat, ParsedFile)>,
) {
    let Some(source) = inv.file(file).cloned() else {
        return;
    };
    let mut cx = Cx {
        inv,
        session,
        file,
        source: &source,
        state: options.state.unwrap_or_default(),
        account: options.account.clone(),
        region: options.region.clone(),
        hints,
        diags: Vec::new(),
        pre,
    };
    match root {
        Ok(root) => cx.read_node(root),
        Err(e) => cx.diags.push(kmsguard_syntax::formats::json_diagnostic(e)),
    }
    let Cx { inv, mut diags, .. } = cx;
    kmsguard_syntax::diagnostic::sort(&mut diags);
    inv.diagnostics.extend(diags.into_iter().map(|d| (file, d)));
}

/// The shapes of CLI output this reader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    DescribeKey,
    /// `{"Policy": "<json>"}`: `get-key-policy` or `get-bucket-policy`.
    PolicyString,
    ListGrants,
    Grant,
    RotationStatus,
    ListAliases,
    AuthorizationDetails,
    InlinePolicy,
    PolicyVersion,
    BucketReplication,
    BucketEncryption,
    BucketLocation,
    BucketVersioning,
    DescribeImages,
    DescribeSnapshots,
    ImageAttribute,
    SnapshotAttribute,
    EbsDefaultKey,
    /// `organizations describe-policy` (optionally with the `Targets` of
    /// `list-targets-for-policy` in the same object).
    OrgPolicy,
    PolicyTargets,
    Parents,
    /// `dynamodb describe-table`.
    DescribeTable,
    /// `rds describe-global-clusters`.
    DescribeGlobalClusters,
    /// A policy document with no wrapper.
    BarePolicy,
}

impl Shape {
    /// Recognises a document by its top-level members.
    fn detect(root: &Node<'_>) -> Option<Self> {
        let members = root.as_object()?;
        let has = |k: &str| members.iter().any(|m| m.key == k);
        let only = |allowed: &[&str]| {
            !members.is_empty() && members.iter().all(|m| allowed.contains(&m.key.as_ref()))
        };
        let shape = if has("KeyMetadata") {
            Self::DescribeKey
        } else if let Some(p) = root.get("Policy") {
            if p.as_object().is_some() {
                Self::OrgPolicy
            } else {
                Self::PolicyString
            }
        } else if has("Statement") {
            Self::BarePolicy
        } else if has("Grants") {
            Self::ListGrants
        } else if has("GranteePrincipal") || has("GranteeServicePrincipal") {
            Self::Grant
        } else if has("KeyRotationEnabled") {
            Self::RotationStatus
        } else if has("Aliases") {
            Self::ListAliases
        } else if has("PolicyVersion") {
            Self::PolicyVersion
        } else if has("PolicyDocument") {
            Self::InlinePolicy
        } else if has("RoleDetailList")
            || has("UserDetailList")
            || has("GroupDetailList")
            || iam_policy_list(root)
        {
            Self::AuthorizationDetails
        } else if has("ReplicationConfiguration") {
            Self::BucketReplication
        } else if has("ServerSideEncryptionConfiguration") {
            Self::BucketEncryption
        } else if has("LocationConstraint") {
            Self::BucketLocation
        } else if only(&["Status", "MFADelete"]) {
            Self::BucketVersioning
        } else if has("Images") {
            Self::DescribeImages
        } else if has("Snapshots") {
            Self::DescribeSnapshots
        } else if has("LaunchPermissions") {
            Self::ImageAttribute
        } else if has("CreateVolumePermissions") {
            Self::SnapshotAttribute
        } else if only(&["KmsKeyId"]) {
            Self::EbsDefaultKey
        } else if has("Targets") {
            Self::PolicyTargets
        } else if has("Parents") {
            Self::Parents
        } else if has("Table") {
            Self::DescribeTable
        } else if has("GlobalClusters") {
            Self::DescribeGlobalClusters
        } else if has("Version") {
            Self::BarePolicy
        } else {
            return None;
        };
        Some(shape)
    }
}

/// Whether `Policies` is the IAM list of `get-account-authorization-details` (entries with
/// `PolicyVersionList`) rather than an Organizations or `iam list-policies` summary.
fn iam_policy_list(root: &Node<'_>) -> bool {
    array(root.get("Policies"))
        .iter()
        .any(|p| p.get("PolicyVersionList").is_some())
}

/// The reading context of one file.
pub(crate) struct Cx<'a> {
    pub(crate) inv: &'a mut Inventory,
    pub(crate) session: &'a mut Session,
    pub(crate) file: FileId,
    pub(crate) source: &'a SourceFile,
    pub(crate) state: State,
    /// The account from the manifest or the options.
    pub(crate) account: Option<String>,
    /// The Region from the manifest or the options.
    pub(crate) region: Option<String>,
    pub(crate) hints: &'a FileHints,
    pub(crate) diags: Vec<Diagnostic>,
    /// This file already read with `kmsguard_syntax`'s reader for a known format (the loader
    /// does that in parallel for the large `get-account-authorization-details` outputs).
    pub(crate) pre: Option<(InputFormat, ParsedFile)>,
}

impl Cx<'_> {
    fn read_node(&mut self, root: &Node<'_>) {
        let shape = self
            .hints
            .kind
            .and_then(DocKind::shape)
            .or_else(|| Shape::detect(root));
        let Some(shape) = shape else {
            self.unrecognised(root);
            return;
        };
        match shape {
            Shape::DescribeKey => self.describe_key(root),
            Shape::PolicyString => self.policy_string(root),
            Shape::ListGrants => self.list_grants(root, InputFormat::ListGrants),
            Shape::Grant => self.list_grants(root, InputFormat::Grant),
            Shape::RotationStatus => self.rotation_status(root),
            Shape::ListAliases => self.list_aliases(root),
            Shape::AuthorizationDetails => self.authorization_details(root),
            Shape::InlinePolicy => self.inline_policy(root),
            Shape::PolicyVersion => self.policy_version(root),
            Shape::BucketReplication => self.bucket_replication(root),
            Shape::BucketEncryption => self.bucket_encryption(root),
            Shape::BucketLocation => self.bucket_location(root),
            Shape::BucketVersioning => self.bucket_versioning(root),
            Shape::DescribeImages => self.describe_images(root),
            Shape::DescribeSnapshots => self.describe_snapshots(root),
            Shape::ImageAttribute => self.image_attribute(root),
            Shape::SnapshotAttribute => self.snapshot_attribute(root),
            Shape::EbsDefaultKey => self.ebs_default(root),
            Shape::OrgPolicy => self.org_policy(root),
            Shape::PolicyTargets => self.policy_targets(root),
            Shape::Parents => self.parents(root),
            Shape::DescribeTable => self.describe_table(root),
            Shape::DescribeGlobalClusters => self.describe_global_clusters(root),
            Shape::BarePolicy => self.bare_policy(root),
        }
    }

    fn unrecognised(&mut self, root: &Node<'_>) {
        let start = root.span.start as usize;
        self.diags.push(
            Diagnostic::warning(
                Code::P007,
                "not an AWS CLI output that kmsguard reads into an inventory",
            )
            .label(Span::new(start, start.saturating_add(1)), "unrecognised document")
            .note("inventories are read from the JSON output of the `aws kms`, `aws iam`, `aws s3api`, `aws ec2`, `aws organizations`, `aws dynamodb` and `aws rds` commands listed in docs/inventory.md")
            .help("remove the file from the inventory directory, or name its `kind` in kmsguard.inventory.toml"),
        );
    }

    /// Claims facet `facet` of `resource` for this file (see [`Session`]); `held` is the state
    /// of what the model holds for it now.
    pub(crate) fn claim(
        &mut self,
        resource: &str,
        facet: &str,
        held: Option<State>,
    ) -> store::Claim {
        self.session.claim_over(resource, facet, self.state, held)
    }

    /// An origin in this file.
    pub(crate) fn origin(&self, span: Span, location: impl Into<String>) -> Origin {
        Origin {
            file: self.file,
            span,
            location: location.into(),
            state: self.state,
        }
    }

    /// Reads this file's parsed `root` with a known format (`kmsguard_syntax`'s readers),
    /// keeping their diagnostics.
    pub(crate) fn parse_known(
        &mut self,
        root: &Node<'_>,
        format: InputFormat,
        kind: Option<PolicyKind>,
    ) -> ParsedFile {
        let parsed = match self.pre.take() {
            Some((f, parsed)) if f == format && kind.is_none() => parsed,
            _ => {
                let options = ParseOptions {
                    format: Some(format),
                    kind,
                    limits: Limits::default(),
                };
                // The file is already parsed: only the lowering runs again.
                kmsguard_syntax::formats::parse_root(self.source.text(), root, &options)
            }
        };
        self.diags.extend(parsed.diagnostics.iter().cloned());
        parsed
    }

    /// Whether an error-level diagnostic of this file lies inside `span`.
    pub(crate) fn errors_in(&self, span: Span) -> bool {
        self.diags.iter().any(|d| {
            let p = d.primary_span();
            d.severity == Severity::Error && p.start >= span.start && p.end <= span.end
        })
    }

    /// A [`Doc`] for a policy read at `span`.
    pub(crate) fn doc(&self, policy: Policy, span: Span, location: &str, label: String) -> Doc {
        Doc {
            policy,
            has_errors: self.errors_in(span),
            origin: self.origin(span, location),
            label,
        }
    }

    /// Reads a policy that is either an object in place or a string holding JSON (possibly
    /// URL-encoded), keeping spans into the file. Used for shapes `kmsguard_syntax` does not
    /// know (the `Content` of an Organizations policy).
    pub(crate) fn embedded_policy(&mut self, node: &Node<'_>, kind: PolicyKind) -> Option<Policy> {
        let text = self.source.text();
        if node.as_str().is_none() {
            return kmsguard_syntax::lower::policy(node, kind, &mut self.diags);
        }
        let (inner, map) = embedded_text(text, node.span)?;
        let (inner, map) = if inner.trim_start().starts_with('%') {
            match percent_decode(&inner) {
                Some((decoded, m2)) => (decoded, m2.then(&map)),
                None => {
                    self.diags.push(
                        Diagnostic::error(Code::P008, "URL-encoded document could not be decoded")
                            .label(node.span, "malformed `%` escape or not UTF-8"),
                    );
                    return None;
                }
            }
        } else {
            (inner, map)
        };
        match json::parse(&inner, &Limits::default()) {
            Ok(mut root) => {
                root.map_spans(&|s: Span| map.span(s));
                kmsguard_syntax::lower::policy(&root, kind, &mut self.diags)
            }
            Err(e) => {
                let mut d = kmsguard_syntax::formats::json_diagnostic(&e);
                d.map_spans(&|s| map.span(s));
                d.message = format!("in the embedded document: {}", d.message);
                self.diags.push(d);
                None
            }
        }
    }

    /// Reports a document that cannot be tied to a resource.
    pub(crate) fn unattached(&mut self, span: Span, what: &str, needs: &str) {
        let start = span.start as usize;
        self.diags.push(
            Diagnostic::warning(UNATTACHED, format!("cannot tell which {what}"))
                .label(Span::new(start, start.saturating_add(1)), "read but left out of the inventory")
                .note("this AWS CLI output does not name what it belongs to")
                .help(format!("add a `[[file]]` entry for this file with `{needs}` to kmsguard.inventory.toml in its directory")),
        );
    }

    /// A name for this file in labels (`orders-src/get-bucket-policy.json`).
    pub(crate) fn file_stem(&self) -> String {
        let name = self.source.name();
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        base.rsplit_once('.')
            .map_or(base, |(stem, _)| stem)
            .to_owned()
    }
}

/// What the loader can read ahead, in parallel, for a parsed CLI output: the
/// `kmsguard_syntax` reading of a `get-account-authorization-details` output (its policies
/// lowered), which [`Cx::parse_known`] would otherwise do in the sequential pass.
#[must_use]
pub fn read_ahead(
    text: &str,
    root: &Node<'_>,
    hints: &FileHints,
) -> Option<(InputFormat, ParsedFile)> {
    if hints.kind.is_some() || Shape::detect(root) != Some(Shape::AuthorizationDetails) {
        return None;
    }
    let options = ParseOptions {
        format: Some(InputFormat::AuthorizationDetails),
        kind: None,
        limits: Limits::default(),
    };
    Some((
        InputFormat::AuthorizationDetails,
        kmsguard_syntax::formats::parse_root(text, root, &options),
    ))
}
