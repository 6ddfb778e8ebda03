//! Every rule, in code order. A test checks codes are unique and every rule file is listed.

use crate::Rule;
use crate::rules::grant;
use crate::rules::{security, validity};

/// All rules.
pub static RULES: &[&dyn Rule] = &[
    &validity::key_policy_too_large::KeyPolicyTooLarge,
    &validity::key_policy_characters::KeyPolicyCharacters,
    &validity::inert_statement::InertStatement,
    // Validity rules that use the service catalog (I0xx, K0xx) go here.
    &validity::unknown_service::UnknownService,
    &validity::unknown_action::UnknownAction,
    &validity::action_matches_nothing::ActionMatchesNothing,
    &validity::unknown_condition_key::UnknownConditionKey,
    &validity::condition_key_not_supported::ConditionKeyNotSupported,
    &validity::operator_type_mismatch::OperatorTypeMismatch,
    &validity::misused_set_qualifier::MisusedSetQualifier,
    &validity::wildcard_without_like::WildcardWithoutLike,
    &validity::not_principal_with_allow::NotPrincipalWithAllow,
    &validity::allow_with_not_element::AllowWithNotElement,
    &validity::variable_without_version::VariableWithoutVersion,
    &validity::duplicate_sid::DuplicateSid,
    &validity::alias_resource_in_identity_policy::AliasResourceInIdentityPolicy,
    &validity::redundant_statement::RedundantStatement,
    &validity::condition_never_matches::ConditionNeverMatches,
    &validity::non_key_action_in_key_policy::NonKeyActionInKeyPolicy,
    &validity::key_policy_resource_not_key::KeyPolicyResourceNotKey,
    &security::public_key::PublicKey,
    // Security rules (K2xx), grant rules (G0xx) go here.
    &security::risky_cross_account_access::RiskyCrossAccountAccess,
    &security::management_by_non_admin::ManagementByNonAdmin,
    &security::admin_uses_key::AdminUsesKey,
    &security::key_lockout::KeyLockout,
    &security::unrestricted_create_grant::UnrestrictedCreateGrant,
    &security::service_principal_without_source::ServicePrincipalWithoutSource,
    &security::orphaned_principal::OrphanedPrincipal,
    &security::external_access::ExternalAccess,
    &grant::unconstrained_grant::UnconstrainedGrant,
    &grant::grant_allows_create_grant::GrantAllowsCreateGrant,
    &grant::grant_without_retiring_principal::GrantWithoutRetiringPrincipal,
    &grant::cross_account_grant::CrossAccountGrant,
];

/// The rule with code `code` (`K201`) or name `name` (`public-key`).
#[must_use]
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let c = r.meta().code;
        c.as_str().eq_ignore_ascii_case(code_or_name) || c.name() == code_or_name
    })
}
