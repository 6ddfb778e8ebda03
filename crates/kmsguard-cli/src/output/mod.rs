//! Output formats.

pub(crate) mod human;
pub(crate) mod json;
