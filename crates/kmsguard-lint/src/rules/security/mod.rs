//! Security rules: who can use or manage a key.

pub(crate) mod public_key;
