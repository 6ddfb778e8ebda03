//! A model of one or more AWS accounts, read from AWS CLI outputs, CloudFormation templates
//! and Terraform plans, and the KMS scenario checks and queries that run on it.
//!
//! - [`model`]: the [`Inventory`] every reader produces.
//! - [`aws_cli`]: AWS CLI JSON outputs (`describe-key`, `get-bucket-replication`, …) and the
//!   `kmsguard.inventory.toml` manifest.
//! - [`cloudformation`]: CloudFormation templates (JSON and YAML, intrinsics resolved).
//! - [`terraform`]: `terraform show -json` plans.
//! - [`load`]: recognises each file and hands it to its reader.

pub mod access;
pub mod aws_cli;
pub mod cloudformation;
pub mod documents;
pub mod load;
pub mod model;
pub mod query;
pub mod scenarios;
pub mod synthetic;
pub mod terraform;

pub use load::{LoadOptions, SourceFormat, load_paths, read_file};

/// Every diagnostic code the inventory readers and the scenario checks report.
#[must_use]
pub fn codes() -> Vec<kmsguard_syntax::Code> {
    let mut all = vec![aws_cli::UNATTACHED];
    all.extend_from_slice(cloudformation::codes::ALL);
    all.extend_from_slice(terraform::CODES);
    all.extend(scenarios::SCENARIOS.iter().map(|m| m.code));
    all
}
pub use model::*;
