//! CloudFormation templates (JSON and YAML) to the [`Inventory`].
//!
//! A template is read in three steps:
//!
//! 1. **Text to tree.** JSON with `kmsguard_syntax::json::parse`; YAML with `saphyr-parser`
//!    ([`parse_yaml`]), short-form intrinsics (`!Sub`, `!GetAtt`, ...) turned into their long
//!    form. Either way every node has the byte span of the text it was read from.
//! 2. **Intrinsics.** `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`,
//!    `Fn::If` (with `Conditions`), `Fn::FindInMap`, `Fn::Base64`, `Fn::ToJsonString` and
//!    `Fn::Length` are evaluated. Pseudo parameters: `AWS::AccountId` is
//!    [`LoadOptions::account`], else the stand-in [`STAND_IN_ACCOUNT`] (all references to the
//!    stack's own account are then the same account, which is what the checks compare);
//!    `AWS::Region` is [`LoadOptions::region`], else [`STAND_IN_REGION`]; the partition and URL
//!    suffix follow from the Region. A resource's `Ref`/`Fn::GetAtt` is a stand-in of the right
//!    shape (a key's id is its logical id). What cannot be known before deployment
//!    (parameters without a default, `Fn::ImportValue`, `Fn::GetAZs`, `AWS::StackName`, ...)
//!    is a placeholder (`kmsguard_syntax::unknown`), on which checks conclude nothing.
//! 3. **Resources to items.** KMS keys, replica keys and aliases, IAM roles, users, groups and
//!    policies, S3 buckets and bucket policies, EBS volumes; each with an [`Origin`] at the
//!    resource (`Resources.DataKey`) or the policy property
//!    (`Resources.DataKey.Properties.KeyPolicy`), so findings land on the template's lines.
//!
//! Problems are recorded in [`Inventory::diagnostics`] with the codes of [`codes`].
//!
//! [`Origin`]: crate::model::Origin

pub mod codes;
mod conditions;
mod extract;
mod functions;
mod intrinsics;
mod names;
mod sub;
mod template;
#[cfg(test)]
mod tests;
mod value;
mod yaml;

use kmsguard_syntax::formats::json_diagnostic;
use kmsguard_syntax::json::{self, Limits};
use kmsguard_syntax::{Diagnostic, diagnostic};

pub use intrinsics::{STAND_IN_ACCOUNT, STAND_IN_REGION};
pub use yaml::parse as parse_yaml;

use crate::load::LoadOptions;
use crate::model::{FileId, Inventory};

/// Whether a text (of a file whose name does not say YAML) looks like a CloudFormation
/// template: JSON with `AWSTemplateFormatVersion`, or with `Resources` whose entries have an
/// AWS `Type`; or YAML with a top-level `AWSTemplateFormatVersion:` or `Resources:` line.
#[must_use]
pub fn looks_like_template(text: &str) -> bool {
    if text.contains("\"AWSTemplateFormatVersion\"") {
        return true;
    }
    if text.trim_start().starts_with(['{', '[']) {
        return text.contains("\"Resources\"")
            && text.contains("\"Type\"")
            && text.contains("\"AWS::");
    }
    text.lines()
        .any(|l| l.starts_with("AWSTemplateFormatVersion:") || l.trim_end() == "Resources:")
}

/// Reads one template already added to `inv`: JSON when the text starts with `{`, YAML
/// otherwise.
pub fn read(inv: &mut Inventory, file: FileId, options: &LoadOptions) {
    let Some(source) = inv.file(file).cloned() else {
        return;
    };
    let text = source.text();
    let mut diags = Vec::new();
    let yaml = !text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{');
    let root = if yaml {
        parse_yaml(text, &Limits::default(), &mut diags)
    } else {
        match json::parse(text, &Limits::default()) {
            Ok(root) => Some(root),
            Err(e) => {
                diags.push(json_diagnostic(&e));
                None
            }
        }
    };
    if let Some(root) = root {
        let src = value::Source { text, yaml };
        extract::read_template(inv, file, src, &root, options, &mut diags);
    }
    finish(inv, file, diags);
}

fn finish(inv: &mut Inventory, file: FileId, mut diags: Vec<Diagnostic>) {
    diagnostic::sort(&mut diags);
    // A value evaluated twice (a resource's name, read by a reference and with its
    // properties) reports its problems twice.
    let mut unique: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for d in diags {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    inv.diagnostics
        .extend(unique.into_iter().map(|d| (file, d)));
}
