//! `Action` / `NotAction` (evaluation.md A8).

use super::SpannedList;

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionBlock {
    /// `Action`: the statement covers the listed actions.
    Action(SpannedList<ActionPattern>),
    /// `NotAction`: the statement covers every action of every service except the listed ones.
    NotAction(SpannedList<ActionPattern>),
}

impl ActionBlock {
    /// The listed patterns, whichever element holds them.
    #[must_use]
    pub fn patterns(&self) -> &SpannedList<ActionPattern> {
        match self {
            Self::Action(p) | Self::NotAction(p) => p,
        }
    }
}

/// An action pattern: `*`, or `service:Name` where the name may hold `*` and `?`.
/// Action names are case-insensitive (A12), so the pattern is kept in lower case as well.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActionPattern {
    /// The text as written.
    pub text: String,
    /// The service prefix in lower case (`kms`), or `*` for the bare wildcard.
    pub service: String,
    /// The action-name part in lower case (`reencrypt*`), or `*` for the bare wildcard.
    pub name: String,
}

impl ActionPattern {
    /// Splits `text` into service and name. `None` if it is not `*` and has no colon, or has
    /// more than one colon (IAM: "Actions/Condition can contain only one colon.").
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text == "*" {
            return Some(Self {
                text: text.to_owned(),
                service: "*".to_owned(),
                name: "*".to_owned(),
            });
        }
        let (service, name) = text.split_once(':')?;
        if name.contains(':') || service.is_empty() || name.is_empty() {
            return None;
        }
        Some(Self {
            text: text.to_owned(),
            service: service.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
        })
    }

    /// Whether the pattern is the bare `*` (every action of every service).
    #[must_use]
    pub fn is_any(&self) -> bool {
        self.service == "*" && self.text == "*"
    }

    /// Whether the name holds a wildcard.
    #[must_use]
    pub fn has_wildcard(&self) -> bool {
        self.name.contains(['*', '?'])
    }
}
