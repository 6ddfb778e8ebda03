//! What a rule sees while it checks one document, and how it reports.

use kmsguard_syntax::formats::Document;
use kmsguard_syntax::{Diagnostic, SourceFile};

use crate::RuleMeta;
use crate::facts::PolicyFacts;
use crate::probe::{CrossAccount, IamSide, KeyProbe};

/// What the rules share about one document, computed at most once: what the catalog knows of
/// its action patterns and condition keys (most validity rules read them), and the key policy
/// compiled for each kind of evaluator question (several security rules ask the same compiled
/// policy).
#[derive(Default)]
pub(crate) struct Shared {
    facts: std::cell::OnceCell<PolicyFacts>,
    probes: [std::cell::OnceCell<KeyProbe>; 3],
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

/// The context of one rule on one document.
#[derive(Debug)]
pub struct Context<'a> {
    meta: &'static RuleMeta,
    shared: &'a Shared,
    source: &'a SourceFile,
    document: &'a Document,
    /// The file's findings so far: a rule's findings go straight after those of the rules
    /// before it.
    findings: &'a mut Vec<Diagnostic>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        meta: &'static RuleMeta,
        shared: &'a Shared,
        source: &'a SourceFile,
        document: &'a Document,
        findings: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Self {
            meta,
            shared,
            source,
            document,
            findings,
        }
    }

    /// The same context for the next rule on the same document.
    pub(crate) fn set_rule(&mut self, meta: &'static RuleMeta) {
        self.meta = meta;
    }

    /// What the catalog knows of the policy's action patterns and condition keys, shared by
    /// every rule that asks.
    pub(crate) fn facts(&self, policy: &kmsguard_syntax::ast::Policy) -> &'a PolicyFacts {
        self.shared.facts.get_or_init(|| PolicyFacts::new(policy))
    }

    /// The document's key policy compiled for evaluator questions of this kind, shared by
    /// every rule that asks them.
    pub(crate) fn key_probe(
        &self,
        policy: &kmsguard_syntax::ast::Policy,
        iam: IamSide,
        cross: CrossAccount,
    ) -> &'a KeyProbe {
        let [none, all_enforced, all_ignored] = &self.shared.probes;
        let slot = match (iam, cross) {
            (IamSide::None, _) => none,
            (IamSide::AllowAll, CrossAccount::Enforced) => all_enforced,
            (IamSide::AllowAll, CrossAccount::Ignored) => all_ignored,
        };
        slot.get_or_init(|| KeyProbe::new(policy, iam, cross))
    }

    /// A finding of this rule with its code and default severity; add labels, note and help,
    /// then [`Context::report`] it.
    #[must_use]
    pub fn finding(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.meta.severity, self.meta.code, message)
    }

    /// Records a finding.
    pub fn report(&mut self, d: Diagnostic) {
        self.findings.push(d);
    }

    /// The file being linted.
    #[must_use]
    pub fn source(&self) -> &'a SourceFile {
        self.source
    }

    /// The document being linted.
    #[must_use]
    pub fn document(&self) -> &'a Document {
        self.document
    }

    /// The text of the document (for size rules).
    #[must_use]
    pub fn document_text(&self) -> &'a str {
        self.source.slice(self.document.span)
    }
}
