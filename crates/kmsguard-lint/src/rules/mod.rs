//! The rules, one file each, grouped by category.

pub(crate) mod grant;
pub(crate) mod security;
pub(crate) mod validity;
