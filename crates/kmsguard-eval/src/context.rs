//! The request context: condition keys and their values (conditions.md §2).

use std::collections::HashMap;

/// A context value. An empty string or empty list is *present but empty* (AWS calls it null).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    /// One value.
    Single(String),
    /// A multivalued key (`kms:EncryptionContextKeys`, `aws:PrincipalOrgPaths`, ...).
    Multi(Vec<String>),
}

/// Condition keys of one request. Key names are case-insensitive (A12), so they are stored in
/// lower case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    values: HashMap<String, ContextValue>,
}

impl RequestContext {
    /// An empty context.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.values.insert(key.to_ascii_lowercase(), value);
    }

    /// The value of `key`, looked up case-insensitively. `key_lower` callers that already hold
    /// the lower-case name should use [`RequestContext::get_lower`].
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.values.get(&key.to_ascii_lowercase())
    }

    /// The value of a key already in lower case (no allocation).
    #[must_use]
    pub fn get_lower(&self, key_lower: &str) -> Option<&ContextValue> {
        self.values.get(key_lower)
    }

    /// Iterates over (lower-case key, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}
