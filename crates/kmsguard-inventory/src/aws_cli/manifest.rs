//! `kmsguard.inventory.toml`: what an inventory directory's files cannot say about themselves.
//!
//! ```toml
//! account = "111111111111"          # defaults for every file of the directory
//! region = "eu-west-1"
//! state = "current"                 # or "proposed"
//!
//! [[file]]
//! path = "orders-src/get-bucket-encryption.json"
//! bucket = "orders-src-euw1"        # what the document belongs to
//!
//! [[file]]
//! path = "keys/source-key-policy.json"
//! key = "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d"
//! state = "proposed"
//!
//! [[organization.account]]
//! id = "111111111111"
//! path = ["r-ab12", "ou-ab12-prod"]
//!
//! [[client_side_encryption]]          # what AWS APIs cannot see
//! data = "arn:aws:dynamodb:eu-west-1:111111111111:table/ledger"
//! key = "arn:aws:kms:eu-west-1:111111111111:key/mrk-4f2a9c1d7e3b4a6f8c0d2e4f6a8b0c1d"
//! roles = ["arn:aws:iam::111111111111:role/ledger-app"]
//! encryption_context = { app = "ledger" }
//! ```
//!
//! The full list of keys is in `docs/inventory.md`. An unknown key, a malformed value or a
//! `path` that does not exist is an error naming the manifest's line.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{Shape, arn_parts, is_account_id};
use crate::model::{ClientSideEncryption, State};

/// The manifest's file name.
pub const FILE_NAME: &str = "kmsguard.inventory.toml";

/// What a document is, for content that cannot say (`{"Policy": "..."}` is a key policy or a
/// bucket policy; a bare document is any policy), or to skip recognition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DocKind {
    /// A KMS key policy (`get-key-policy` or a bare document).
    KeyPolicy,
    /// An S3 bucket policy (`get-bucket-policy` or a bare document).
    BucketPolicy,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// An inline policy of the manifest's `role`, `user` or `group`.
    InlinePolicy,
    /// The trust policy of the manifest's `role`.
    TrustPolicy,
    /// The managed policy `policy_arn`.
    ManagedPolicy,
    /// `aws kms describe-key`.
    DescribeKey,
    /// `aws kms list-grants`.
    ListGrants,
    /// `aws kms get-key-rotation-status`.
    KeyRotationStatus,
    /// `aws kms list-aliases`.
    ListAliases,
    /// `aws iam get-account-authorization-details`.
    AccountAuthorizationDetails,
    /// `aws iam get-policy-version`.
    PolicyVersion,
    /// `aws s3api get-bucket-replication`.
    BucketReplication,
    /// `aws s3api get-bucket-encryption`.
    BucketEncryption,
    /// `aws s3api get-bucket-location`.
    BucketLocation,
    /// `aws s3api get-bucket-versioning` (its empty output `{}` needs this).
    BucketVersioning,
    /// `aws ec2 describe-images`.
    DescribeImages,
    /// `aws ec2 describe-snapshots`.
    DescribeSnapshots,
    /// `aws ec2 describe-image-attribute --attribute launchPermission`.
    ImageLaunchPermission,
    /// `aws ec2 describe-snapshot-attribute --attribute createVolumePermission`.
    SnapshotVolumePermission,
    /// `aws ec2 get-ebs-default-kms-key-id`.
    EbsDefaultKmsKey,
    /// `aws organizations describe-policy`.
    OrgPolicy,
    /// `aws organizations list-targets-for-policy`.
    PolicyTargets,
    /// `aws organizations list-parents`.
    Parents,
    /// `aws dynamodb describe-table`.
    DescribeTable,
    /// `aws rds describe-global-clusters`.
    DescribeGlobalClusters,
}

impl DocKind {
    /// The output shape this kind forces, for kinds that name a command; `None` for kinds
    /// that say what a policy document is (its shape is still recognised).
    pub(crate) fn shape(self) -> Option<Shape> {
        Some(match self {
            Self::KeyPolicy
            | Self::BucketPolicy
            | Self::Scp
            | Self::Rcp
            | Self::InlinePolicy
            | Self::TrustPolicy
            | Self::ManagedPolicy => return None,
            Self::DescribeKey => Shape::DescribeKey,
            Self::ListGrants => Shape::ListGrants,
            Self::KeyRotationStatus => Shape::RotationStatus,
            Self::ListAliases => Shape::ListAliases,
            Self::AccountAuthorizationDetails => Shape::AuthorizationDetails,
            Self::PolicyVersion => Shape::PolicyVersion,
            Self::BucketReplication => Shape::BucketReplication,
            Self::BucketEncryption => Shape::BucketEncryption,
            Self::BucketLocation => Shape::BucketLocation,
            Self::BucketVersioning => Shape::BucketVersioning,
            Self::DescribeImages => Shape::DescribeImages,
            Self::DescribeSnapshots => Shape::DescribeSnapshots,
            Self::ImageLaunchPermission => Shape::ImageAttribute,
            Self::SnapshotVolumePermission => Shape::SnapshotAttribute,
            Self::EbsDefaultKmsKey => Shape::EbsDefaultKey,
            Self::OrgPolicy => Shape::OrgPolicy,
            Self::PolicyTargets => Shape::PolicyTargets,
            Self::Parents => Shape::Parents,
            Self::DescribeTable => Shape::DescribeTable,
            Self::DescribeGlobalClusters => Shape::DescribeGlobalClusters,
        })
    }
}

/// What the manifest says a file belongs to (its `account`, `region` and `state` go into the
/// file's [`crate::LoadOptions`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileHints {
    /// `kind`.
    pub kind: Option<DocKind>,
    /// `key`: the key ARN of a key policy, rotation status or grant list.
    pub key: Option<String>,
    /// `bucket`: the bucket of an `s3api` output.
    pub bucket: Option<String>,
    /// `role`: the role name of an inline or trust policy.
    pub role: Option<String>,
    /// `user`: the user name of an inline policy.
    pub user: Option<String>,
    /// `group`: the group name of an inline policy.
    pub group: Option<String>,
    /// `policy_arn`: the managed policy of a `get-policy-version` output or bare document.
    pub policy_arn: Option<String>,
    /// `name`: the policy name of a bare inline policy, SCP or RCP.
    pub name: Option<String>,
    /// `policy`: the Organizations policy (id or name) a `list-targets-for-policy` output is of.
    pub policy: Option<String>,
    /// `child`: the account or OU a `list-parents` output is of.
    pub child: Option<String>,
    /// `targets`: where an SCP or RCP is attached (`r-…`, `ou-…`, account ids).
    pub targets: Vec<String>,
}

/// One `[[file]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// The file (the manifest's directory joined with `path`).
    pub path: PathBuf,
    /// The entry's line in the manifest.
    pub line: usize,
    /// `account`.
    pub account: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `state`.
    pub state: Option<State>,
    /// The rest.
    pub hints: FileHints,
}

/// One `[[organization.account]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccountEntry {
    /// `id`: the account.
    pub id: String,
    /// `path`: the root id, then OU ids, outermost first.
    pub path: Vec<String>,
    /// `management`: the management account (SCPs and RCPs do not apply to it).
    pub management: bool,
}

/// A parsed manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The directory it describes.
    pub dir: PathBuf,
    /// Default `account`.
    pub account: Option<String>,
    /// Default `region`.
    pub region: Option<String>,
    /// Default `state`.
    pub state: Option<State>,
    /// `[[file]]` entries.
    pub files: Vec<FileEntry>,
    /// `[[organization.account]]` entries.
    pub organization: Vec<OrgAccountEntry>,
    /// `[[client_side_encryption]]` entries.
    pub client_side_encryption: Vec<ClientSideEncryption>,
    /// Index of `files` by path (inventories list thousands of files).
    index: std::collections::HashMap<PathBuf, usize>,
}

/// A manifest that cannot be used: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// The manifest file.
    pub path: PathBuf,
    /// 1-based line, 0 when the problem is not at a line (the file cannot be read).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for ManifestError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    account: Option<Spanned<String>>,
    region: Option<String>,
    state: Option<RawState>,
    #[serde(default)]
    file: Vec<RawFile>,
    organization: Option<RawOrganization>,
    #[serde(default)]
    client_side_encryption: Vec<RawClientSideEncryption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClientSideEncryption {
    data: Spanned<String>,
    key: Spanned<String>,
    roles: Option<Spanned<Vec<String>>>,
    region_roles: Option<Spanned<std::collections::BTreeMap<String, Vec<String>>>>,
    encryption_context: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawState {
    Current,
    Proposed,
}

impl From<RawState> for State {
    fn from(s: RawState) -> Self {
        match s {
            RawState::Current => State::Current,
            RawState::Proposed => State::Proposed,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    path: Spanned<String>,
    account: Option<Spanned<String>>,
    region: Option<String>,
    state: Option<RawState>,
    kind: Option<DocKind>,
    key: Option<Spanned<String>>,
    bucket: Option<String>,
    role: Option<String>,
    user: Option<String>,
    group: Option<String>,
    policy_arn: Option<Spanned<String>>,
    name: Option<String>,
    policy: Option<String>,
    child: Option<String>,
    targets: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    #[serde(default)]
    account: Vec<RawOrgAccount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrgAccount {
    id: Spanned<String>,
    path: Spanned<Vec<String>>,
    #[serde(default)]
    management: bool,
}

impl Manifest {
    /// Reads `dir`'s manifest, if it has one.
    ///
    /// # Errors
    /// The manifest cannot be read or is invalid.
    pub fn load(dir: &Path) -> Result<Option<Self>, ManifestError> {
        let path = dir.join(FILE_NAME);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| ManifestError {
            path: path.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        Self::parse(&text, &path).map(Some)
    }

    /// Parses manifest text; `path` is the manifest file (its directory anchors `path`
    /// entries, which must exist).
    ///
    /// # Errors
    /// Invalid TOML, an unknown key, a malformed value, or a `path` that does not exist.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ManifestError> {
        let src = Src {
            path,
            newlines: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        };
        let err = |offset: usize, message: String| src.err(offset, message);
        let raw: RawManifest = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            err(offset, e.message().trim_end().to_owned())
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let account = raw.account.map(|a| check_account(a, &src)).transpose()?;
        let mut files: Vec<FileEntry> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for f in raw.file {
            let entry = file_entry(f, &dir, &src)?;
            if index.insert(entry.path.clone(), files.len()).is_some() {
                return Err(ManifestError {
                    line: entry.line,
                    ..err(
                        0,
                        format!("`{}` has two `[[file]]` entries", entry.path.display()),
                    )
                });
            }
            files.push(entry);
        }
        let mut organization = Vec::new();
        for a in raw.organization.map(|o| o.account).unwrap_or_default() {
            let id = check_account(a.id, &src)?;
            let span = a.path.span();
            let org_path = a.path.into_inner();
            check_org_path(&org_path).map_err(|m| err(span.start, m))?;
            organization.push(OrgAccountEntry {
                id,
                path: org_path,
                management: a.management,
            });
        }
        let client_side_encryption = raw
            .client_side_encryption
            .into_iter()
            .map(|c| client_side_encryption(c, &src))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            dir,
            account,
            region: raw.region,
            state: raw.state.map(State::from),
            files,
            organization,
            client_side_encryption,
            index,
        })
    }

    /// The entry for `file`, if any.
    #[must_use]
    pub fn entry(&self, file: &Path) -> Option<&FileEntry> {
        let file = normalize(file);
        self.files.get(*self.index.get(&file)?)
    }
}

/// The manifest's text and path, for errors that name a line.
struct Src<'a> {
    path: &'a Path,
    /// Offsets of the line breaks, for line numbers of thousands of entries.
    newlines: Vec<usize>,
}

impl Src<'_> {
    fn line(&self, offset: usize) -> usize {
        // One-based: the line breaks before `offset`, plus one.
        self.newlines.partition_point(|&n| n < offset) + 1
    }

    fn err(&self, offset: usize, message: String) -> ManifestError {
        ManifestError {
            path: self.path.to_path_buf(),
            line: self.line(offset),
            message,
        }
    }
}

fn check_account(a: Spanned<String>, src: &Src<'_>) -> Result<String, ManifestError> {
    let start = a.span().start;
    let a = a.into_inner();
    if is_account_id(&a) {
        Ok(a)
    } else {
        Err(src.err(start, format!("`{a}` is not an account id (12 digits)")))
    }
}

fn file_entry(f: RawFile, dir: &Path, src: &Src<'_>) -> Result<FileEntry, ManifestError> {
    let err = |offset: usize, message: String| src.err(offset, message);
    let at = f.path.span().start;
    let line_err = |m: String| err(at, m);
    let rel = f.path.into_inner();
    let path = normalize(&dir.join(&rel));
    if !path.is_file() {
        return Err(line_err(format!(
            "`{rel}` does not exist in {}",
            dir.display()
        )));
    }
    let account = f.account.map(|a| check_account(a, src)).transpose()?;
    let key = match f.key {
        Some(k) => {
            let start = k.span().start;
            let k = k.into_inner();
            if !super::kms::is_key_arn(&k) {
                return Err(err(
                    start,
                    format!(
                        "`key` must be a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`), found `{k}`"
                    ),
                ));
            }
            Some(k)
        }
        None => None,
    };
    let policy_arn = match f.policy_arn {
        Some(p) => {
            let start = p.span().start;
            let p = p.into_inner();
            if !arn_parts(&p)
                .is_some_and(|a| a.service == "iam" && a.resource.starts_with("policy/"))
            {
                return Err(err(
                    start,
                    format!("`policy_arn` must be an IAM policy ARN, found `{p}`"),
                ));
            }
            Some(p)
        }
        None => None,
    };
    let owners = [
        key.is_some(),
        f.bucket.is_some(),
        f.role.is_some(),
        f.user.is_some(),
        f.group.is_some(),
        policy_arn.is_some(),
    ];
    if owners.iter().filter(|o| **o).count() > 1 {
        return Err(line_err(format!(
            "`{rel}` names more than one of `key`, `bucket`, `role`, `user`, `group`, `policy_arn`"
        )));
    }
    let targets = match f.targets {
        Some(t) => {
            let start = t.span().start;
            let t = t.into_inner();
            if let Some(bad) = t
                .iter()
                .find(|t| !(t.starts_with("r-") || t.starts_with("ou-") || is_account_id(t)))
            {
                return Err(err(
                    start,
                    format!(
                        "target `{bad}` is not a root (`r-…`), an OU (`ou-…`) or an account id"
                    ),
                ));
            }
            t
        }
        None => Vec::new(),
    };
    Ok(FileEntry {
        path,
        line: src.line(at),
        account,
        region: f.region,
        state: f.state.map(State::from),
        hints: FileHints {
            kind: f.kind,
            key,
            bucket: f.bucket,
            role: f.role,
            user: f.user,
            group: f.group,
            policy_arn,
            name: f.name,
            policy: f.policy,
            child: f.child,
            targets,
        },
    })
}

/// A `[[client_side_encryption]]` entry, checked.
fn client_side_encryption(
    c: RawClientSideEncryption,
    src: &Src<'_>,
) -> Result<ClientSideEncryption, ManifestError> {
    let at = c.data.span().start;
    let data = c.data.into_inner();
    let data_ok = arn_parts(&data).is_some_and(|p| {
        (p.service == "dynamodb"
            && p.resource.starts_with("table/")
            && !p.region.is_empty()
            && is_account_id(p.account))
            || (p.service == "rds"
                && p.resource.starts_with("global-cluster:")
                && is_account_id(p.account))
    });
    if !data_ok {
        return Err(src.err(
            at,
            format!(
                "`data` must be a DynamoDB table ARN (`arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`) or an Aurora global cluster ARN (`arn:aws:rds::ACCOUNT:global-cluster:ID`), found `{data}`"
            ),
        ));
    }
    let key_at = c.key.span().start;
    let key = c.key.into_inner();
    if !(super::kms::is_key_arn(&key) || is_key_id(&key)) {
        return Err(src.err(
            key_at,
            format!(
                "`key` must be a key ARN or a key id (`mrk-…` or a UUID), found `{key}`; aliases name different keys in different Regions"
            ),
        ));
    }
    let mut roles = Vec::new();
    if let Some(r) = c.roles {
        let start = r.span().start;
        roles = r.into_inner();
        check_roles(&roles).map_err(|m| src.err(start, m))?;
    }
    let mut region_roles = Vec::new();
    if let Some(r) = c.region_roles {
        let start = r.span().start;
        for (region, list) in r.into_inner() {
            if !is_region(&region) {
                return Err(src.err(
                    start,
                    format!(
                        "`region_roles` keys must be Region names (`us-east-1`), found `{region}`"
                    ),
                ));
            }
            check_roles(&list).map_err(|m| src.err(start, m))?;
            region_roles.push((region, list));
        }
    }
    if roles.is_empty() && region_roles.iter().all(|(_, l)| l.is_empty()) {
        return Err(src.err(
            at,
            "`[[client_side_encryption]]` names no application role: give `roles` (every Region) or `region_roles` (per Region)".to_owned(),
        ));
    }
    let mut encryption_context = Vec::new();
    if let Some(e) = c.encryption_context {
        let start = e.span().start;
        for (k, v) in e.into_inner() {
            if k.is_empty() {
                return Err(src.err(
                    start,
                    "`encryption_context` keys must not be empty".to_owned(),
                ));
            }
            encryption_context.push((k, v));
        }
    }
    Ok(ClientSideEncryption {
        data,
        key,
        roles,
        region_roles,
        encryption_context,
        declared_at: format!("{}:{}", src.path.display(), src.line(at)),
    })
}

/// Whether `s` is a key id: `mrk-` and 32 hex digits, or a UUID.
fn is_key_id(s: &str) -> bool {
    let hex = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = s.strip_prefix("mrk-") {
        return hex(rest, 32);
    }
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5 && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| hex(p, n))
}

/// Whether `s` looks like a Region name (`eu-west-1`, `us-gov-west-1`).
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

fn check_roles(roles: &[String]) -> Result<(), String> {
    match roles.iter().find(|r| {
        !arn_parts(r).is_some_and(|p| {
            p.service == "iam"
                && is_account_id(p.account)
                && (p.resource.starts_with("role/") || p.resource.starts_with("user/"))
        })
    }) {
        Some(bad) => Err(format!(
            "application roles must be IAM role or user ARNs (`arn:aws:iam::ACCOUNT:role/NAME`), found `{bad}`"
        )),
        None => Ok(()),
    }
}

fn check_org_path(path: &[String]) -> Result<(), String> {
    match path.split_first() {
        None => Err("`path` must start with the root id (`r-…`)".to_owned()),
        Some((root, _)) if !root.starts_with("r-") => Err(format!(
            "`path` must start with the root id (`r-…`), found `{root}`"
        )),
        Some((_, ous)) => match ous.iter().find(|o| !o.starts_with("ou-")) {
            Some(bad) => Err(format!(
                "`path` lists OU ids (`ou-…`) after the root, found `{bad}`"
            )),
            None => Ok(()),
        },
    }
}

/// `path` without `.` components (so `./a.json` and `a.json` match).
#[must_use]
pub fn normalize(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| *c != Component::CurDir)
        .collect()
}
