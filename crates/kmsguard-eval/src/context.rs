//! The request context: condition keys and their values (conditions.md §2).

use std::collections::{HashMap, HashSet};

/// A request's keys are hashed for every lookup a condition makes, and a who-can query builds
/// a context for each of thousands of principals: `foldhash` rather than SipHash (nothing
/// depends on the iteration order, which was random before too).
type Hasher = foldhash::fast::RandomState;

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
    values: HashMap<String, ContextValue, Hasher>,
    /// Lower-case names that were supplied twice in different case with different values
    /// (for example resource tags `EC2=test1` and `ec2=test2`, conditions.md §2). Empty in
    /// the normal case, so lookups pay only an `is_empty` check.
    ambiguous: HashSet<String, Hasher>,
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

    /// Sets `key` (any case) to `value` unless it has a value already.
    pub(crate) fn insert_absent(&mut self, key: &str, value: impl FnOnce() -> ContextValue) {
        self.values
            .entry(key.to_ascii_lowercase())
            .or_insert_with(value);
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

    /// Sets `key` like [`RequestContext::insert`], but treats an existing value under the same
    /// case-insensitive name as a *case collision* (conditions.md §2: AWS warns that tags
    /// differing only in case lead to unexpected results). When the two values differ the key
    /// is marked ambiguous (conditions on it evaluate to `Truth::Unknown`) and `false` is
    /// returned; identical values are harmless. Use it when loading a request whose key names
    /// come from the caller (tags, encryption context).
    pub fn insert_checked(&mut self, key: &str, value: ContextValue) -> bool {
        let lower = key.to_ascii_lowercase();
        match self.values.get(&lower) {
            Some(old) if *old != value => {
                self.ambiguous.insert(lower);
                false
            }
            Some(_) => true,
            None => {
                self.values.insert(lower, value);
                true
            }
        }
    }

    /// Marks `key` (any case) as ambiguous: several differently-cased spellings with different
    /// values were supplied, so a condition on it cannot be decided.
    pub fn mark_ambiguous(&mut self, key: &str) {
        self.ambiguous.insert(key.to_ascii_lowercase());
    }

    /// Whether the lower-case key was marked ambiguous.
    #[must_use]
    pub fn is_ambiguous(&self, key_lower: &str) -> bool {
        !self.ambiguous.is_empty() && self.ambiguous.contains(key_lower)
    }

    /// Iterates over (lower-case key, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}
