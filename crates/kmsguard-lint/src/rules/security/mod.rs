//! Security rules: who can use or manage a key.

pub(crate) mod admin_uses_key;
pub(crate) mod external_access;
pub(crate) mod key_lockout;
pub(crate) mod management_by_non_admin;
pub(crate) mod orphaned_principal;
pub(crate) mod public_key;
pub(crate) mod risky_cross_account_access;
pub(crate) mod service_principal_without_source;
pub(crate) mod unrestricted_create_grant;
