//! Terraform plans (to be written).

use crate::load::LoadOptions;
use crate::model::{FileId, Inventory};

/// Whether a JSON text looks like `terraform show -json` output.
#[must_use]
pub fn looks_like_plan(text: &str) -> bool {
    text.contains("\"planned_values\"") || text.contains("\"resource_changes\"")
}

/// Reads one plan already added to `inv`.
pub fn read(_inv: &mut Inventory, _file: FileId, _options: &LoadOptions) {}
