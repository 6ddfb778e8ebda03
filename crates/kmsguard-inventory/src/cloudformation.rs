//! CloudFormation templates (to be written).

use crate::load::LoadOptions;
use crate::model::{FileId, Inventory};

/// Whether a JSON text looks like a CloudFormation template.
#[must_use]
pub fn looks_like_template(text: &str) -> bool {
    text.contains("\"AWSTemplateFormatVersion\"")
}

/// Reads one template already added to `inv`.
pub fn read(_inv: &mut Inventory, _file: FileId, _options: &LoadOptions) {}
