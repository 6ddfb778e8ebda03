//! Terraform plans: the JSON that `terraform show -json PLANFILE` prints.
//!
//! # What is read
//!
//! The proposed world is `resource_changes[].change.after` of every managed resource that the
//! plan keeps (a `delete` has `"after": null` and is left out). Data sources come from the
//! same list (read at apply time) or from `prior_state` and `planned_values` (read while
//! planning). Each supported resource type becomes items of the [`Inventory`], each with an
//! [`Origin`] whose `location` is the resource address (`module.kms.aws_kms_key.this`) and
//! whose span is the `resource_changes` entry (for a policy, the policy string). A policy
//! given as a JSON string (`jsonencode(...)` or `data.aws_iam_policy_document.x.json`) is read
//! with spans on the exact characters inside the string, through its escapes.
//!
//! | resource types | items |
//! | --- | --- |
//! | `aws_kms_key`, `aws_kms_external_key`, `aws_kms_replica_key`, `aws_kms_replica_external_key` | keys |
//! | `aws_kms_key_policy`, `aws_kms_grant`, `aws_kms_alias` | a key's policy and grants; aliases |
//! | `aws_iam_role`, `aws_iam_user`, `aws_iam_group`, `aws_iam_policy` | identities; managed policies |
//! | `aws_iam_{role,user,group}_policy`, `aws_iam_{role,user,group}_policy_attachment`, `aws_iam_policy_attachment`, `aws_iam_user_group_membership`, `aws_iam_group_membership` | inline policies, attachments, groups |
//! | `aws_s3_bucket` (with the inline blocks of provider 3.x), `aws_s3_bucket_policy`, `aws_s3_bucket_versioning`, `aws_s3_bucket_server_side_encryption_configuration`, `aws_s3_bucket_replication_configuration` | buckets |
//! | `aws_ami`, `aws_ami_copy`, `aws_ami_from_instance`, `aws_ami_launch_permission` | images and their sharing |
//! | `aws_ebs_volume`, `aws_ebs_snapshot`, `aws_ebs_snapshot_copy`, `aws_ebs_snapshot_import`, `aws_snapshot_create_volume_permission`, `aws_ebs_default_kms_key` | volumes, snapshots and their sharing, EBS default keys |
//!
//! # Values unknown until apply
//!
//! Terraform lists values it cannot know yet in `after_unknown`. kmsguard never guesses them
//! and never reports an error for them:
//!
//! - Where the configuration's expression refers to one attribute of another resource
//!   (`"references": ["aws_kms_key.replica.arn", "aws_kms_key.replica"]`), through variables
//!   and module outputs if need be, and that attribute is itself unknown, the value is a
//!   stand-in that names the resource exactly: a new key is
//!   `arn:aws:kms:REGION:ACCOUNT:key/ADDRESS` with key id `ADDRESS`, a role
//!   `arn:aws:iam::ACCOUNT:role/PATH/NAME`, a bucket `arn:aws:s3:::NAME`, an image
//!   `ami-ADDRESS`, a snapshot `snap-ADDRESS`. The key itself, a replication rule's
//!   `replica_kms_key_id` and an IAM policy's `Resource` that refer to it then hold the same
//!   string, which is what the scenario checks compare. (An unknown value whose only reference
//!   is known, such as `"${var.prefix}-${uuid()}"`, is not a copy of it and stays unknown.)
//! - An unknown list (`resources = [aws_kms_key.a.arn, aws_kms_key.b.arn]`) resolves only when
//!   every reference is a value that is used whole (a key, alias, role, user, group or policy
//!   ARN, an account principal); a bucket ARN is commonly extended (`"${...arn}/*"`), so such
//!   a list stays unknown.
//! - A policy that is unknown because it is built by a `data.aws_iam_policy_document` read
//!   at apply time is rebuilt from that data source's statement blocks, with the same
//!   resolution for each value.
//! - Anything else is a placeholder (`kmsguard_syntax::unknown`), so a check that depends on
//!   it concludes nothing; a policy that is unknown as a whole is left out with an
//!   informational [`P402`] finding.
//! - An `aws_kms_key` (or replica key) whose configuration sets no `policy` gets the default
//!   key policy KMS attaches in that case (root account delegation), labelled as such.
//!
//! # Account and Region
//!
//! A plan rarely states the account it deploys to. The sources, in order: the provider
//! configuration (`region`; a single `allowed_account_ids` entry), the data sources the plan
//! read (`data.aws_caller_identity.*.account_id`, `data.aws_region.*.name`), the
//! [`LoadOptions`] `account` and `region`, and finally the stand-ins `000000000000` and
//! `us-east-1`. The stand-ins are a deliberate choice: every reference to the plan's own
//! account is then the same account, which is all the checks need to tell the plan's own
//! principals from other accounts (`222222222222` in a key policy is still another account).
//! Resources of an aliased provider (`provider = aws.replica`) take that provider's Region.
//!
//! # Not modelled
//!
//! Organizations policies and attachments, S3 access points, and the grants that services
//! create for themselves at apply time are not read.

mod addr;
mod cursor;
mod ec2;
mod env;
mod iam;
mod kms;
mod plan;
mod policy;
mod s3;
mod symbolic;

use std::collections::HashSet;

use kmsguard_syntax::json::{self, Limits, Node};
use kmsguard_syntax::{Code, Diagnostic, Span};

use crate::load::LoadOptions;
use crate::model::{FileId, Inventory, Origin, State};
pub use env::{STAND_IN_ACCOUNT, STAND_IN_REGION};

/// The input is not the shape of `terraform show -json` output.
pub const P401: Code = Code::new("P401", "invalid-plan");
/// A value kmsguard needs (a policy) is unknown until the plan is applied.
pub const P402: Code = Code::new("P402", "unknown-until-apply");
/// The plan's `format_version` is not one kmsguard knows.
pub const P403: Code = Code::new("P403", "unsupported-plan-version");

/// Every code this reader reports.
pub const CODES: &[Code] = &[P401, P402, P403];

/// Whether a JSON text looks like `terraform show -json` output.
#[must_use]
pub fn looks_like_plan(text: &str) -> bool {
    text.contains("\"planned_values\"") || text.contains("\"resource_changes\"")
}

/// Reads one plan already added to `inv`. Problems are recorded in
/// [`Inventory::diagnostics`]; nothing in the input makes it panic.
pub fn read(inv: &mut Inventory, file: FileId, options: &LoadOptions) {
    let Some(source) = inv.file(file).cloned() else {
        return;
    };
    let text = source.text();
    let root = match json::parse(text, &Limits::default()) {
        Ok(root) => root,
        Err(e) => {
            inv.diagnostics
                .push((file, kmsguard_syntax::formats::json_diagnostic(&e)));
            return;
        }
    };
    let mut diags = Vec::new();
    if !is_plan(&root, &mut diags) {
        inv.diagnostics.extend(diags.into_iter().map(|d| (file, d)));
        return;
    }
    plan::check_shape(&root, &mut diags);
    let mut plan = plan::Plan::index(&root, &mut diags);
    plan.env = env::Env::compute(&plan, options);
    inv.diagnostics.extend(diags.into_iter().map(|d| (file, d)));
    let mut cx = Cx {
        plan: &plan,
        text,
        inv,
        file,
        state: options.state.unwrap_or(State::Proposed),
        reported: HashSet::new(),
    };
    build(&mut cx);
}

fn is_plan(root: &Node<'_>, diags: &mut Vec<Diagnostic>) -> bool {
    let first = Span::new(root.span.start as usize, root.span.start as usize + 1);
    if root.as_object().is_none() {
        diags.push(
            Diagnostic::error(
                P401,
                format!("a Terraform plan is an object, found {}", root.type_name()),
            )
            .label(first, "not an object")
            .help("pass the output of `terraform show -json PLANFILE`"),
        );
        return false;
    }
    if root.get("planned_values").is_none() && root.get("resource_changes").is_none() {
        diags.push(
            Diagnostic::error(P401, "not a Terraform plan: no `planned_values` or `resource_changes`")
                .label(first, "plan members missing")
                .note("`terraform show -json` prints a saved plan; `terraform show -json` without a plan file prints the state, which kmsguard does not read as a plan")
                .help("run `terraform plan -out=tfplan` and pass the output of `terraform show -json tfplan`"),
        );
        return false;
    }
    if let Some(v) = root.get("format_version") {
        if let Some(s) = v.as_str() {
            if s.split('.').next() != Some("1") {
                diags.push(
                    Diagnostic::warning(P403, format!("plan format version `{s}` is not one kmsguard knows"))
                        .label(v.span, "expected `1.x`")
                        .note("kmsguard reads the plan format of Terraform 1.x (format versions 1.0 to 1.2); a new major version may have changed its shape")
                        .help("check the findings by hand, or use a Terraform 1.x to print the plan"),
                );
            }
        }
    }
    true
}

/// An error-level P401 finding at `node`.
fn invalid(message: &str, node: &Node<'_>) -> Diagnostic {
    Diagnostic::error(P401, message.to_owned())
        .label(node.span, format!("found {}", node.type_name()))
        .help("pass the unmodified output of `terraform show -json PLANFILE`")
}

/// What the builders share.
struct Cx<'a, 'n> {
    /// The indexed plan.
    plan: &'a plan::Plan<'n>,
    /// The plan's text.
    text: &'a str,
    /// The inventory being filled.
    inv: &'a mut Inventory,
    /// The plan's file.
    file: FileId,
    /// Current or proposed.
    state: State,
    /// Findings already recorded (a document two resources use is read twice, and its
    /// findings are reported once).
    reported: HashSet<(Code, Span, String)>,
}

impl<'a, 'n> Cx<'a, 'n> {
    /// The top of resource instance `res`.
    fn root(&self, res: usize) -> cursor::Cursor<'a, 'n> {
        cursor::Cursor::root(self.plan, res)
    }

    /// An origin in this file.
    fn origin(&self, span: Span, location: &str) -> Origin {
        Origin {
            file: self.file,
            span,
            location: location.to_owned(),
            state: self.state,
        }
    }

    /// Records a finding.
    fn report(&mut self, d: Diagnostic) {
        if self
            .reported
            .insert((d.code, d.primary_span(), d.message.clone()))
        {
            self.inv.diagnostics.push((self.file, d));
        }
    }
}

/// The order in which resource types are read: the things others attach to first.
/// Reads one resource instance into the inventory.
type Builder = fn(&mut Cx<'_, '_>, usize);

fn phase(kind: &str) -> Option<(u8, Builder)> {
    Some(match kind {
        "aws_kms_key" | "aws_kms_external_key" => (0, kms::key),
        "aws_iam_role" | "aws_iam_user" | "aws_iam_group" => (0, iam::identity),
        "aws_iam_policy" => (0, iam::managed_policy),
        "aws_s3_bucket" => (0, s3::bucket),
        "aws_ebs_volume" => (0, ec2::volume),
        "aws_ebs_snapshot" | "aws_ebs_snapshot_copy" | "aws_ebs_snapshot_import" => {
            (0, ec2::snapshot)
        }
        "aws_kms_replica_key" | "aws_kms_replica_external_key" => (1, kms::replica_key),
        "aws_ami" | "aws_ami_copy" | "aws_ami_from_instance" => (1, ec2::image),
        "aws_kms_key_policy" => (2, kms::key_policy),
        "aws_kms_grant" => (2, kms::grant),
        "aws_kms_alias" => (2, kms::alias),
        "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
            (2, iam::inline_policy)
        }
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment" => (2, iam::attachment),
        "aws_iam_policy_attachment" => (2, iam::exclusive_attachment),
        "aws_iam_user_group_membership" | "aws_iam_group_membership" => (2, iam::membership),
        "aws_s3_bucket_policy" => (2, s3::bucket_policy),
        "aws_s3_bucket_versioning" => (2, s3::versioning),
        "aws_s3_bucket_server_side_encryption_configuration" => (2, s3::encryption),
        "aws_s3_bucket_replication_configuration" => (2, s3::replication),
        "aws_ami_launch_permission" => (2, ec2::launch_permission),
        "aws_snapshot_create_volume_permission" => (2, ec2::volume_permission),
        "aws_ebs_default_kms_key" => (2, ec2::ebs_default),
        _ => return None,
    })
}

fn build(cx: &mut Cx<'_, '_>) {
    for pass in 0..3u8 {
        for i in 0..cx.plan.resources.len() {
            let Some(r) = cx.plan.res(i) else { continue };
            if r.data {
                continue;
            }
            if let Some((p, f)) = phase(&r.kind) {
                if p == pass {
                    f(cx, i);
                }
            }
        }
    }
}
