//! The model of one or more AWS accounts that scenario checks and queries run on.
//!
//! Every reader (AWS CLI outputs, CloudFormation templates, Terraform plans) produces the same
//! [`Inventory`]: keys with their policies, grants and metadata; IAM roles, users and groups
//! with their policies; S3 buckets; EC2 images and snapshots; organization policies. Each item
//! carries an [`Origin`] — the file, the span and a readable location — so a finding can point
//! at the place to change.
//!
//! Identifiers are kept as AWS writes them (full ARNs where AWS has one). A value that the input
//! cannot know (a template parameter, a plan's `after_unknown`) is a placeholder string
//! (`kmsguard_syntax::unknown`); a check that depends on it concludes nothing.

use kmsguard_syntax::ast::{Grant, Policy, PolicyKind};
use kmsguard_syntax::{Diagnostic, SourceFile, Span, Spanned};

/// Index of a file in [`Inventory::files`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// Whether an item describes the world as it is, or a change under review.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum State {
    /// Deployed today (AWS CLI output of a live account).
    #[default]
    Current,
    /// Proposed (a template, a plan, or a file the manifest marks as proposed). Where a
    /// proposed item and a current one describe the same resource, the proposed one wins:
    /// pre-deploy checks evaluate the world after the change.
    Proposed,
}

/// Where an item was read from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file.
    pub file: FileId,
    /// The item's span in the file (for a policy, the whole document).
    pub span: Span,
    /// A readable location: a JSON path (`RoleDetailList[3]`), a CloudFormation logical id
    /// (`Resources.DataKey`) or a Terraform address (`module.kms.aws_kms_key.this`).
    pub location: String,
    /// Current or proposed.
    pub state: State,
}

/// A policy document with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// The lowered policy.
    pub policy: Policy,
    /// Whether reading it produced an error-level diagnostic (AWS would reject it, so it never
    /// yields a confident Allow).
    pub has_errors: bool,
    /// Where it was read from.
    pub origin: Origin,
    /// A name for explanations (`role/Replication inline policy kms`, `key policy of …`).
    pub label: String,
}

impl Doc {
    /// The policy's kind.
    #[must_use]
    pub fn kind(&self) -> PolicyKind {
        self.policy.kind
    }
}

/// Who manages a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyManager {
    /// An AWS managed key (`aws/s3`, `aws/ebs`, …): its policy cannot be changed, it cannot be
    /// used across accounts, and it rotates every year on its own.
    Aws,
    /// A customer managed key.
    Customer,
}

/// A KMS key.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
    pub arn: String,
    /// The key id (the last part of the ARN).
    pub id: String,
    /// The owning account.
    pub account: String,
    /// The Region.
    pub region: String,
    /// `KeySpec` (`SYMMETRIC_DEFAULT`, `RSA_2048`, `HMAC_256`, …), when known.
    pub spec: Option<String>,
    /// `KeyUsage`, when known.
    pub usage: Option<String>,
    /// `Origin` (`AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`), when known.
    pub key_origin: Option<String>,
    /// `KeyManager`, when known.
    pub manager: Option<KeyManager>,
    /// `KeyState` (`Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, …), when known.
    pub state: Option<String>,
    /// Whether it is a multi-Region key.
    pub multi_region: Option<bool>,
    /// For a multi-Region replica, the primary key's ARN; for a primary, `None`.
    pub primary_arn: Option<String>,
    /// For a multi-Region key whose `MultiRegionConfiguration` was read: the Region of every
    /// key of its set (the primary and all replicas). Empty when unknown.
    pub multi_region_set: Vec<String>,
    /// `CustomKeyStoreId`, when the key lives in a custom key store.
    pub custom_key_store: Option<String>,
    /// Whether automatic rotation is enabled (`get-key-rotation-status`, `EnableKeyRotation`).
    pub rotation_enabled: Option<Spanned<bool>>,
    /// Where the rotation setting was read, when that is another file than the key's
    /// (`get-key-rotation-status` output); `None` means the key's own file.
    pub rotation_origin: Option<Origin>,
    /// The key policy.
    pub policy: Option<Doc>,
    /// The grants on the key.
    pub grants: Vec<GrantItem>,
    /// Where the key itself was described (describe-key output, template resource).
    pub origin: Origin,
}

impl Key {
    /// A key known only by its ARN parts, every fact about it unknown (a key that a grant, a
    /// policy or a reference names before, or without, its description).
    #[must_use]
    pub fn unknown(
        arn: String,
        id: String,
        account: String,
        region: String,
        origin: Origin,
    ) -> Self {
        Self {
            arn,
            id,
            account,
            region,
            spec: None,
            usage: None,
            key_origin: None,
            manager: None,
            state: None,
            multi_region: None,
            primary_arn: None,
            multi_region_set: Vec::new(),
            custom_key_store: None,
            rotation_enabled: None,
            rotation_origin: None,
            policy: None,
            grants: Vec::new(),
            origin,
        }
    }
}

/// A grant with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantItem {
    /// The grant.
    pub grant: Grant,
    /// Where it was read from.
    pub origin: Origin,
}

/// A KMS alias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// `alias/name`.
    pub name: String,
    /// The alias ARN, when known.
    pub arn: Option<String>,
    /// The key id or ARN it points at.
    pub target_key: Option<String>,
    /// The account.
    pub account: Option<String>,
    /// The Region.
    pub region: Option<String>,
    /// Where it was read from.
    pub origin: Origin,
}

/// The kind of an IAM identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// An IAM role.
    Role,
    /// An IAM user.
    User,
    /// An IAM group (its policies apply to its member users).
    Group,
}

/// An IAM role, user or group.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    /// Role, user or group.
    pub kind: IdentityKind,
    /// The ARN (`arn:aws:iam::ACCOUNT:role/PATH/NAME`).
    pub arn: String,
    /// The name.
    pub name: String,
    /// The account.
    pub account: String,
    /// The role's or user's unique id (`AROA…`, `AIDA…`), when known.
    pub unique_id: Option<String>,
    /// Inline policies.
    pub inline_policies: Vec<Doc>,
    /// ARNs of attached managed policies (looked up in [`Inventory::managed_policies`]).
    pub attached_policies: Vec<Spanned<String>>,
    /// For users: the names of their groups.
    pub groups: Vec<String>,
    /// The ARN of the permissions boundary, when one is set.
    pub boundary: Option<Spanned<String>>,
    /// For roles: the trust policy.
    pub trust_policy: Option<Doc>,
    /// Where it was read from.
    pub origin: Origin,
}

/// A customer or AWS managed IAM policy (its default version).
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPolicy {
    /// The policy ARN.
    pub arn: String,
    /// The document.
    pub doc: Doc,
}

/// `get-bucket-encryption`: the bucket's default encryption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketEncryption {
    /// `SSEAlgorithm`: `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: Spanned<String>,
    /// `KMSMasterKeyID`: a key id, key ARN, alias name or alias ARN; `None` means `aws/s3`.
    pub kms_key: Option<Spanned<String>>,
    /// `BucketKeyEnabled`.
    pub bucket_key_enabled: bool,
    /// `BlockedEncryptionTypes` (2026: `SSE-C` is blocked by default on new buckets).
    pub blocked_encryption_types: Vec<String>,
}

/// One rule of a replication configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicationRule {
    /// `ID`.
    pub id: Option<String>,
    /// `Status` is `Enabled`.
    pub enabled: bool,
    /// `SourceSelectionCriteria.SseKmsEncryptedObjects.Status`: `Some(true)` when `Enabled`.
    pub sse_kms_encrypted_objects: Option<Spanned<bool>>,
    /// `Destination.Bucket` (a bucket ARN).
    pub destination_bucket: Spanned<String>,
    /// `Destination.Account`.
    pub destination_account: Option<String>,
    /// `Destination.EncryptionConfiguration.ReplicaKmsKeyID`.
    pub replica_kms_key: Option<Spanned<String>>,
    /// The rule's span.
    pub span: Span,
}

/// `get-bucket-replication`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replication {
    /// `Role`: the replication role's ARN.
    pub role: Spanned<String>,
    /// The rules.
    pub rules: Vec<ReplicationRule>,
    /// Where it was read from.
    pub origin: Origin,
}

/// An S3 bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// The bucket name.
    pub name: String,
    /// The owning account, when known.
    pub account: Option<String>,
    /// The Region (`get-bucket-location`; `None` for `LocationConstraint: null` means
    /// `us-east-1`, which the reader fills in).
    pub region: Option<String>,
    /// Default encryption.
    pub encryption: Option<BucketEncryption>,
    /// Versioning is `Enabled` (replication requires it on both sides).
    pub versioning_enabled: Option<bool>,
    /// Replication configuration.
    pub replication: Option<Replication>,
    /// Bucket policy.
    pub policy: Option<Doc>,
    /// Where the bucket was first described.
    pub origin: Origin,
}

impl Bucket {
    /// `arn:aws:s3:::NAME` (the partition is `aws` unless the name says otherwise).
    #[must_use]
    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.name)
    }
}

/// Who may launch an image or create volumes from a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sharing {
    /// Accounts (`UserId`).
    pub accounts: Vec<Spanned<String>>,
    /// Organizations and OUs (`OrganizationArn`, `OrganizationalUnitArn`).
    pub organizations: Vec<Spanned<String>>,
    /// `Group: all` (public).
    pub public: Option<Span>,
}

/// An EC2 image (AMI).
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// `ImageId`.
    pub id: String,
    /// `OwnerId`.
    pub account: Option<String>,
    /// The Region, when known (from the manifest or an ARN).
    pub region: Option<String>,
    /// `Public`.
    pub public: bool,
    /// The snapshot ids of its EBS block devices, with whether each is encrypted.
    pub snapshots: Vec<ImageSnapshot>,
    /// Launch permissions (`describe-image-attribute --attribute launchPermission`).
    pub launch_permissions: Sharing,
    /// Where it was read from.
    pub origin: Origin,
}

/// One EBS block device of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSnapshot {
    /// `SnapshotId`.
    pub snapshot_id: String,
    /// `Encrypted`.
    pub encrypted: bool,
    /// `KmsKeyId`, when the image lists it.
    pub kms_key: Option<String>,
    /// The block device's span.
    pub span: Span,
}

/// An EBS snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// `SnapshotId`.
    pub id: String,
    /// `OwnerId`.
    pub account: Option<String>,
    /// The Region, when known.
    pub region: Option<String>,
    /// `Encrypted`.
    pub encrypted: bool,
    /// `KmsKeyId` (a key ARN).
    pub kms_key: Option<Spanned<String>>,
    /// `createVolumePermission`.
    pub volume_permissions: Sharing,
    /// Where it was read from.
    pub origin: Origin,
}

/// An EBS volume (a CloudFormation `AWS::EC2::Volume`, `ec2 describe-volumes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    /// `VolumeId` (for a template, the logical id).
    pub id: String,
    /// The owning account, when known.
    pub account: Option<String>,
    /// The Region, when known.
    pub region: Option<String>,
    /// `Encrypted`, when stated (`None`: the account's encryption-by-default decides).
    pub encrypted: Option<bool>,
    /// `KmsKeyId` (a key id, key ARN, alias name or alias ARN); `None` means the account's
    /// default EBS key.
    pub kms_key: Option<Spanned<String>>,
    /// `SnapshotId` the volume is created from.
    pub snapshot_id: Option<String>,
    /// Where it was read from.
    pub origin: Origin,
}

/// `ec2 get-ebs-default-kms-key-id` for one account and Region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EbsDefault {
    /// The account, when known.
    pub account: Option<String>,
    /// The Region, when known.
    pub region: Option<String>,
    /// `KmsKeyId`.
    pub kms_key: Spanned<String>,
    /// Where it was read from.
    pub origin: Origin,
}

/// What kind of data set a [`GlobalData`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GlobalDataKind {
    /// A DynamoDB global table (`aws dynamodb describe-table`).
    DynamoDbGlobalTable,
    /// An Aurora global database (`aws rds describe-global-clusters`).
    AuroraGlobalDatabase,
}

impl GlobalDataKind {
    /// How findings name it.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::DynamoDbGlobalTable => "DynamoDB global table",
            Self::AuroraGlobalDatabase => "Aurora global database",
        }
    }
}

/// One Region a [`GlobalData`] set keeps its data in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataRegion {
    /// The Region.
    pub region: String,
    /// The replica's or member cluster's status, when the output gives one
    /// (`ReplicaStatus`: `ACTIVE`, `CREATING`, …).
    pub status: Option<String>,
    /// The member cluster's ARN (Aurora), when known.
    pub member: Option<String>,
    /// Whether this is the Region that accepts writes (Aurora `IsWriter`), when known.
    pub writer: Option<bool>,
    /// The server-side encryption key the service uses there (`KMSMasterKeyId` of a DynamoDB
    /// replica, `SSEDescription.KMSMasterKeyArn` of the table), when the output names one.
    pub sse_key: Option<String>,
    /// Where this Region is listed (the replica entry, the member cluster, or the table).
    pub span: Span,
}

/// A data set kept in several Regions: a DynamoDB global table or an Aurora global database.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalData {
    /// DynamoDB global table or Aurora global database.
    pub kind: GlobalDataKind,
    /// The ARN the output gives (`TableArn` of this Region's table, `GlobalClusterArn`).
    pub arn: String,
    /// The table name or global cluster identifier.
    pub name: String,
    /// The account, when known.
    pub account: Option<String>,
    /// The Regions its data lives in (replicas, member clusters), in output order.
    pub regions: Vec<DataRegion>,
    /// `StorageEncrypted` of an Aurora global database (server-side), when given.
    pub storage_encrypted: Option<bool>,
    /// Where it was read from.
    pub origin: Origin,
}

impl GlobalData {
    /// Whether the data is kept in `region` (a replica that is being deleted, failed to be
    /// created or is archived does not count).
    #[must_use]
    pub fn lives_in(&self, region: &str) -> bool {
        self.regions
            .iter()
            .any(|r| r.region == region && r.is_live())
    }
}

impl DataRegion {
    /// Whether data is (or is about to be) kept there.
    #[must_use]
    pub fn is_live(&self) -> bool {
        !matches!(
            self.status.as_deref(),
            Some("DELETING" | "CREATION_FAILED" | "ARCHIVED")
        )
    }
}

/// Client-side encryption of a global data set with a multi-Region key, as the manifest's
/// `[[client_side_encryption]]` declares it (AWS APIs cannot see client-side encryption).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSideEncryption {
    /// `data`: the DynamoDB table ARN or the Aurora global cluster ARN.
    pub data: String,
    /// `key`: the key ARN or key id the application encrypts with.
    pub key: String,
    /// `roles`: the application roles (or users) that encrypt and decrypt in every Region.
    pub roles: Vec<String>,
    /// `region_roles`: roles that encrypt and decrypt in one Region only.
    pub region_roles: Vec<(String, Vec<String>)>,
    /// `encryption_context`: the encryption context the application passes.
    pub encryption_context: Vec<(String, String)>,
    /// Where it is declared (`path/kmsguard.inventory.toml:LINE`).
    pub declared_at: String,
}

impl ClientSideEncryption {
    /// The roles that use the key in `region`.
    #[must_use]
    pub fn roles_in(&self, region: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let here = self
            .region_roles
            .iter()
            .filter(|(r, _)| r == region)
            .flat_map(|(_, roles)| roles);
        for role in self.roles.iter().chain(here) {
            if !out.contains(&role.as_str()) {
                out.push(role);
            }
        }
        out
    }
}

/// SCP or RCP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgPolicyKind {
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
}

/// An organization policy and where it is attached.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgPolicy {
    /// SCP or RCP.
    pub kind: OrgPolicyKind,
    /// The policy's name or id.
    pub name: String,
    /// The document.
    pub doc: Doc,
    /// Targets: the root (`r-…`), OUs (`ou-…`) and accounts (12 digits).
    pub targets: Vec<String>,
}

/// An account's place in the organization: the path from the root to the account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgAccount {
    /// The account id.
    pub account: String,
    /// Root id, then OU ids, outermost first (`["r-ab12", "ou-ab12-prod"]`).
    pub path: Vec<String>,
    /// Whether it is the management account (SCPs and RCPs do not apply to it).
    pub management: bool,
}

/// One or more accounts.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Every file read, indexed by [`FileId`].
    pub files: Vec<SourceFile>,
    /// KMS keys.
    pub keys: Vec<Key>,
    /// KMS aliases.
    pub aliases: Vec<Alias>,
    /// IAM roles, users and groups.
    pub identities: Vec<Identity>,
    /// Managed IAM policies.
    pub managed_policies: Vec<ManagedPolicy>,
    /// S3 buckets.
    pub buckets: Vec<Bucket>,
    /// AMIs.
    pub images: Vec<Image>,
    /// EBS snapshots.
    pub snapshots: Vec<Snapshot>,
    /// EBS default keys.
    pub ebs_defaults: Vec<EbsDefault>,
    /// EBS volumes.
    pub volumes: Vec<Volume>,
    /// SCPs and RCPs.
    pub org_policies: Vec<OrgPolicy>,
    /// Organization structure, when known.
    pub org_accounts: Vec<OrgAccount>,
    /// DynamoDB global tables and Aurora global databases.
    pub global_data: Vec<GlobalData>,
    /// Client-side encryption the manifests declare.
    pub client_side_encryption: Vec<ClientSideEncryption>,
    /// What the readers reported, per file.
    pub diagnostics: Vec<(FileId, Diagnostic)>,
}

impl Inventory {
    /// Adds a file and returns its id.
    pub fn add_file(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    /// The file with id `id`.
    #[must_use]
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The key with this ARN, key id, or alias (name or ARN, resolved through
    /// [`Inventory::aliases`]). `account` and `region` scope a bare key id or alias name.
    #[must_use]
    pub fn find_key(&self, reference: &str) -> Option<&Key> {
        if let Some(k) = self.keys.iter().find(|k| k.arn == reference) {
            return Some(k);
        }
        if reference.starts_with("arn:") && reference.contains(":key/") {
            return None;
        }
        let alias = reference
            .split_once(":alias/")
            .map(|(_, n)| format!("alias/{n}"))
            .or_else(|| {
                reference
                    .starts_with("alias/")
                    .then(|| reference.to_owned())
            });
        if let Some(name) = alias {
            let target = self
                .aliases
                .iter()
                .find(|a| a.name == name || a.arn.as_deref() == Some(reference))?
                .target_key
                .as_deref()?;
            return self.find_key(target);
        }
        let mut matches = self.keys.iter().filter(|k| k.id == reference);
        let first = matches.next()?;
        // A bare id that two accounts share (generated inventories) is ambiguous.
        matches.next().is_none().then_some(first)
    }

    /// The identity with this ARN.
    #[must_use]
    pub fn find_identity(&self, arn: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.arn == arn)
    }

    /// The bucket with this name or ARN.
    #[must_use]
    pub fn find_bucket(&self, name_or_arn: &str) -> Option<&Bucket> {
        let name = name_or_arn
            .strip_prefix("arn:aws:s3:::")
            .unwrap_or(name_or_arn);
        self.buckets.iter().find(|b| b.name == name)
    }

    /// The managed policy with this ARN.
    #[must_use]
    pub fn find_managed_policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.managed_policies.iter().find(|p| p.arn == arn)
    }
}
