//! Every rule, in code order. A test checks codes are unique and every rule file is listed.

use crate::Rule;
use crate::rules::{security, validity};
// Grant rules: `use crate::rules::grant;` when the module exists.

/// All rules.
pub static RULES: &[&dyn Rule] = &[
    &validity::key_policy_too_large::KeyPolicyTooLarge,
    &validity::key_policy_characters::KeyPolicyCharacters,
    &validity::inert_statement::InertStatement,
    // Validity rules that use the service catalog (I0xx, K0xx) go here.
    &security::public_key::PublicKey,
    // Security rules (K2xx), grant rules (G0xx) go here.
];

/// The rule with code `code` (`K201`) or name `name` (`public-key`).
#[must_use]
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let c = r.meta().code;
        c.as_str().eq_ignore_ascii_case(code_or_name) || c.name() == code_or_name
    })
}
