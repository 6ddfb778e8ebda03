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
/// Action names are case-insensitive (A12): compare [`ActionPattern::service`] and
/// [`ActionPattern::name`] with ASCII case folding (matchers lower-case them once when they
/// compile). Only the written text is stored, so reading a policy allocates once per action.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActionPattern {
    /// The text as written.
    pub text: String,
    // Byte offset of the colon; `None` for the bare `*`.
    colon: Option<usize>,
}

impl ActionPattern {
    /// Splits `text` into service and name. `None` if it is not `*` and has no colon, or has
    /// more than one colon (IAM: "Actions/Condition can contain only one colon.").
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text == "*" {
            return Some(Self {
                text: text.to_owned(),
                colon: None,
            });
        }
        let colon = text.find(':')?;
        let (service, name) = (text.get(..colon)?, text.get(colon.checked_add(1)?..)?);
        if name.contains(':') || service.is_empty() || name.is_empty() {
            return None;
        }
        Some(Self {
            text: text.to_owned(),
            colon: Some(colon),
        })
    }

    /// The service prefix as written (`kms`), or `*` for the bare wildcard.
    #[must_use]
    pub fn service(&self) -> &str {
        match self.colon {
            Some(c) => self.text.get(..c).unwrap_or(""),
            None => "*",
        }
    }

    /// The action-name part as written (`ReEncrypt*`), or `*` for the bare wildcard.
    #[must_use]
    pub fn name(&self) -> &str {
        match self.colon {
            Some(c) => self.text.get(c.saturating_add(1)..).unwrap_or(""),
            None => "*",
        }
    }

    /// Whether the pattern is the bare `*` (every action of every service).
    #[must_use]
    pub fn is_any(&self) -> bool {
        self.colon.is_none()
    }

    /// Whether the name holds a wildcard.
    #[must_use]
    pub fn has_wildcard(&self) -> bool {
        self.name().contains(['*', '?'])
    }
}
