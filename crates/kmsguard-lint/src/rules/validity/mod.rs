//! Validity rules: what AWS rejects, or accepts and ignores.

pub(crate) mod inert_statement;
pub(crate) mod key_policy_characters;
pub(crate) mod key_policy_too_large;
