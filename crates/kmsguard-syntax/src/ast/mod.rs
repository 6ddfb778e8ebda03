//! The typed model of policies, grants and key metadata.
//!
//! AST nodes are plain data with public fields (as in `syn`): they are built once by
//! [`crate::lower`] and read by the evaluator and the linter. Every node that a diagnostic may
//! point at is wrapped in [`Spanned`](crate::source::Spanned), whose equality ignores the span.

mod action;
mod condition;
mod grant;
mod key;
mod policy;
mod principal;
mod resource;
mod template;

pub use action::{ActionBlock, ActionPattern};
pub use condition::{
    BaseOperator, Condition, ConditionKey, ConditionOperator, ConditionValue, OperatorError,
    OperatorFamily, Qualifier, ScalarKind,
};
pub use grant::{Grant, GrantConstraints, GrantOperation};
pub use key::KeyMetadata;
pub use policy::{Effect, Policy, PolicyKind, Statement, Version};
pub use principal::{
    AwsPrincipal, PrincipalBlock, PrincipalEntry, PrincipalForm, Principals, UniqueIdKind,
    looks_like_placeholder,
};
pub use resource::{ArnParts, ResourceBlock, ResourcePattern};
pub use template::{Template, TemplateError, TemplatePart};

use crate::source::Spanned;

/// A list element value as written: `"x"` or `["x", "y"]`, with the span of the whole value.
pub type SpannedList<T> = Spanned<Vec<Spanned<T>>>;
