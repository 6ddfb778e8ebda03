//! KMS grants (grants.md §5, evaluation.md D11.5). Owned by the decision layer.
//!
//! A grant only ever allows; it never beats an explicit deny (grants.md §5.1).

use kmsguard_syntax::ast::{Grant, GrantOperation, PrincipalForm};

use crate::context::{ContextValue, RequestContext};
use crate::kms::{ENCRYPTION_CONTEXT_PREFIX, constraints_apply};
use crate::request::{Caller, CallerKind};

/// How a grant's grantee covers the caller (grants.md §5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GranteeMatch {
    /// The caller itself: its user ARN, its exact session ARN, or the named service principal.
    Direct,
    /// A role ARN covering a session of that role.
    ViaRole,
    /// An account principal: whether IAM principals of that account then also need an IAM
    /// Allow is undocumented; grants.md §5.4 conservative model treats it like key-policy
    /// delegation (an IAM Allow in the grantee account is required).
    Account,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Grantee {
    Account(String),
    User(String),
    Role(String),
    Session(String),
    Service(String),
    None,
}

/// One compiled grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledGrant {
    /// `GrantId`, or `#<n>` when it has none (for explanations).
    pub label: String,
    /// The key the grant is for (`KeyId`), when given.
    pub key_id: Option<String>,
    grantee: Grantee,
    operations: Vec<GrantOperation>,
    /// (lower-case context key `kms:encryptioncontext:<k>`, value).
    equals: Option<Vec<(String, String)>>,
    subset: Option<Vec<(String, String)>>,
    source_arn: Option<String>,
}

impl CompiledGrant {
    /// Compiles a grant; `n` numbers it for messages.
    #[must_use]
    pub fn compile(g: &Grant, n: usize) -> Self {
        let grantee = match (&g.grantee, &g.grantee_service) {
            (_, Some(s)) => Grantee::Service(s.node.clone()),
            (Some(p), None) => match &p.node.form {
                PrincipalForm::Account { account, .. } => Grantee::Account(account.clone()),
                PrincipalForm::User { .. } => Grantee::User(p.node.text.clone()),
                PrincipalForm::Role { .. } => Grantee::Role(p.node.text.clone()),
                PrincipalForm::AssumedRole { .. } => Grantee::Session(p.node.text.clone()),
                _ => Grantee::None,
            },
            (None, None) => Grantee::None,
        };
        // grants.md §5.1 (2026 API model): keys are matched case-insensitively, values
        // case-sensitively; the context stores keys in lower case, which gives exactly that.
        let pairs = |v: &Option<
            Vec<(
                kmsguard_syntax::source::Spanned<String>,
                kmsguard_syntax::source::Spanned<String>,
            )>,
        >| {
            v.as_ref().map(|v| {
                v.iter()
                    .map(|(k, val)| {
                        (
                            format!("{ENCRYPTION_CONTEXT_PREFIX}{}", k.node.to_ascii_lowercase()),
                            val.node.clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        };
        let c = g.constraints.as_ref().map(|c| &c.node);
        Self {
            label: g
                .grant_id
                .as_ref()
                .map_or_else(|| format!("#{n}"), |id| id.node.clone()),
            key_id: g.key_id.as_ref().map(|k| k.node.clone()),
            grantee,
            operations: g.operations.iter().map(|o| o.node).collect(),
            equals: c.and_then(|c| pairs(&c.equals)),
            subset: c.and_then(|c| pairs(&c.subset)),
            source_arn: c.and_then(|c| c.source_arn.as_ref().map(|s| s.node.clone())),
        }
    }

    /// How the grantee covers `caller`, if it does (grants.md §5.4).
    #[must_use]
    pub fn grantee_match(&self, caller: &Caller) -> Option<GranteeMatch> {
        match &self.grantee {
            Grantee::Account(a) => (caller.kind.is_iam() && caller.account.as_deref() == Some(a))
                .then_some(if caller.kind == CallerKind::Root {
                    GranteeMatch::Direct
                } else {
                    GranteeMatch::Account
                }),
            Grantee::User(arn) => (caller.kind == CallerKind::User && caller.arn == *arn)
                .then_some(GranteeMatch::Direct),
            Grantee::Role(arn) => (caller.kind == CallerKind::RoleSession
                && caller.role_arn.as_deref() == Some(arn))
            .then_some(GranteeMatch::ViaRole),
            Grantee::Session(arn) => (caller.kind == CallerKind::RoleSession && caller.arn == *arn)
                .then_some(GranteeMatch::Direct),
            Grantee::Service(s) => (caller.kind == CallerKind::Service && caller.arn == *s)
                .then_some(GranteeMatch::Direct),
            Grantee::None => None,
        }
    }

    /// Whether the grant lists `op`.
    #[must_use]
    pub fn allows_operation(&self, op: GrantOperation) -> bool {
        self.operations.contains(&op)
    }

    /// Whether the request satisfies the grant's constraints for `op` (grants.md §5.1).
    #[must_use]
    pub fn constraints_hold(&self, op: GrantOperation, ctx: &RequestContext) -> bool {
        // grants.md §5.1: SourceArn applies to every operation but RetireGrant.
        if let Some(src) = &self.source_arn {
            if op != GrantOperation::RetireGrant
                && !matches!(ctx.get_lower("aws:sourcearn"), Some(ContextValue::Single(s)) if s == src)
            {
                return false;
            }
        }
        if !constraints_apply(op) {
            return true;
        }
        let has = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .all(|(k, v)| matches!(ctx.get_lower(k), Some(ContextValue::Single(s)) if s == v))
        };
        if let Some(eq) = &self.equals {
            // Exact set: every listed pair present, and no other pair in the request.
            let request_pairs = ctx
                .iter()
                .filter(|(k, _)| k.starts_with(ENCRYPTION_CONTEXT_PREFIX))
                .count();
            let mut distinct = 0usize;
            for (i, (k, _)) in eq.iter().enumerate() {
                if !eq.iter().take(i).any(|(k2, _)| k2 == k) {
                    distinct = distinct.saturating_add(1);
                }
            }
            if !has(eq) || request_pairs != distinct {
                return false;
            }
        }
        if let Some(sub) = &self.subset {
            if !has(sub) {
                return false;
            }
        }
        true
    }
}
