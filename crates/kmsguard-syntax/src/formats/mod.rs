//! The shapes users have documents in: bare policies and AWS CLI outputs. Each file is
//! recognised by its content (or named with [`ParseOptions::format`]) and yields one or more
//! [`Document`]s whose spans point into the file. CloudFormation and Terraform plans add
//! variants to [`InputFormat`] and a reader module beside `cli.rs`.

mod cli;

use crate::ast::{Grant, KeyMetadata, Policy, PolicyKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{self, JsonError, JsonErrorKind, Limits, Node, embedded_text, percent_decode};
use crate::lower;
use crate::source::Span;

/// The recognised input shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputFormat {
    /// A bare policy document (`{"Version": ..., "Statement": ...}`).
    Policy,
    /// `aws kms get-key-policy` (or `aws s3api get-bucket-policy`): `{"Policy": "<json>"}`.
    GetKeyPolicy,
    /// `aws kms list-grants` / `list-retirable-grants`: `{"Grants": [...]}`.
    ListGrants,
    /// One grant object (a `ListGrants` entry or `CreateGrant` parameters).
    Grant,
    /// `aws kms describe-key`: `{"KeyMetadata": {...}}`.
    DescribeKey,
    /// `aws iam get-policy-version`: `{"PolicyVersion": {"Document": ...}}`.
    GetPolicyVersion,
    /// `aws iam get-role-policy` / `get-user-policy` / `get-group-policy`.
    GetInlinePolicy,
    /// `aws iam get-account-authorization-details`.
    AuthorizationDetails,
}

impl InputFormat {
    /// Every format.
    pub const ALL: [InputFormat; 8] = [
        Self::Policy,
        Self::GetKeyPolicy,
        Self::ListGrants,
        Self::Grant,
        Self::DescribeKey,
        Self::GetPolicyVersion,
        Self::GetInlinePolicy,
        Self::AuthorizationDetails,
    ];

    /// The name used on the command line and in output.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Policy => "policy",
            Self::GetKeyPolicy => "get-key-policy",
            Self::ListGrants => "list-grants",
            Self::Grant => "grant",
            Self::DescribeKey => "describe-key",
            Self::GetPolicyVersion => "get-policy-version",
            Self::GetInlinePolicy => "get-inline-policy",
            Self::AuthorizationDetails => "account-authorization-details",
        }
    }

    /// The format named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Recognises a document by its top-level members.
    #[must_use]
    pub fn detect(root: &Node<'_>) -> Option<Self> {
        let has = |k: &str| root.get(k).is_some();
        if has("Statement") || (has("Version") && !has("PolicyVersion")) {
            Some(Self::Policy)
        } else if has("Policy") {
            Some(Self::GetKeyPolicy)
        } else if has("Grants") {
            Some(Self::ListGrants)
        } else if has("GranteePrincipal")
            || has("GranteeServicePrincipal")
            || (has("Operations") && has("KeyId"))
        {
            Some(Self::Grant)
        } else if has("KeyMetadata") {
            Some(Self::DescribeKey)
        } else if has("PolicyVersion") {
            Some(Self::GetPolicyVersion)
        } else if has("PolicyDocument") {
            Some(Self::GetInlinePolicy)
        } else if [
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ]
        .iter()
        .any(|k| has(k))
        {
            Some(Self::AuthorizationDetails)
        } else {
            None
        }
    }
}

/// How to read a file.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions {
    /// Force a format instead of detecting it.
    pub format: Option<InputFormat>,
    /// Force the kind of every policy instead of inferring it.
    pub kind: Option<PolicyKind>,
    /// Size and depth limits.
    pub limits: Limits,
}

/// What a document is.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[expect(
    clippy::large_enum_variant,
    reason = "documents are few per file; boxing would cost an allocation each"
)]
pub enum Content {
    /// A policy.
    Policy(Policy),
    /// A grant.
    Grant(Grant),
    /// Key metadata.
    KeyMetadata(KeyMetadata),
}

/// One document found in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Where in the file, as a JSON path (`RoleDetailList[2].RolePolicyList[0].PolicyDocument`);
    /// empty for a bare document.
    pub location: String,
    /// What AWS calls it, when the file says (`role/Admin inline policy KmsUse`).
    pub name: Option<String>,
    /// The span of the document in the file.
    pub span: Span,
    /// The document.
    pub content: Content,
}

/// Everything read from one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedFile {
    /// The format, when it was recognised.
    pub format: Option<InputFormat>,
    /// The documents, in file order.
    pub documents: Vec<Document>,
    /// Findings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl ParsedFile {
    /// Whether any finding is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostic::Severity::Error)
    }
}

/// Reads a file's bytes.
#[must_use]
pub fn parse_bytes(bytes: &[u8], options: &ParseOptions) -> ParsedFile {
    if bytes.len() > options.limits.max_bytes {
        return failed(json_diagnostic(&JsonError {
            kind: JsonErrorKind::TooLarge {
                size: bytes.len(),
                limit: options.limits.max_bytes,
            },
            span: Span::at(0),
        }));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_text(text, options),
        Err(e) => failed(json_diagnostic(&JsonError {
            kind: JsonErrorKind::InvalidUtf8,
            span: Span::at(e.valid_up_to()),
        })),
    }
}

/// Reads a file's text.
#[must_use]
pub fn parse_text(text: &str, options: &ParseOptions) -> ParsedFile {
    read_plain_policy(text, options).unwrap_or_else(|| parse_text_via_tree(text, options))
}

/// Most files are plain identity, key or resource policies: this reads those without building
/// the JSON tree, and gives `None` for anything else (another kind of document, a member the
/// direct reader does not handle, or any finding), which the caller then reads from the start. When it
/// gives a file, that file is what [`parse_text`] gives, and the text is a policy document
/// with only `Version`, `Id` and `Statement` members (so not a template or a plan).
#[must_use]
pub fn read_plain_policy(text: &str, options: &ParseOptions) -> Option<ParsedFile> {
    if !matches!(options.format, None | Some(InputFormat::Policy))
        || !matches!(options.kind, None | Some(PolicyKind::Identity))
    {
        return None;
    }
    let (policy, span) = lower::bare_policy(text, &options.limits, options.kind.is_none())?;
    Some(ParsedFile {
        format: Some(InputFormat::Policy),
        documents: vec![Document {
            location: String::new(),
            name: None,
            span,
            content: Content::Policy(policy),
        }],
        diagnostics: Vec::new(),
    })
}

/// [`parse_text`] without the direct reader: the JSON tree, then the lowering.
fn parse_text_via_tree(text: &str, options: &ParseOptions) -> ParsedFile {
    let root = match json::parse(text, &options.limits) {
        Ok(root) => root,
        Err(e) => return failed(json_diagnostic(&e)),
    };
    parse_root(text, &root, options)
}

/// Reads a document already parsed from `text` (its spans point into `text`): what
/// [`parse_text`] does after reading the JSON, for callers that looked at the tree first.
#[must_use]
pub fn parse_root(text: &str, root: &Node<'_>, options: &ParseOptions) -> ParsedFile {
    let mut out = ParsedFile::default();
    let format = options.format.or_else(|| InputFormat::detect(root));
    out.format = format;
    match format {
        None => out.diagnostics.push(
            Diagnostic::error(Code::P007, "not a policy, grant or AWS CLI output that kmsguard reads")
                .label(Span::new(root.span.start as usize, root.span.start as usize + 1), "unrecognised document")
                .note("kmsguard reads policy documents, KMS grants, and the output of `aws kms get-key-policy`, `list-grants`, `describe-key`, `aws iam get-policy-version`, `get-role-policy` and `get-account-authorization-details`")
                .help("pass `--input-format` to say what the file is, or `--kind` for a policy"),
        ),
        Some(f) => cli::read(f, text, root, options, &mut out),
    }
    crate::diagnostic::sort(&mut out.diagnostics);
    out
}

fn failed(d: Diagnostic) -> ParsedFile {
    ParsedFile {
        format: None,
        documents: Vec::new(),
        diagnostics: vec![d],
    }
}

/// The diagnostic for a JSON reading error.
#[must_use]
pub fn json_diagnostic(e: &JsonError) -> Diagnostic {
    let (code, label, help) = match &e.kind {
        JsonErrorKind::InvalidUtf8 => (
            Code::P002,
            "invalid UTF-8 starts here",
            "save the file as UTF-8",
        ),
        JsonErrorKind::TooDeep { .. } => (
            Code::P004,
            "too deeply nested",
            "policies nest a few levels; check that this is the intended file",
        ),
        JsonErrorKind::TooLarge { .. } => (
            Code::P005,
            "input too large",
            "split the file, or check that this is the intended file",
        ),
        JsonErrorKind::TrailingCharacters => (
            Code::P003,
            "unexpected text",
            "remove what follows the document, or wrap several documents in an array",
        ),
        JsonErrorKind::UnterminatedString => (
            Code::P003,
            "string starts here",
            "close the string with `\"`",
        ),
        JsonErrorKind::ControlCharacter => (
            Code::P003,
            "raw control character",
            "escape newlines as `\\n` and tabs as `\\t`",
        ),
        JsonErrorKind::UnexpectedEof { .. } => (
            Code::P003,
            "input ends here",
            "complete the document; check for a missing `}` or `]`",
        ),
        JsonErrorKind::UnexpectedChar { .. } => (
            Code::P003,
            "unexpected here",
            "check for a missing comma, quote or bracket, or a trailing comma",
        ),
        _ => (Code::P003, "invalid here", "fix the JSON syntax"),
    };
    Diagnostic::error(code, e.kind.to_string())
        .label(e.span, label)
        .help(help)
}

/// Reads a document that is either a JSON object in place or a string holding JSON (possibly
/// URL-encoded), mapping every span back into `text`.
pub(crate) fn embedded_or_inline<T>(
    text: &str,
    node: &Node<'_>,
    options: &ParseOptions,
    diags: &mut Vec<Diagnostic>,
    lower_fn: impl FnOnce(&Node<'_>, &mut Vec<Diagnostic>) -> Option<T>,
) -> Option<T> {
    if node.as_str().is_none() {
        return lower_fn(node, diags);
    }
    let (inner, map) = embedded_text(text, node.span)?;
    let (inner, map) = if inner.trim_start().starts_with('%') {
        match percent_decode(&inner) {
            Some((decoded, map2)) => (decoded, map2.then(&map)),
            None => {
                diags.push(
                    Diagnostic::error(Code::P008, "URL-encoded document could not be decoded")
                        .label(node.span, "malformed `%` escape or not UTF-8")
                        .help("pass the document as the API returned it, or decode it first"),
                );
                return None;
            }
        }
    } else {
        (inner, map)
    };
    let mut root = match json::parse(&inner, &options.limits) {
        Ok(root) => root,
        Err(e) => {
            let mut d = json_diagnostic(&e);
            d.map_spans(&|s| map.span(s));
            d.message = format!("in the embedded document: {}", d.message);
            diags.push(d);
            return None;
        }
    };
    root.map_spans(&|s: Span| map.span(s));
    lower_fn(&root, diags)
}

/// Lowers a policy, inferring its kind unless the options force one.
pub(crate) fn lower_policy(
    node: &Node<'_>,
    default_kind: Option<PolicyKind>,
    options: &ParseOptions,
    diags: &mut Vec<Diagnostic>,
) -> Option<Policy> {
    let kind = options
        .kind
        .or(default_kind)
        .unwrap_or_else(|| lower::detect_kind(node));
    lower::policy(node, kind, diags)
}

#[cfg(test)]
mod direct_tests;
