//! Key metadata as `aws kms describe-key` returns it (kms.md §1–7).

use crate::source::Spanned;

/// The fields of `KeyMetadata` that policy checks use. Unknown fields are ignored (AWS adds
/// fields over time).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyMetadata {
    /// `KeyId`.
    pub key_id: Option<Spanned<String>>,
    /// `Arn`.
    pub arn: Option<Spanned<String>>,
    /// `AWSAccountId`.
    pub account: Option<Spanned<String>>,
    /// `Description`.
    pub description: Option<Spanned<String>>,
    /// `Enabled`.
    pub enabled: Option<Spanned<bool>>,
    /// `KeyState` (`Enabled`, `Disabled`, `PendingDeletion`, ...).
    pub key_state: Option<Spanned<String>>,
    /// `KeyUsage` (`ENCRYPT_DECRYPT`, `SIGN_VERIFY`, `GENERATE_VERIFY_MAC`, `KEY_AGREEMENT`).
    pub key_usage: Option<Spanned<String>>,
    /// `KeySpec` (or the older `CustomerMasterKeySpec`).
    pub key_spec: Option<Spanned<String>>,
    /// `Origin` (`AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`).
    pub origin: Option<Spanned<String>>,
    /// `KeyManager` (`AWS` or `CUSTOMER`).
    pub key_manager: Option<Spanned<String>>,
    /// `MultiRegion`.
    pub multi_region: Option<Spanned<bool>>,
    /// `MultiRegionConfiguration.MultiRegionKeyType` (`PRIMARY` or `REPLICA`).
    pub multi_region_key_type: Option<Spanned<String>>,
    /// `CustomKeyStoreId`.
    pub custom_key_store_id: Option<Spanned<String>>,
    /// `CreationDate`, as written.
    pub creation_date: Option<Spanned<String>>,
}
