//! Decisions and the reasons behind them (evaluation.md D2, D14). Owned by the decision layer.

use std::fmt;

use kmsguard_syntax::Span;
use kmsguard_syntax::ast::Effect;

/// The outcome of an authorization question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Every required allow is present and nothing denies.
    Allow,
    /// An applicable `Deny` statement decided.
    ExplicitDeny,
    /// Nothing denies, but a required allow is missing.
    ImplicitDeny,
    /// The engine cannot decide confidently (an invalid policy, or a condition it cannot
    /// evaluate could change the outcome). Callers must treat it as a deny (D2: fail closed).
    Indeterminate,
}

impl Decision {
    /// The name as the oracle and AWS spell it (`Allow`, `ExplicitDeny`, ...).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::ExplicitDeny => "ExplicitDeny",
            Self::ImplicitDeny => "ImplicitDeny",
            Self::Indeterminate => "Indeterminate",
        }
    }

    /// Whether the request is allowed.
    #[must_use]
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Three-valued truth used to combine gates when a statement cannot be evaluated (Kleene
/// logic): the decision is [`Decision::Indeterminate`] exactly when an unknown could change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tri {
    /// Definitely holds.
    Yes,
    /// Definitely does not hold.
    No,
    /// Unknown.
    Maybe,
}

impl Tri {
    /// From a boolean.
    #[must_use]
    pub fn from_bool(b: bool) -> Self {
        if b { Self::Yes } else { Self::No }
    }

    /// Kleene conjunction.
    #[must_use]
    pub fn and(self, o: Self) -> Self {
        match (self, o) {
            (Self::No, _) | (_, Self::No) => Self::No,
            (Self::Yes, Self::Yes) => Self::Yes,
            _ => Self::Maybe,
        }
    }

    /// Kleene disjunction.
    #[must_use]
    pub fn or(self, o: Self) -> Self {
        match (self, o) {
            (Self::Yes, _) | (_, Self::Yes) => Self::Yes,
            (Self::No, Self::No) => Self::No,
            _ => Self::Maybe,
        }
    }
}

/// A policy layer of one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The KMS key policy.
    KeyPolicy,
    /// The caller's identity-based policies.
    Identity,
    /// The caller's permissions boundary.
    Boundary,
    /// The session policy.
    Session,
    /// SCPs attached at one organization level (0 = root).
    Scp(usize),
    /// Custom RCPs attached at one organization level (0 = root); `RCPFullAWSAccess` is
    /// implicit at every level.
    Rcp(usize),
    /// KMS grants on the key.
    Grants,
    /// The policy of the VPC endpoint the request goes through (D13): a gate that never grants.
    VpcEndpoint,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyPolicy => f.write_str("key policy"),
            Self::Identity => f.write_str("identity policies"),
            Self::Boundary => f.write_str("permissions boundary"),
            Self::Session => f.write_str("session policy"),
            Self::Scp(l) => write!(f, "SCP level {l}"),
            Self::Rcp(l) => write!(f, "RCP level {l}"),
            Self::Grants => f.write_str("grants"),
            Self::VpcEndpoint => f.write_str("VPC endpoint policy"),
        }
    }
}

/// What a layer concluded for the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// An applicable Deny.
    Deny,
    /// An applicable Allow (for the key policy: one that counts for this caller).
    Allow,
    /// No applicable statement.
    NoMatch,
    /// A statement could not be evaluated and might apply.
    Unknown,
    /// The layer does not govern this request (for example SCPs for a service principal).
    NotApplicable,
}

/// A statement that decided, or nearly applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRef {
    /// The layer.
    pub layer: Layer,
    /// The label of the policy (file name, policy name) or grant id.
    pub policy: String,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
    /// The statement's index in its policy, from 0.
    pub index: usize,
    /// Where the statement is in its source.
    pub span: Span,
    /// Its effect (grants are `Allow`).
    pub effect: Effect,
}

/// The first element of a statement that did not match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `Principal` / `NotPrincipal` did not cover the caller (or the statement has none).
    Principal,
    /// `Action` / `NotAction` did not cover the action (or the statement has none).
    Action,
    /// `Resource` / `NotResource` did not cover the resource (or the statement has none).
    Resource,
    /// A condition was false.
    Condition {
        /// Index of the condition in the statement's flattened condition list.
        index: usize,
        /// The condition key as written.
        key: String,
    },
    /// Something could not be evaluated.
    Unknown(String),
    /// The statement applied but only delegates to IAM (account principal) and the request
    /// also needed something else (D5), or it names a principal kind that cannot be granted
    /// this way.
    NotSufficient(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Principal => f.write_str("principal does not match the caller"),
            Self::Action => f.write_str("action does not match"),
            Self::Resource => f.write_str("resource does not match"),
            Self::Condition { index, key } => write!(f, "condition #{index} on `{key}` is false"),
            Self::Unknown(why) => write!(f, "could not be evaluated: {why}"),
            Self::NotSufficient(why) => f.write_str(why),
        }
    }
}

/// A statement that applied except for one element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    /// The statement.
    pub statement: StatementRef,
    /// What failed.
    pub failed: Failure,
}

/// One layer's part in the decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerReport {
    /// The layer.
    pub layer: Layer,
    /// Its verdict.
    pub verdict: Verdict,
    /// The statements that produced the verdict.
    pub decisive: Vec<StatementRef>,
    /// Statements about this action that did not apply, with the element that failed.
    pub near_misses: Vec<NearMiss>,
}

/// A decision with its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The decision.
    pub decision: Decision,
    /// Per-layer verdicts, in evaluation order.
    pub layers: Vec<LayerReport>,
    /// How the layers combined (which rule of D2/D5/D11 decided), in words.
    pub notes: Vec<String>,
}

impl Explanation {
    /// The report of `layer`, if that layer was present.
    #[must_use]
    pub fn layer(&self, layer: Layer) -> Option<&LayerReport> {
        self.layers.iter().find(|l| l.layer == layer)
    }
}
