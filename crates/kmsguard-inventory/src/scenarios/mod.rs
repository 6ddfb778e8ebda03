//! Scenario checks: misconfigurations between several documents, found by asking the
//! evaluator the questions AWS will ask (scenarios.md).
//!
//! Each check walks the inventory, builds the request AWS sends in that scenario (the caller,
//! the action, the key, `kms:ViaService`, the encryption context, `kms:GrantIsForAWSResource`)
//! and asks a [`World`]. A finding names the principal, the key, the missing actions and the
//! side that lacks them (key policy, IAM policy, or the statement that denies), and carries a
//! [`Fix`]: the statement to paste, which [`apply_fix`] can also apply to the inventory.

mod fix;
mod global_data;
mod multi_region;
mod replication;
mod rotation;
mod sharing;
mod via_service;

pub use fix::{Fix, FixTarget, apply_fix};

use kmsguard_eval::Decision;
use kmsguard_syntax::{Code, Diagnostic, Severity, Span};

use crate::access::{Answer, Ask, Principal, Side, World};
use crate::model::{FileId, Inventory, Key, Origin};

/// A scenario check's description, for `kmsguard rules` and `kmsguard explain`.
#[derive(Clone, Copy, Debug)]
pub struct ScenarioMeta {
    /// Stable code (`S104`).
    pub code: Code,
    /// Default severity.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Why it matters and AWS's rule, with the scenarios.md reference.
    pub why: &'static str,
}

macro_rules! scenarios {
    ($($id:ident = ($code:literal, $name:literal, $sev:ident, $summary:literal, $why:literal);)*) => {
        /// Codes of the scenario checks.
        pub mod codes {
            use kmsguard_syntax::Code;
            $( #[doc = $summary] pub const $id: Code = Code::new($code, $name); )*
        }
        /// Every scenario check.
        pub const SCENARIOS: &[ScenarioMeta] = &[
            $( ScenarioMeta { code: codes::$id, severity: Severity::$sev, summary: $summary, why: $why }, )*
        ];
    };
}

scenarios! {
    S101 = ("S101", "replication-sse-kms-not-opted-in", Error,
        "a replication rule does not opt in to SSE-KMS objects of a bucket that uses SSE-KMS",
        "S3 replicates SSE-KMS encrypted objects only when the rule sets `SourceSelectionCriteria.SseKmsEncryptedObjects.Status` to `Enabled`; without it they are skipped silently (scenarios.md §1.1, S3REP-01).");
    S102 = ("S102", "replication-replica-key-missing", Error,
        "a replication rule replicates SSE-KMS objects but names no `ReplicaKmsKeyID`",
        "S3 needs `Destination.EncryptionConfiguration.ReplicaKmsKeyID` together with the SSE-KMS opt-in (scenarios.md §1.1, S3REP-02).");
    S103 = ("S103", "replication-replica-key-unusable", Error,
        "the replica key cannot encrypt the replicas: an alias, another Region, not symmetric, not enabled, or an AWS managed key of another account",
        "`ReplicaKmsKeyID` must be the ARN of an enabled symmetric encryption key in the destination bucket's Region; an alias resolves in the source account, and `PutBucketReplication` does not check (scenarios.md §1.1, S3REP-03/04/12).");
    S104 = ("S104", "replication-role-cannot-decrypt-source", Error,
        "the replication role cannot decrypt objects with the source bucket's key",
        "S3 reads SSE-KMS objects as the replication role, calling `kms:Decrypt` through `s3.<region>.amazonaws.com` with the object (or, with S3 Bucket Keys, the bucket) ARN as encryption context (scenarios.md §1.2 R1, S3REP-05).");
    S105 = ("S105", "replication-role-cannot-encrypt-replica", Error,
        "the replication role cannot encrypt replicas with the replica key",
        "S3 writes replicas as the replication role, calling `kms:Encrypt` (and `kms:Decrypt` when the destination uses S3 Bucket Keys) on `ReplicaKmsKeyID` through `s3.<destination region>.amazonaws.com`; a key in another account must admit the role in its key policy too (scenarios.md §1.2 R2/R3, S3REP-06/07/08/09/10).");
    S106 = ("S106", "replication-destination-blocks-sse-c", Warning,
        "the destination bucket blocks SSE-C while the source bucket may hold SSE-C objects",
        "S3 replicates SSE-C objects since 2022; since April 2026 new buckets block SSE-C by default (`BlockedEncryptionTypes`), so replicating SSE-C objects into such a bucket presumably fails (scenarios.md §1.1, S3REP-18).");
    S201 = ("S201", "shared-image-aws-managed-key", Error,
        "a shared image or snapshot is encrypted with an AWS managed key",
        "Snapshots encrypted with `aws/ebs` (or any AWS managed key) cannot be shared: the key policy cannot admit another account. Copy the image re-encrypting it with a customer managed key, and share the copy (scenarios.md §2.1, AMI-01).");
    S202 = ("S202", "shared-image-key-not-shared", Error,
        "the key of a shared image or snapshot does not let the target account use it",
        "An account that launches or copies a shared encrypted image needs `kms:DescribeKey`, `kms:Decrypt`, `kms:ReEncrypt*` and `kms:CreateGrant` on every snapshot's key, through the key policy and its own IAM policies (scenarios.md §2.1, AMI-02/04/06).");
    S203 = ("S203", "shared-image-consumer-iam-missing", Error,
        "the key policy admits the target account, but its principals have no IAM permission for the key",
        "Cross-account key use needs an IAM allow in the caller's account as well as the key policy (kms.md §8, scenarios.md AMI-03).");
    S204 = ("S204", "public-image-encrypted", Error,
        "an image with encrypted snapshots is public",
        "Encrypted snapshots and images with encrypted snapshots cannot be made public; share them with accounts, organizations or OUs (scenarios.md §2.1, AMI-12).");
    S205 = ("S205", "shared-image-missing-generate-data-key", Warning,
        "the target account cannot call `kms:GenerateDataKeyWithoutPlaintext` on the key of a shared image",
        "EC2 calls `GenerateDataKeyWithoutPlaintext` when a launch or copy creates new encrypted volumes under the shared key (scenarios.md §2.1: report its absence as a warning).");
    S301 = ("S301", "multi-region-policy-drift", Warning,
        "the key policies of a multi-Region primary and its replica differ",
        "Key policies, grants and key state are independent for each key of a multi-Region set; a change to the primary's policy does not reach its replicas (kms.md §5, scenarios.md MRK-01).");
    S302 = ("S302", "multi-region-grants-drift", Warning,
        "a grant on one key of a multi-Region set has no counterpart on another",
        "Grants are per key: a grant on the primary does not apply to its replicas (kms.md §5, scenarios.md MRK-10).");
    S303 = ("S303", "global-data-key-not-in-region", Error,
        "client-side encrypted global data lives in a Region without a usable key of its multi-Region set",
        "Client-side encryption of a DynamoDB global table or an Aurora global database needs, in every Region the data lives in, an enabled key that shares the key material: a multi-Region key replicated into that Region (same key id, Regional ARN). A single-Region key cannot decrypt elsewhere without a cross-Region call, a Region without a replica cannot decrypt at all, and a disabled or deleted replica stops the application there (scenarios.md §4.1, MRK-04/MRK-06; https://aws.amazon.com/blogs/security/encrypt-global-data-client-side-with-aws-kms-multi-region-keys/). Fix: replicate the key into the Region (`aws kms replicate-key --key-id PRIMARY-ARN --replica-region REGION --policy file://POLICY`; without `--policy` the replica gets the default key policy), enable a disabled replica (`aws kms enable-key`, after `aws kms cancel-key-deletion` for one pending deletion), or move the data to a multi-Region key. The client-side encryption is declared in `kmsguard.inventory.toml` (`[[client_side_encryption]]`, docs/inventory.md).");
    S304 = ("S304", "global-data-role-cannot-use-key", Error,
        "an application role cannot use the multi-Region key of a Region its client-side encrypted global data lives in",
        "Each key of a multi-Region set has its own key policy, and IAM policies name keys by their Regional ARN: a statement added to the primary's key policy, or an IAM `Resource` listing only the primary's ARN, does not allow `kms:GenerateDataKey`, `kms:Decrypt` or `kms:DescribeKey` on the replica the application calls in another Region (scenarios.md §4.1, MRK-01/MRK-02; https://aws.amazon.com/blogs/security/encrypt-global-data-client-side-with-aws-kms-multi-region-keys/). Fix: the finding names the missing side and gives the statement to add — to that Region's key policy, or to the role's IAM policy with that Region's key ARN as `Resource`; an explicit deny is named by its policy and `Sid`.");
    S401 = ("S401", "rotation-disabled", Warning,
        "automatic rotation is off on a customer managed symmetric key with AWS_KMS key material",
        "Only customer managed `SYMMETRIC_DEFAULT` keys whose material KMS generated (`Origin: AWS_KMS`) outside custom key stores can rotate automatically, and it is off by default; asymmetric, HMAC, imported-material and custom-key-store keys cannot, and AWS managed keys always do (kms.md §6.1).");
    S402 = ("S402", "unusable-key-in-use", Error,
        "a key that is disabled, pending deletion or pending import is still configured for use",
        "Cryptographic operations fail on a key that is not `Enabled`: a bucket's default encryption key, an image's or snapshot's key, or the EBS default key in that state breaks every write or launch that uses it (kms.md §7).");
    S501 = ("S501", "via-service-wrong-region", Error,
        "a `kms:ViaService` condition names only Regions other than the key's",
        "The Region in `kms:ViaService` is the Region of the service endpoint that calls KMS, which is always the key's Region; a statement whose values all name another Region (or no Region) never matches (scenarios.md general rule 3, S3REP-08).");
}

/// The metadata of `code`.
#[must_use]
pub fn meta(code: &str) -> Option<&'static ScenarioMeta> {
    SCENARIOS.iter().find(|m| m.code.as_str() == code)
}

/// One scenario finding.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The file the finding is reported in (the place to change).
    pub file: FileId,
    /// The finding.
    pub diagnostic: Diagnostic,
    /// The change that makes it go away, when one statement does.
    pub fixes: Vec<Fix>,
    /// The whole document the finding is about (its label may mark only part of it).
    pub scope: Span,
}

/// Runs every scenario check. Findings come out in a deterministic order (by file, position,
/// code).
#[must_use]
pub fn run(inv: &Inventory) -> Vec<Finding> {
    let mut world = World::new(inv);
    let mut out = Vec::new();
    replication::check(&mut world, &mut out);
    sharing::check(&mut world, &mut out);
    multi_region::check(inv, &mut out);
    global_data::check(&mut world, &mut out);
    rotation::check(inv, &mut out);
    via_service::check(inv, &mut out);
    merge_causes(&mut out);
    out.sort_by(|a, b| {
        (
            a.file,
            a.diagnostic.primary_span(),
            a.diagnostic.code.as_str(),
        )
            .cmp(&(
                b.file,
                b.diagnostic.primary_span(),
                b.diagnostic.code.as_str(),
            ))
    });
    out.dedup_by(|a, b| {
        a.file == b.file
            && a.diagnostic.code == b.diagnostic.code
            && a.diagnostic.message == b.diagnostic.message
    });
    out
}

/// Keeps one finding per mistake where two checks see the same one:
///
/// - a `kms:ViaService` Region mismatch (S501) and the permission it makes a scenario miss
///   (S104, S105, S202, S203, S205) in the same policy: the S501 finding stays, at the exact
///   value to change, and says what it breaks;
/// - an unusable replica key (S103) and the same key reported as unusable where it is
///   configured (S402): the S103 finding stays.
///
/// (A key-policy drift (S301) that denies an application role on a replica is merged into
/// the role's S304 finding by the global-data check itself, which can ask the evaluator.)
fn merge_causes(out: &mut Vec<Finding>) {
    let missing = [
        codes::S104,
        codes::S105,
        codes::S202,
        codes::S203,
        codes::S205,
    ];
    let causes: Vec<(FileId, Span)> = out
        .iter()
        .filter(|f| f.diagnostic.code == codes::S501)
        .map(|f| (f.file, f.diagnostic.primary_span()))
        .collect();
    let mut consequences = Vec::new();
    out.retain(|f| {
        if !missing.contains(&f.diagnostic.code) {
            return true;
        }
        let doc = f.scope;
        let caused = causes
            .iter()
            .any(|(file, at)| *file == f.file && doc.start <= at.start && at.end <= doc.end);
        if caused {
            consequences.push((f.file, doc, f.diagnostic.message.clone()));
        }
        !caused
    });
    for f in out.iter_mut().filter(|f| f.diagnostic.code == codes::S501) {
        let at = f.diagnostic.primary_span();
        let effects: Vec<&str> = consequences
            .iter()
            .filter(|(file, doc, _)| *file == f.file && doc.start <= at.start && at.end <= doc.end)
            .map(|(_, _, m)| m.as_str())
            .collect();
        if !effects.is_empty() {
            let note = f.diagnostic.note.take().unwrap_or_default();
            f.diagnostic.note = Some(format!("{note}\nAs a result, {}", effects.join("; ")));
        }
    }
    let unusable_replicas: Vec<String> = out
        .iter()
        .filter(|f| f.diagnostic.code == codes::S103)
        .map(|f| f.diagnostic.message.clone())
        .collect();
    out.retain(|f| {
        f.diagnostic.code != codes::S402
            || !f
                .diagnostic
                .message
                .split('`')
                .nth(1)
                .is_some_and(|key| unusable_replicas.iter().any(|m| m.contains(key)))
    });
}

/// A finding at `origin`.
fn finding(code: Code, origin: &Origin, label: &str, message: String) -> Finding {
    let severity = meta(code.as_str()).map_or(Severity::Error, |m| m.severity);
    let mut d = Diagnostic::new(severity, code, message).label(origin.span, label);
    if let Some(m) = meta(code.as_str()) {
        d = d.note(m.why);
    }
    Finding {
        file: origin.file,
        diagnostic: d,
        fixes: Vec::new(),
        scope: origin.span,
    }
}

/// `file:line` of a span, for notes that point at another document.
fn place(inv: &Inventory, origin: &Origin) -> String {
    match inv.file(origin.file) {
        Some(f) => {
            let lc = f.line_col(origin.span.start);
            let loc = if origin.location.is_empty() {
                String::new()
            } else {
                format!(" ({})", origin.location)
            };
            format!("{}:{}{loc}", f.name(), lc.line)
        }
        None => origin.location.clone(),
    }
}

/// A set of actions one principal needs on one key, asked together so that a finding lists
/// every missing action of the same side at once.
struct Need<'a> {
    principal: &'a Principal,
    key: &'a Key,
    actions: &'a [&'a str],
    context: Vec<(String, kmsguard_eval::context::ContextValue)>,
    /// Extra context for `kms:CreateGrant`.
    grant_context: bool,
}

/// What asking a [`Need`] found: per side, the actions missing there.
#[derive(Debug, Default)]
struct Missing {
    key_policy: Vec<String>,
    iam: Vec<String>,
    both: Vec<String>,
    denied: Vec<(String, String)>,
    unknown: Vec<(String, String)>,
}

fn ask_all(world: &mut World<'_>, need: &Need<'_>) -> Missing {
    let mut m = Missing::default();
    for &action in need.actions {
        let mut context = need.context.clone();
        if need.grant_context && action == "kms:CreateGrant" {
            context.push((
                "kms:GrantIsForAWSResource".to_owned(),
                kmsguard_eval::context::ContextValue::Single("true".to_owned()),
            ));
        }
        let ask = Ask {
            principal: need.principal,
            action,
            key: need.key,
            context,
        };
        let Answer { decision, side, .. } = world.answer(&ask);
        if decision == Decision::Allow {
            continue;
        }
        match side {
            Side::None => {}
            Side::KeyPolicy => m.key_policy.push(action.to_owned()),
            Side::Iam => m.iam.push(action.to_owned()),
            Side::Both => m.both.push(action.to_owned()),
            Side::Denied { layer, statement } => m
                .denied
                .push((action.to_owned(), format!("{layer}: {statement}"))),
            Side::Unknown(why) => m.unknown.push((action.to_owned(), why)),
        }
    }
    m
}

fn list(actions: &[String]) -> String {
    actions
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns what is missing into findings: one for the key policy side, one for the IAM side,
/// one per denying statement.
#[allow(clippy::too_many_arguments)]
fn report_missing(
    world: &World<'_>,
    need: &Need<'_>,
    missing: &Missing,
    (code, iam_code): (Code, Code),
    purpose: &str,
    sid_hint: &str,
    fallback: &Origin,
    out: &mut Vec<Finding>,
) {
    let inv = world.inventory();
    let p = need.principal;
    let k = need.key;
    let via = need.context.iter().find_map(|(k, v)| match v {
        kmsguard_eval::context::ContextValue::Single(s) if k == "kms:ViaService" => Some(s.clone()),
        _ => None,
    });
    let key_side: Vec<String> = missing
        .key_policy
        .iter()
        .chain(&missing.both)
        .cloned()
        .collect();
    let iam_side: Vec<String> = missing.iam.iter().chain(&missing.both).cloned().collect();
    if !key_side.is_empty() {
        let origin = k.policy.as_ref().map_or(&k.origin, |d| &d.origin);
        let anchor = key_anchor(k, p).unwrap_or(origin.span);
        let fix = Fix::key_statement(k, p, &key_side, via.as_deref(), sid_hint);
        let mut f = finding(
            code,
            origin,
            "this key policy does not admit the caller",
            format!(
                "{} cannot call {} on key `{}` {purpose}: the key policy does not allow it",
                p.describe(),
                list(&key_side),
                k.arn
            ),
        );
        f.diagnostic.labels = vec![kmsguard_syntax::Label {
            span: anchor,
            text: Some(if anchor == origin.span {
                "this key policy does not admit the caller".to_owned()
            } else {
                "this statement does not cover it".to_owned()
            }),
            primary: true,
        }];
        f.diagnostic = f.diagnostic.help(format!(
            "add this statement to the key policy of `{}`:\n{}",
            k.arn, fix.statement
        ));
        f.fixes.push(fix);
        out.push(f);
    }
    if !iam_side.is_empty() {
        let identity = inv.find_identity(&p.arn);
        let origin = identity.map_or(fallback, |i| &i.origin);
        let fix = Fix::identity_statement(k, p, &iam_side, via.as_deref(), sid_hint);
        let mut f = finding(
            iam_code,
            origin,
            "this principal's IAM policies do not allow it",
            format!(
                "{} cannot call {} on key `{}` {purpose}: {}",
                p.describe(),
                list(&iam_side),
                k.arn,
                if p.account == k.account {
                    "the key policy delegates to the account, but no IAM policy of the principal allows it"
                } else {
                    "the key is in another account, so an IAM policy in the principal's account must allow it too"
                }
            ),
        );
        f.diagnostic = f.diagnostic.help(format!(
            "add this statement to an IAM policy of `{}`:\n{}",
            p.arn, fix.statement
        ));
        f.fixes.push(fix);
        out.push(f);
    }
    for (action, by) in &missing.denied {
        let f = finding(
            code,
            fallback,
            "denied for this scenario",
            format!(
                "{} cannot call `{action}` on key `{}` {purpose}: an explicit deny in the {by}",
                p.describe(),
                k.arn
            ),
        );
        out.push(Finding {
            diagnostic: f.diagnostic.help(
                "narrow the denying statement (add a condition that excludes this request) or remove it",
            ),
            ..f
        });
    }
}

/// Where a key-policy finding points: the first statement that names the caller (or its
/// account), the one to extend; else the first statement.
fn key_anchor(k: &Key, p: &Principal) -> Option<Span> {
    use kmsguard_syntax::ast::{PrincipalEntry, Principals};
    let doc = k.policy.as_ref()?;
    let names = |st: &kmsguard_syntax::ast::Statement| {
        st.principal
            .as_ref()
            .is_some_and(|b| match &b.principals().node {
                Principals::Any => false,
                Principals::Map(entries) => entries.iter().any(|e| match e {
                    PrincipalEntry::Aws(list) => list
                        .node
                        .iter()
                        .any(|x| x.node.text == p.arn || x.node.text == p.policy_arn()),
                    _ => false,
                }),
            })
    };
    let st = doc
        .policy
        .statements
        .iter()
        .find(|s| names(&s.node) && !s.span.is_empty())
        .or_else(|| doc.policy.statements.first())?;
    // The statement's first character is enough to find it.
    Some(Span::new(
        st.span.start as usize,
        st.span.start as usize + 1,
    ))
}

fn span_in(origin: &Origin, span: Span) -> Origin {
    Origin {
        span,
        ..origin.clone()
    }
}
