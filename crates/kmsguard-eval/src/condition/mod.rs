//! Condition evaluation (conditions.md). Owned by the condition layer.
//! INTERFACE STUB: to be replaced by the real implementation.

/// The outcome of a condition, or of a whole statement's conditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided (for example an unresolvable case AWS does not document); the string
    /// says what could not be evaluated.
    Unknown(String),
}
