//! KMS grants as `ListGrants` / `ListRetirableGrants` return them (grants.md §2).

use super::AwsPrincipal;
use crate::source::Spanned;

/// One grant.
#[derive(Clone, Debug, PartialEq)]
pub struct Grant {
    /// `KeyId`: a key ARN in `ListGrants` output, a key id or ARN in `CreateGrant` input.
    pub key_id: Option<Spanned<String>>,
    /// `GrantId`.
    pub grant_id: Option<Spanned<String>>,
    /// `Name` (`""`, absent and `null` all mean none).
    pub name: Option<Spanned<String>>,
    /// `GranteePrincipal`: an IAM principal ARN, or a service principal for grants that a
    /// service made for itself (kept as [`crate::ast::PrincipalForm::Invalid`] form then; see
    /// `grantee_service`).
    pub grantee: Option<Spanned<AwsPrincipal>>,
    /// `GranteeServicePrincipal`, or a `GranteePrincipal` that is a service principal name.
    pub grantee_service: Option<Spanned<String>>,
    /// `RetiringPrincipal`.
    pub retiring: Option<Spanned<AwsPrincipal>>,
    /// `RetiringServicePrincipal`.
    pub retiring_service: Option<Spanned<String>>,
    /// `IssuingAccount` (an account principal ARN).
    pub issuing_account: Option<Spanned<AwsPrincipal>>,
    /// `Operations`.
    pub operations: Vec<Spanned<GrantOperation>>,
    /// `Constraints`.
    pub constraints: Option<Spanned<GrantConstraints>>,
    /// `CreationDate`, as written (epoch seconds or ISO 8601).
    pub creation_date: Option<Spanned<String>>,
}

/// `Constraints` of a grant (grants.md §5.1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GrantConstraints {
    /// `EncryptionContextEquals`: the request's context must be exactly these pairs.
    pub equals: Option<Vec<(Spanned<String>, Spanned<String>)>>,
    /// `EncryptionContextSubset`: the request's context must include these pairs.
    pub subset: Option<Vec<(Spanned<String>, Spanned<String>)>>,
    /// `SourceArn` (service-principal grants, 2026).
    pub source_arn: Option<Spanned<String>>,
}

macro_rules! grant_operations {
    ($($name:ident),* $(,)?) => {
        /// A grant operation (grants.md §4). Wildcards are not valid in grants.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum GrantOperation {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl GrantOperation {
            /// Every grant operation.
            pub const ALL: &'static [GrantOperation] = &[$(Self::$name),*];

            /// The API spelling (`ReEncryptFrom`).
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Self::$name => stringify!($name)),* }
            }
        }
    };
}

grant_operations! {
    Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey,
    GenerateMac, VerifyMac, DeriveSharedSecret, CreateGrant, RetireGrant, DescribeKey,
}

impl GrantOperation {
    /// The operation named exactly `name` (the API is case-sensitive here).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// The IAM action this operation allows (`kms:Decrypt`).
    #[must_use]
    pub fn action(self) -> String {
        format!("kms:{}", self.name())
    }
}
