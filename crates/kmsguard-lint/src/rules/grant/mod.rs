//! Grant rules (grants.md §12): what a single grant allows and who can clean it up.

pub(crate) mod cross_account_grant;
pub(crate) mod grant_allows_create_grant;
pub(crate) mod grant_without_retiring_principal;
pub(crate) mod unconstrained_grant;

// Helpers shared by the grant rules. They live here because the registry test counts every
// other file in this directory as a rule.

use kmsguard_syntax::Span;
use kmsguard_syntax::ast::{Grant, PrincipalForm};

use crate::Context;

/// Whether an AWS service made the grant for its own use (grants.md §2.2, §9, §10): the
/// grantee is a service principal, or a session of an AWS-owned role such as
/// `aws:ec2-infrastructure`. Services choose tight operations, constraints and retiring
/// principals themselves; the customer cannot change them. A grantee unknown until deploy (it
/// holds a placeholder) may be a service's, so it counts as one: the grant is not judged.
pub(crate) fn is_service_grant(g: &Grant) -> bool {
    g.grantee_service.is_some() || g.grantee.as_ref().is_some_and(|p| {
        matches!(&p.node.form, PrincipalForm::AssumedRole { role, .. } if role.starts_with("aws:"))
            || p.node.form == PrincipalForm::Unknown
    })
}

/// Whether the grantee is a service-linked role (`role/aws-service-role/...`, or named
/// `AWSServiceRoleFor...` when the path was left out): AWS documents
/// the exact operations such grants need (Auto Scaling and EC2 Fleet need `CreateGrant`,
/// scenarios.md §2, grants.md §10), so their shape is not the customer's choice.
pub(crate) fn is_service_linked_grant(g: &Grant) -> bool {
    is_service_grant(g)
        || g.grantee.as_ref().is_some_and(|p| {
            matches!(&p.node.form, PrincipalForm::Role { path, name, .. }
                if path.starts_with("/aws-service-role/") || name.starts_with("AWSServiceRoleFor"))
        })
}

/// Where to point at the grant as a whole: its grantee, else the document's first character.
pub(crate) fn grant_head(g: &Grant, cx: &Context<'_>) -> Span {
    g.grantee.as_ref().map(|p| p.span).unwrap_or_else(|| {
        let at = cx.document().span.start as usize;
        Span::new(at, at.saturating_add(1))
    })
}

/// The grant's name for messages: its id, else its name, else "grant".
pub(crate) fn grant_label(g: &Grant) -> String {
    g.grant_id
        .as_ref()
        .or(g.name.as_ref())
        .filter(|s| !s.node.is_empty())
        .map_or_else(|| "grant".to_owned(), |s| format!("grant `{}`", s.node))
}
