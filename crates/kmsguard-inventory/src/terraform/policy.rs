//! Policies in a plan: JSON strings read with spans inside the string, policies rebuilt from
//! a `data.aws_iam_policy_document` read at apply time, and the default key policy.

use std::borrow::Cow;

use kmsguard_syntax::ast::{Policy, PolicyKind};
use kmsguard_syntax::json::{self, Limits, Member, Node, Value, embedded_text};
use kmsguard_syntax::{Diagnostic, Severity, Span};

use super::cursor::{Cursor, Val};
use super::plan::Target;
use super::{Cx, P402};
use crate::model::Doc;

/// The policy at `c` (a JSON string attribute), lowered as `kind`. `None` when there is none,
/// when it cannot be read (the finding is recorded), or when it is unknown until apply (an
/// informational finding says so).
pub(super) fn doc(
    cx: &mut Cx<'_, '_>,
    c: &Cursor<'_, '_>,
    kind: PolicyKind,
    label: &str,
) -> Option<Doc> {
    if let Some(node) = c.node() {
        return from_node(cx, node, kind, label, c.address());
    }
    if !c.is_unknown() {
        return None;
    }
    if let Some(Target::Attr { res, path }) = cx.plan.target_of(c) {
        let is_document = cx
            .plan
            .res(res)
            .is_some_and(|r| r.data && r.kind == "aws_iam_policy_document")
            && matches!(path.as_slice(), [p] if p == "json" || p == "minified_json");
        if is_document {
            let document = Cursor::root(cx.plan, res);
            if let Some(node) = document
                .get(path.first().map_or("json", String::as_str))
                .node()
            {
                return from_node(cx, node, kind, label, c.address());
            }
            if let Some(root) = rebuild(&document) {
                let label = format!("{label} (from {})", document.address());
                return lower(cx, &root, kind, label, c.address());
            }
        }
    }
    unknown_until_apply(cx, c, label);
    None
}

/// Reports that the policies at `c` (`label`) are unknown until apply.
pub(super) fn unknown_until_apply(cx: &mut Cx<'_, '_>, c: &Cursor<'_, '_>, label: &str) {
    cx.report(
        Diagnostic::info(P402, format!("{label} is unknown until apply"))
            .label(c.span(), "`after_unknown` marks this value")
            .note("Terraform computes this value during apply (it depends on values of resources not yet created), so the plan does not hold its text; checks that depend on it conclude nothing")
            .help("build the policy with `data.aws_iam_policy_document`, whose statements kmsguard reads, or check the applied policy with `aws kms get-key-policy` / `aws iam get-role-policy`"),
    );
}

fn from_node(
    cx: &mut Cx<'_, '_>,
    node: &Node<'_>,
    kind: PolicyKind,
    label: &str,
    address: &str,
) -> Option<Doc> {
    if node.as_str().is_some_and(|s| s.trim().is_empty()) {
        return None;
    }
    if node.as_str().is_none() {
        return lower(cx, node, kind, label.to_owned(), address);
    }
    let (inner, map) = embedded_text(cx.text, node.span)?;
    let mut root = match json::parse(&inner, &Limits::default()) {
        Ok(root) => root,
        Err(e) => {
            let mut d = kmsguard_syntax::formats::json_diagnostic(&e);
            d.map_spans(&|s| map.span(s));
            d.message = format!("in the policy of `{address}`: {}", d.message);
            cx.report(d);
            return None;
        }
    };
    root.map_spans(&|s: Span| map.span(s));
    let mut doc = lower(cx, &root, kind, label.to_owned(), address)?;
    doc.origin.span = node.span;
    Some(doc)
}

/// Lowers `root` as `kind` and records the findings.
pub(super) fn lower(
    cx: &mut Cx<'_, '_>,
    root: &Node<'_>,
    kind: PolicyKind,
    label: String,
    address: &str,
) -> Option<Doc> {
    let mut diags = Vec::new();
    let policy: Option<Policy> = kmsguard_syntax::lower::policy(root, kind, &mut diags);
    let has_errors = diags.iter().any(|d| d.severity == Severity::Error);
    for d in diags {
        cx.report(d);
    }
    Some(Doc {
        policy: policy?,
        has_errors,
        origin: cx.origin(root.span, address),
        label,
    })
}

/// The default key policy KMS attaches to a key created without one: the account may use
/// and manage the key through IAM (`Id` `key-default-1`).
pub(super) fn default_key_policy(account: &str, span: Span) -> Node<'static> {
    let s = |t: &str| string(t.to_owned(), span);
    let statement = object(
        vec![
            ("Sid", s("Enable IAM User Permissions")),
            ("Effect", s("Allow")),
            (
                "Principal",
                object(
                    vec![("AWS", s(&format!("arn:aws:iam::{account}:root")))],
                    span,
                ),
            ),
            ("Action", s("kms:*")),
            ("Resource", s("*")),
        ],
        span,
    );
    object(
        vec![
            ("Version", s("2012-10-17")),
            ("Id", s("key-default-1")),
            ("Statement", array(vec![statement], span)),
        ],
        span,
    )
}

/// Rebuilds the document of a `data.aws_iam_policy_document` from its statement blocks.
/// `None` when the statements themselves are unknown, other documents are merged in, or a
/// value that decides the grammar (the version, an effect, a principal type, a condition
/// operator or key) is unknown: a placeholder there would read as a malformed policy.
fn rebuild(c: &Cursor<'_, '_>) -> Option<Node<'static>> {
    for merged in [
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ] {
        let m = c.get(merged);
        if m.is_unknown() || !m.strings().is_empty() {
            return None;
        }
    }
    let statements = c.get("statement");
    if statements.is_unknown() {
        return None;
    }
    let span = statements
        .node()
        .map_or_else(|| c.resource_span(), |n| n.span);
    let version = c.get("version").string().filter(|v| !v.text.is_empty());
    if version.as_ref().is_some_and(|v| !v.is_known()) {
        return None;
    }
    let mut members = vec![("Version", value(version, "2012-10-17", span))];
    if let Some(id) = c
        .get("policy_id")
        .string()
        .filter(|v| v.is_known() && !v.text.is_empty())
    {
        members.push(("Id", string(id.text, id.span)));
    }
    let items = statements
        .items()
        .iter()
        .map(statement)
        .collect::<Option<Vec<Node<'static>>>>()?;
    members.push(("Statement", array(items, span)));
    Some(object(members, span))
}

fn statement(s: &Cursor<'_, '_>) -> Option<Node<'static>> {
    let span = s.span();
    let known = |c: &Cursor<'_, '_>| c.string().is_none_or(|v| v.is_known());
    let decisive = [s.get("principals").items(), s.get("not_principals").items()]
        .iter()
        .flatten()
        .map(|p| p.get("type"))
        .chain(
            s.get("condition")
                .items()
                .iter()
                .flat_map(|c| [c.get("test"), c.get("variable")]),
        )
        .chain([s.get("effect")])
        .all(|c| known(&c));
    if !decisive {
        return None;
    }
    let mut members = Vec::new();
    // A Sid has no effect on a decision; an unknown one is left out.
    if let Some(sid) = s
        .get("sid")
        .string()
        .filter(|v| v.is_known() && !v.text.is_empty())
    {
        members.push(("Sid", string(sid.text, sid.span)));
    }
    members.push((
        "Effect",
        value(
            s.get("effect").string().filter(|v| !v.text.is_empty()),
            "Allow",
            span,
        ),
    ));
    for (attr, key) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(p) = principals(&s.get(attr)) {
            members.push((key, p));
        }
    }
    for (attr, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        let list = s.get(attr);
        let vals = list.strings();
        if !vals.is_empty() {
            members.push((key, strings(vals, list.span())));
        }
    }
    let conditions = s.get("condition");
    let mut by_test: Vec<(Val, Vec<(String, Node<'static>)>)> = Vec::new();
    for cond in conditions.items() {
        let (Some(test), Some(variable)) =
            (cond.get("test").string(), cond.get("variable").string())
        else {
            continue;
        };
        let values = cond.get("values");
        let node = strings(values.strings(), values.span());
        match by_test.iter_mut().find(|(t, _)| t.text == test.text) {
            Some((_, keys)) => keys.push((variable.text, node)),
            None => by_test.push((test, vec![(variable.text, node)])),
        }
    }
    if !by_test.is_empty() {
        let cond_members = by_test
            .into_iter()
            .map(|(test, keys)| member(test.text, test.span, object_owned(keys, test.span)))
            .collect();
        members.push((
            "Condition",
            Node {
                value: Value::Object(cond_members),
                span: conditions.span(),
            },
        ));
    }
    Some(object(members, span))
}

/// `principals` blocks as a `Principal` value: `{"AWS": [...], "Service": [...]}`, or `"*"`
/// for `type = "*"`.
fn principals(blocks: &Cursor<'_, '_>) -> Option<Node<'static>> {
    let items = blocks.items();
    if items.is_empty() {
        return None;
    }
    let mut by_type: Vec<(Val, Vec<Val>)> = Vec::new();
    for b in &items {
        let Some(t) = b.get("type").string() else {
            continue;
        };
        let ids = b.get("identifiers").strings();
        if t.text == "*" && ids.iter().all(|v| v.text == "*") {
            return Some(string("*".to_owned(), t.span));
        }
        match by_type.iter_mut().find(|(k, _)| k.text == t.text) {
            Some((_, list)) => list.extend(ids),
            None => by_type.push((t, ids)),
        }
    }
    let members = by_type
        .into_iter()
        .map(|(t, ids)| {
            let span = ids.first().map_or(t.span, |v| v.span);
            (t.text, strings(ids, span))
        })
        .collect();
    Some(object_owned(members, blocks.span()))
}

fn value(v: Option<Val>, default: &str, span: Span) -> Node<'static> {
    match v {
        Some(v) => string(v.text, v.span),
        None => string(default.to_owned(), span),
    }
}

fn string(text: String, span: Span) -> Node<'static> {
    Node {
        value: Value::String(Cow::Owned(text)),
        span,
    }
}

fn strings(vals: Vec<Val>, span: Span) -> Node<'static> {
    array(
        vals.into_iter().map(|v| string(v.text, v.span)).collect(),
        span,
    )
}

fn array(items: Vec<Node<'static>>, span: Span) -> Node<'static> {
    Node {
        value: Value::Array(items),
        span,
    }
}

fn member(key: String, key_span: Span, value: Node<'static>) -> Member<'static> {
    Member {
        key: Cow::Owned(key),
        key_span,
        value,
    }
}

fn object(members: Vec<(&str, Node<'static>)>, span: Span) -> Node<'static> {
    object_owned(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        span,
    )
}

fn object_owned(members: Vec<(String, Node<'static>)>, span: Span) -> Node<'static> {
    Node {
        value: Value::Object(
            members
                .into_iter()
                .map(|(k, v)| {
                    let key_span = v.span;
                    member(k, key_span, v)
                })
                .collect(),
        ),
        span,
    }
}
