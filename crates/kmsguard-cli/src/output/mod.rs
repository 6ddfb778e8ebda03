//! Output formats.

pub(crate) mod explain;
pub(crate) mod human;
pub(crate) mod json;
