//! Findings about an input: one struct for every code, built with builder methods.

use std::fmt;

use crate::source::Span;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// AWS rejects the document, or it cannot work.
    Error,
    /// Likely exposure or a document that does not do what it seems to.
    Warning,
    /// Style and hygiene.
    Info,
}

impl Severity {
    /// Lower-case name (`error`, `warning`, `info`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A stable diagnostic code: a family letter and three digits, never reused, with the
/// kebab-case name of what it flags. `P` is for reading and grammar (defined here), `E` for
/// explanations of authorization decisions; the linter defines `I` (IAM), `K` (key policy) and
/// `G` (grant) codes beside its rules with [`Code::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    code: &'static str,
    name: &'static str,
}

impl Code {
    /// A code `code` (`K201`) named `name` (`wildcard-principal`).
    #[must_use]
    pub const fn new(code: &'static str, name: &'static str) -> Self {
        Self { code, name }
    }

    /// The code (`P105`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.code
    }

    /// The kebab-case name of what it flags (`invalid-version`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.name
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $code:ident = $name:literal; )*) => {
        impl Code {
            $( $(#[$doc])* pub const $code: Code = Code::new(stringify!($code), $name); )*

            /// Every code defined by this crate.
            pub const ALL: &'static [Code] = &[$(Self::$code),*];
        }
    };
}

codes! {
    /// The file could not be read.
    P001 = "unreadable-file";
    /// The input is not valid UTF-8.
    P002 = "invalid-utf8";
    /// The input is not valid JSON.
    P003 = "invalid-json";
    /// Arrays and objects nest deeper than the limit.
    P004 = "nesting-too-deep";
    /// The input is larger than the limit.
    P005 = "input-too-large";
    /// An object repeats a key.
    P006 = "duplicate-key";
    /// The input is JSON but no known document shape.
    P007 = "unrecognized-document";
    /// A string that should hold a JSON or URL-encoded document does not.
    P008 = "invalid-embedded-document";
    /// A value has the wrong JSON type.
    P101 = "wrong-type";
    /// A policy has no `Statement`.
    P102 = "missing-statement";
    /// `Statement` is empty.
    P103 = "empty-statement";
    /// A member that the policy grammar does not define.
    P104 = "unknown-element";
    /// `Version` is not `2012-10-17` or `2008-10-17`.
    P105 = "invalid-version";
    /// A statement has no `Effect`.
    P106 = "missing-effect";
    /// `Effect` is not `Allow` or `Deny`.
    P107 = "invalid-effect";
    /// Both members of an exclusive pair (`Action`/`NotAction`, ...).
    P108 = "conflicting-elements";
    /// A statement has neither `Action` nor `NotAction`.
    P109 = "missing-action";
    /// `Principal`/`NotPrincipal` where the policy type prohibits it.
    P110 = "principal-not-allowed";
    /// No `Principal` where the policy type requires one.
    P111 = "missing-principal";
    /// No `Resource`/`NotResource` where the policy type requires one.
    P112 = "missing-resource";
    /// `Resource`/`NotResource` where the policy type prohibits it.
    P113 = "resource-not-allowed";
    /// An action that is not `*` or `service:name` with one colon.
    P114 = "invalid-action";
    /// A resource that is not `*` or an ARN.
    P115 = "invalid-resource";
    /// A principal value in no form AWS accepts.
    P116 = "invalid-principal";
    /// A principal value that looks like an unfilled placeholder.
    P117 = "placeholder-principal";
    /// A principal type other than `AWS`, `Service`, `Federated`, `CanonicalUser`.
    P118 = "unknown-principal-type";
    /// An unknown condition operator.
    P119 = "unknown-condition-operator";
    /// A malformed set qualifier or `IfExists` suffix.
    P120 = "invalid-condition-qualifier";
    /// A condition operator spelled in a non-canonical case.
    P121 = "condition-operator-case";
    /// A `null` or empty value where a value is required.
    P122 = "empty-value";
    /// A Sid with characters IAM does not accept.
    P123 = "invalid-sid";
    /// Two statements share a Sid where IAM requires unique Sids.
    P124 = "duplicate-sid";
    /// A malformed `${...}` policy variable.
    P125 = "invalid-policy-variable";
    /// `ForAllValues` on `kms:EncryptionContext:*` or `aws:RequestTag/*` in a key policy.
    P126 = "overly-permissive-condition";
    /// A resource control policy breaks the RCP rules.
    P127 = "invalid-rcp";
    /// `NotPrincipal` where the policy type prohibits it.
    P128 = "not-principal-not-allowed";
    /// A wildcard in an action's service prefix.
    P129 = "wildcard-service-prefix";
    /// A grant field is missing or malformed.
    P201 = "invalid-grant";
    /// A grant operation that does not exist or cannot be granted.
    P202 = "invalid-grant-operation";
    /// A key metadata field is malformed.
    P203 = "invalid-key-metadata";
    /// A statement that decided an authorization question (`kmsguard can`).
    E001 = "decisive-statement";
    /// A statement about the action that did not apply, with the element that failed.
    E002 = "near-miss";
    /// A statement that could not be evaluated, making the decision Indeterminate.
    E003 = "not-evaluated";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A marked place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub text: Option<String>,
    /// Whether this is the primary label (the smallest offending node).
    pub primary: bool,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// What is wrong: lower case, no final period, user text in backticks.
    pub message: String,
    /// Marked places; the first primary one is where the finding is reported.
    pub labels: Vec<Label>,
    /// AWS's rule behind the finding.
    pub note: Option<String>,
    /// The change to make.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding with `severity`.
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            labels: Vec::new(),
            note: None,
            help: None,
        }
    }

    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// An informational finding.
    pub fn info(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    /// Adds the primary label.
    #[must_use]
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: Some(text.into()),
            primary: true,
        });
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn secondary(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: Some(text.into()),
            primary: false,
        });
        self
    }

    /// Sets the AWS rule behind the finding.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets the change to make.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The primary span (the first primary label, else the first label, else offset 0).
    #[must_use]
    pub fn primary_span(&self) -> Span {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or_else(|| self.labels.first())
            .map_or_else(Span::default, |l| l.span)
    }

    /// Applies `f` to every label's span.
    pub fn map_spans(&mut self, f: &impl Fn(Span) -> Span) {
        for label in &mut self.labels {
            label.span = f(label.span);
        }
    }
}

/// Sorts findings by (offset, code) as they are printed, keeping equal ones in order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.primary_span().start, d.code));
}
