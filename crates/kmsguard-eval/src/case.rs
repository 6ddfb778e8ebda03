//! Authorization cases in the oracle format (`fixtures/oracle/FORMAT.md`): one JSON object per
//! line with the policies in effect, the request, and optionally AWS's decision. Read with the
//! project's own JSON reader; policies are lowered straight from the case's tree.

use std::fmt;

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::json::{self, Limits, Node, Value};
use kmsguard_syntax::{Severity, lower};

use crate::compiled::{Options, PolicySet, PolicySource};
use crate::context::{ContextValue, RequestContext};
use crate::request::Request;

/// One case, compiled.
#[derive(Debug)]
pub struct Case {
    /// `id`.
    pub id: String,
    /// `expected`, when the case carries AWS's decision.
    pub expected: Option<String>,
    /// The policies, compiled.
    pub policies: PolicySet,
    /// The request.
    pub request: Request,
}

/// Why a case line could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    /// The case id, when it could be read.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "case `{id}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CaseError {}

/// Reads and compiles one case line.
///
/// # Errors
/// The line is not JSON, or a required field is missing or of the wrong type, or the request's
/// principal or action is malformed. Policies with grammar errors are not an error here: they
/// compile, and the engine answers `Indeterminate` rather than trust them.
pub fn parse_case(line: &str, options: Options) -> Result<Case, CaseError> {
    let root = json::parse(line, &Limits::default()).map_err(|e| CaseError {
        id: None,
        message: format!("invalid JSON: {e}"),
    })?;
    let id = root.get("id").and_then(Node::as_str).map(str::to_owned);
    let fail = |message: String| CaseError {
        id: id.clone(),
        message,
    };
    let Some(id_text) = id.clone() else {
        return Err(fail("missing string field `id`".to_owned()));
    };

    let mut b = PolicySet::builder().options(options);
    if let Some(p) = root
        .get("key_policy")
        .filter(|n| !matches!(n.value, Value::Null))
    {
        b = b.resource_policy(&source("key policy", p, PolicyKind::Key).map_err(fail)?);
    }
    for (i, p) in list(&root, "identity_policies")
        .map_err(fail)?
        .iter()
        .enumerate()
    {
        b = b.identity_policy(
            &source(&format!("identity[{i}]"), p, PolicyKind::Identity).map_err(fail)?,
        );
    }
    if let Some(p) = root
        .get("permission_boundary")
        .filter(|n| !matches!(n.value, Value::Null))
    {
        b = b.boundary(&source("boundary", p, PolicyKind::Boundary).map_err(fail)?);
    }
    if let Some(p) = root
        .get("session_policy")
        .filter(|n| !matches!(n.value, Value::Null))
    {
        b = b.session_policy(&source("session", p, PolicyKind::Session).map_err(fail)?);
    }
    for (field, kind, prefix) in [
        ("scps", PolicyKind::Scp, "scp"),
        ("rcps", PolicyKind::Rcp, "rcp"),
    ] {
        for (l, level) in list(&root, field).map_err(fail)?.iter().enumerate() {
            let items = level.as_array().ok_or_else(|| {
                fail(format!(
                    "each level of `{field}` must be a list of policies"
                ))
            })?;
            let sources = items
                .iter()
                .enumerate()
                .map(|(i, p)| source(&format!("{prefix}[{l}][{i}]"), p, kind))
                .collect::<Result<Vec<_>, _>>()
                .map_err(fail)?;
            b = if kind == PolicyKind::Scp {
                b.scp_level(&sources)
            } else {
                b.rcp_level(&sources)
            };
        }
    }
    let request = request(&root).map_err(fail)?;
    let expected = root
        .get("expected")
        .and_then(Node::as_str)
        .map(str::to_owned);
    Ok(Case {
        id: id_text,
        expected,
        policies: b.build(),
        request,
    })
}

fn list<'n, 'a>(root: &'n Node<'a>, field: &str) -> Result<&'n [Node<'a>], String> {
    match root.get(field).map(|n| &n.value) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("`{field}` must be a list")),
    }
}

fn source(label: &str, node: &Node<'_>, kind: PolicyKind) -> Result<PolicySource, String> {
    let mut diags = Vec::new();
    let policy = lower::policy(node, kind, &mut diags)
        .ok_or_else(|| format!("{label} must be a JSON object"))?;
    let has_errors = diags.iter().any(|d| d.severity == Severity::Error);
    Ok(PolicySource::new(label, policy, has_errors))
}

fn request(root: &Node<'_>) -> Result<Request, String> {
    let r = root.get("request").ok_or("missing `request`")?;
    let field = |k: &str| {
        r.get(k)
            .and_then(Node::as_str)
            .ok_or_else(|| format!("`request.{k}` must be a string"))
    };
    let mut ctx = RequestContext::new();
    if let Some(members) = r.get("context").and_then(Node::as_object) {
        for m in members {
            // A key given twice in different case with different values is ambiguous
            // (conditions.md §2); `insert_checked` makes conditions on it Unknown.
            ctx.insert_checked(&m.key, context_value(&m.value));
        }
    }
    let resource_account = r.get("resource_account").and_then(Node::as_str);
    Request::new(
        field("principal")?,
        field("action")?,
        field("resource")?,
        resource_account,
        ctx,
    )
    .map_err(|e| e.to_string())
}

/// A context value: strings as they are, lists as multivalued keys, other scalars by their
/// JSON text (FORMAT.md: values are strings; keys AWS defines as multivalued are lists).
pub fn context_value(node: &Node<'_>) -> ContextValue {
    match &node.value {
        Value::Array(items) => ContextValue::Multi(items.iter().map(scalar_text).collect()),
        _ => ContextValue::Single(scalar_text(node)),
    }
}

fn scalar_text(node: &Node<'_>) -> String {
    match &node.value {
        Value::String(s) => s.to_string(),
        Value::Number(n) => (*n).to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Array(_) | Value::Object(_) => String::new(),
    }
}
