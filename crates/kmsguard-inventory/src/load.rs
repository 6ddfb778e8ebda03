//! Recognises each input file by its content and hands it to its reader.

use std::path::{Path, PathBuf};

use kmsguard_syntax::SourceFile;

use crate::model::{FileId, Inventory, State};
use crate::{aws_cli, cloudformation, terraform};

/// The families of input a file can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// AWS CLI JSON output, or a bare policy / grant document.
    AwsCli,
    /// A CloudFormation template (JSON or YAML).
    CloudFormation,
    /// A Terraform plan (`terraform show -json`).
    Terraform,
}

impl SourceFormat {
    /// Recognises a file by its name and text: YAML files and JSON documents with
    /// `AWSTemplateFormatVersion` or `Resources` are templates, JSON documents with
    /// `planned_values` or `resource_changes` are plans, everything else is CLI output.
    #[must_use]
    pub fn detect(path: &Path, text: &str) -> Self {
        let yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if yaml || cloudformation::looks_like_template(text) {
            Self::CloudFormation
        } else if terraform::looks_like_plan(text) {
            Self::Terraform
        } else {
            Self::AwsCli
        }
    }
}

/// How to read files.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Force a family instead of recognising it.
    pub format: Option<SourceFormat>,
    /// The account a template deploys to (`AWS::AccountId`); unknown when `None`.
    pub account: Option<String>,
    /// The Region a template deploys to (`AWS::Region`); unknown when `None`.
    pub region: Option<String>,
    /// State to give items of files the manifest says nothing about (CLI outputs default to
    /// current, templates and plans to proposed).
    pub state: Option<State>,
}

/// Reads one file's text into `inv`. Returns the file's id; problems are recorded in
/// [`Inventory::diagnostics`].
pub fn read_file(inv: &mut Inventory, path: &Path, text: String, options: &LoadOptions) -> FileId {
    let format = options
        .format
        .unwrap_or_else(|| SourceFormat::detect(path, &text));
    let file = inv.add_file(SourceFile::new(path.display().to_string(), text));
    match format {
        SourceFormat::AwsCli => aws_cli::read(inv, file, options),
        SourceFormat::CloudFormation => cloudformation::read(inv, file, options),
        SourceFormat::Terraform => terraform::read(inv, file, options),
    }
    file
}

/// Reads files and directories (searched for `*.json`, `*.yaml`, `*.yml`, and a
/// `kmsguard.inventory.toml` manifest in each directory given).
///
/// # Errors
/// A path that cannot be read, with the path and the reason.
pub fn load_paths(paths: &[PathBuf], options: &LoadOptions) -> Result<Inventory, String> {
    aws_cli::load_paths(paths, options)
}
