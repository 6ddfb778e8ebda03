//! IAM wildcard patterns (`*`, `?`) for actions, ARNs and `*Like` operators.
//! Owned by the condition layer. INTERFACE STUB: to be replaced by the real implementation.

/// Whether matching folds ASCII case (actions) or not (ARNs, `StringLike`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Exact.
    Sensitive,
    /// ASCII case-insensitive.
    Insensitive,
}
