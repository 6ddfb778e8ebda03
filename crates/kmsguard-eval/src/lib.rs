//! The authorization engine: compile policies once, then decide requests.
//!
//! Module ownership while the engine is being built (see each file's header):
//! `context`, `pattern`, `condition` are the condition layer; the rest is the decision layer.

pub mod condition;
pub mod context;
pub mod pattern;
