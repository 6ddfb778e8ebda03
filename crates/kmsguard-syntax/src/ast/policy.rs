//! Policy documents and statements.

use std::fmt;

use super::{ActionBlock, Condition, PrincipalBlock, ResourceBlock};
use crate::source::Spanned;

/// What a policy document is attached to, which decides which elements it must or must not
/// have (reference: evaluation.md A11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PolicyKind {
    /// A KMS key policy.
    Key,
    /// Another service's resource-based policy (S3 bucket, SQS, SNS, ...).
    Resource,
    /// An IAM role trust policy (`AssumeRolePolicyDocument`).
    Trust,
    /// An IAM identity-based policy (inline or managed, user, group or role).
    Identity,
    /// An Organizations service control policy.
    Scp,
    /// An Organizations resource control policy.
    Rcp,
    /// A permissions boundary.
    Boundary,
    /// A session policy passed to `AssumeRole*` / `GetFederationToken`.
    Session,
    /// A VPC endpoint policy.
    VpcEndpoint,
}

impl PolicyKind {
    /// Every kind, for help texts and flags.
    pub const ALL: [PolicyKind; 9] = [
        Self::Key,
        Self::Resource,
        Self::Trust,
        Self::Identity,
        Self::Scp,
        Self::Rcp,
        Self::Boundary,
        Self::Session,
        Self::VpcEndpoint,
    ];

    /// The short name used on the command line and in output (`key`, `identity`, ...).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Resource => "resource",
            Self::Trust => "trust",
            Self::Identity => "identity",
            Self::Scp => "scp",
            Self::Rcp => "rcp",
            Self::Boundary => "boundary",
            Self::Session => "session",
            Self::VpcEndpoint => "vpc-endpoint",
        }
    }

    /// The kind named `name` (as [`PolicyKind::name`] spells it).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// A phrase for messages ("a key policy", "an identity policy").
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Key => "a key policy",
            Self::Resource => "a resource-based policy",
            Self::Trust => "a role trust policy",
            Self::Identity => "an identity-based policy",
            Self::Scp => "a service control policy",
            Self::Rcp => "a resource control policy",
            Self::Boundary => "a permissions boundary",
            Self::Session => "a session policy",
            Self::VpcEndpoint => "a VPC endpoint policy",
        }
    }

    /// Whether statements must name a `Principal` or `NotPrincipal` (A7.1).
    #[must_use]
    pub fn requires_principal(self) -> bool {
        matches!(
            self,
            Self::Key | Self::Resource | Self::Trust | Self::Rcp | Self::VpcEndpoint
        )
    }

    /// Whether `Principal`/`NotPrincipal` are prohibited (A7.1: identity, boundary, session,
    /// SCP).
    #[must_use]
    pub fn forbids_principal(self) -> bool {
        matches!(
            self,
            Self::Identity | Self::Boundary | Self::Session | Self::Scp
        )
    }

    /// Whether `Resource`/`NotResource` are required (A9, A11). Key policies accept a missing
    /// `Resource` (the statement is then inert; the linter reports it).
    #[must_use]
    pub fn requires_resource(self) -> bool {
        matches!(
            self,
            Self::Identity
                | Self::Boundary
                | Self::Session
                | Self::Scp
                | Self::Rcp
                | Self::VpcEndpoint
        )
    }

    /// Whether `Resource`/`NotResource` are prohibited (role trust policies).
    #[must_use]
    pub fn forbids_resource(self) -> bool {
        matches!(self, Self::Trust)
    }

    /// Whether IAM stores this kind and applies its Sid rules (alphanumeric, unique; A5).
    #[must_use]
    pub fn has_iam_sid_rules(self) -> bool {
        matches!(self, Self::Identity | Self::Boundary | Self::Trust)
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The policy language version (A2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2012-10-17`: policy variables are interpreted.
    V2012_10_17,
    /// `2008-10-17`: `${...}` is literal text.
    V2008_10_17,
}

/// A policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// What the policy is attached to.
    pub kind: PolicyKind,
    /// The `Version` element, if present.
    pub version: Option<Spanned<Version>>,
    /// The `Id` element, if present.
    pub id: Option<Spanned<String>>,
    /// The statements that could be read, in order. A statement with an error-level diagnostic
    /// (for example no `Effect`) is left out; the policy is then invalid as a whole.
    pub statements: Vec<Spanned<Statement>>,
}

impl Policy {
    /// Whether `${...}` policy variables are interpreted (only under `2012-10-17`; an absent
    /// `Version` means `2008-10-17`, A2).
    #[must_use]
    pub fn variables_enabled(&self) -> bool {
        matches!(
            self.version.as_ref().map(|v| v.node),
            Some(Version::V2012_10_17)
        )
    }
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Allow"`.
    Allow,
    /// `"Deny"`.
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Allow => "Allow",
            Self::Deny => "Deny",
        })
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Position in the policy's statement list, from 0 (for messages when there is no Sid).
    pub index: usize,
    /// `Sid`.
    pub sid: Option<Spanned<String>>,
    /// `Effect`.
    pub effect: Spanned<Effect>,
    /// `Principal` or `NotPrincipal`.
    pub principal: Option<PrincipalBlock>,
    /// `Action` or `NotAction`. `None` only in key policies, where AWS accepts it and the
    /// statement has no effect (kms.md 8.1).
    pub action: Option<ActionBlock>,
    /// `Resource` or `NotResource`. `None` in trust policies, in generic resource policies
    /// (meaning the attached resource) and in inert key-policy statements.
    pub resource: Option<ResourceBlock>,
    /// The `Condition` clauses, flattened: all must hold.
    pub conditions: Vec<Condition>,
    /// Span of the `Condition` value, if the element is present.
    pub condition_span: Option<crate::source::Span>,
}

impl Statement {
    /// `Sid` text, or `#<index>` when it has none (for messages).
    #[must_use]
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.node.is_empty() => s.node.clone(),
            _ => format!("#{}", self.index),
        }
    }
}
