//! What a rule is: metadata (code, name, severity, category, docs) and checks.

use kmsguard_syntax::ast::{Grant, KeyMetadata, Policy, PolicyKind};
use kmsguard_syntax::{Code, Severity};

use crate::Context;

/// What a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// The document does not do what AWS will do with it (or AWS rejects it).
    Validity,
    /// Exposure: who can use or manage a key.
    Security,
    /// Key configuration and operations.
    Operational,
    /// Style and redundancy.
    Suggestion,
}

impl Category {
    /// Lower-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Validity => "validity",
            Self::Security => "security",
            Self::Operational => "operational",
            Self::Suggestion => "suggestion",
        }
    }
}

/// Which policy kinds a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every policy kind.
    AllPolicies,
    /// Only these kinds.
    Only(&'static [PolicyKind]),
}

/// A rule's metadata. Built by [`declare_rule!`](crate::declare_rule).
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    /// Code and kebab-case name.
    pub code: Code,
    /// Default severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// Policy kinds checked by `check_policy`.
    pub applies: Applies,
    /// The version that introduced the rule.
    pub since: &'static str,
    /// The rule's documentation (Markdown): what it flags, why, examples, known gaps.
    pub docs: &'static str,
}

impl RuleMeta {
    /// Whether `check_policy` runs on a policy of `kind`.
    #[must_use]
    pub fn applies_to_policy(&self, kind: PolicyKind) -> bool {
        match self.applies {
            Applies::AllPolicies => true,
            Applies::Only(kinds) => kinds.contains(&kind),
        }
    }

    /// The first policy kind the rule applies to (for reading documented examples); `None`
    /// when it applies to every kind (the kind is then inferred).
    #[must_use]
    pub fn applies_first_kind(&self) -> Option<PolicyKind> {
        match self.applies {
            Applies::AllPolicies => None,
            Applies::Only(kinds) => kinds.first().copied(),
        }
    }

    /// The docs as Markdown, without the space that follows `///` on every line.
    #[must_use]
    pub fn docs_text(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first paragraph of the docs, on one line.
    #[must_use]
    pub fn summary(&self) -> String {
        let lines: Vec<&str> = self
            .docs
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect();
        lines.join(" ")
    }
}

/// A lint rule. Each check method has an empty default, so a rule implements what it looks at.
pub trait Rule: Sync + Send {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;

    /// Checks a policy (only called for the kinds in `meta().applies`).
    fn check_policy(&self, _policy: &Policy, _cx: &mut Context<'_>) {}

    /// Checks a grant.
    fn check_grant(&self, _grant: &Grant, _cx: &mut Context<'_>) {}

    /// Checks key metadata.
    fn check_key(&self, _key: &KeyMetadata, _cx: &mut Context<'_>) {}
}

/// Declares a rule type with its metadata; the doc comment becomes `META.docs` (rendered by
/// `kmsguard explain CODE`, and its ```` ```json,invalid ```` / ```` ```json,valid ````
/// examples run as tests).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis $name:ident {
            code: $code:literal,
            name: $rname:literal,
            severity: $sev:ident,
            category: $cat:ident,
            applies: $applies:expr,
            since: $since:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $name;

        impl $name {
            /// The rule's metadata.
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                code: ::kmsguard_syntax::Code::new($code, $rname),
                severity: ::kmsguard_syntax::Severity::$sev,
                category: $crate::Category::$cat,
                applies: $applies,
                since: $since,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
