//! The authorization engine: compile policies once, then decide requests.
//!
//! Module ownership while the engine is being built (see each file's header):
//! `context`, `pattern`, `condition` are the condition layer; the rest is the decision layer.

pub mod arn;
pub mod condition;
pub mod context;
pub mod pattern;

pub mod case;
pub mod compiled;
pub mod decision;
pub mod explain;
pub mod grant;
pub mod kms;
pub mod principal;
pub mod request;

pub use compiled::{
    Authorizer, CompiledPolicy, LoadError, Options, PolicySet, PolicySetBuilder, PolicySource,
};
pub use decision::{Decision, Explanation};
pub use request::{Caller, CallerKind, Request, RequestError, derive_caller_keys};
