//! What a rule sees while it checks one document, and how it reports.

use kmsguard_syntax::formats::Document;
use kmsguard_syntax::{Diagnostic, SourceFile};

use crate::RuleMeta;

/// The context of one rule on one document.
#[derive(Debug)]
pub struct Context<'a> {
    meta: &'static RuleMeta,
    source: &'a SourceFile,
    document: &'a Document,
    findings: Vec<Diagnostic>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        meta: &'static RuleMeta,
        source: &'a SourceFile,
        document: &'a Document,
    ) -> Self {
        Self {
            meta,
            source,
            document,
            findings: Vec::new(),
        }
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

    pub(crate) fn into_findings(self) -> Vec<Diagnostic> {
        self.findings
    }
}
