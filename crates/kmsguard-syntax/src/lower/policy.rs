//! Policy documents and statements.

mod direct;

pub(crate) use direct::bare_policy;

use arrayvec::ArrayVec;

use super::Sink;
use super::condition::conditions;
use super::principal::principal_block;
use crate::ast::{
    ActionBlock, ActionPattern, ArnParts, Effect, Policy, PolicyKind, PrincipalBlock, Principals,
    ResourceBlock, ResourcePattern, Statement, Template, Version,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{Member, Node, Value};
use crate::source::{Span, Spanned};

const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Lowers a policy document of `kind`, appending diagnostics to `diags`. Returns `None` only
/// when the node is not an object; otherwise the statements that could be read (check `diags`
/// for errors before trusting the result).
pub fn policy(
    node: &Node<'_>,
    kind: PolicyKind,
    diags: &mut Vec<crate::diagnostic::Diagnostic>,
) -> Option<Policy> {
    let mut sink = Sink::default();
    let result = lower_policy(node, kind, &mut sink);
    diags.append(&mut sink.diags);
    result
}

fn lower_policy(node: &Node<'_>, kind: PolicyKind, sink: &mut Sink) -> Option<Policy> {
    let members = sink.object("a policy document", node)?;
    let mut version = None;
    let mut id = None;
    let mut statement = None;
    for m in members {
        match m.key.as_ref() {
            "Version" => version = lower_version(&m.value, sink),
            "Id" => id = sink.string("`Id`", &m.value),
            "Statement" => statement = Some(m),
            _ => unknown_element(m, &["Version", "Id", "Statement"], "a policy", sink),
        }
    }
    let variables = matches!(
        version.as_ref().map(|v: &Spanned<Version>| v.node),
        Some(Version::V2012_10_17)
    );
    let mut statements = Vec::new();
    match statement {
        None => sink.push(
            Diagnostic::error(Code::P102, "policy has no `Statement`")
                .label(
                    Span::new(node.span.start as usize, node.span.start as usize + 1),
                    "this document has no `Statement`",
                )
                .help("add a `Statement` array with at least one statement"),
        ),
        Some(m) => match &m.value.value {
            Value::Object(_) => {
                statements.extend(lower_statement(&m.value, 0, kind, variables, sink))
            }
            Value::Array(items) if items.is_empty() => sink.push(
                Diagnostic::error(Code::P103, "`Statement` is empty")
                    .label(m.value.span, "no statements")
                    .note("a policy must contain at least one statement")
                    .help("add a statement, or delete the policy"),
            ),
            Value::Array(items) => {
                statements.reserve_exact(items.len());
                for (i, item) in items.iter().enumerate() {
                    statements.extend(lower_statement(item, i, kind, variables, sink));
                }
            }
            _ => sink.wrong_type("`Statement`", "an object or an array of objects", &m.value),
        },
    }
    check_sids(&statements, kind, sink);
    Some(Policy {
        kind,
        version,
        id,
        statements,
    })
}

fn lower_version(node: &Node<'_>, sink: &mut Sink) -> Option<Spanned<Version>> {
    let v = match sink.str("`Version`", node)? {
        "2012-10-17" => Version::V2012_10_17,
        "2008-10-17" => Version::V2008_10_17,
        other => {
            sink.push(
                Diagnostic::error(Code::P105, format!("invalid policy version `{other}`"))
                    .label(node.span, "not a policy language version")
                    .note("the policy language has two versions, `2012-10-17` and `2008-10-17`; AWS rejects any other value")
                    .help("use `\"Version\": \"2012-10-17\"`"),
            );
            return None;
        }
    };
    Some(Spanned::new(v, node.span))
}

pub(crate) fn unknown_element(m: &Member<'_>, known: &[&str], in_what: &str, sink: &mut Sink) {
    let suggestion = known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(&m.key))
        .or_else(|| {
            known.iter().find(|k| {
                super::edit_distance(&k.to_ascii_lowercase(), &m.key.to_ascii_lowercase()) <= 2
            })
        });
    let mut d = Diagnostic::error(Code::P104, format!("unknown element `{}` in {in_what}", m.key))
        .label(m.key_span, "not part of the policy grammar")
        .note("AWS rejects policies with members the grammar does not define; element names are case-sensitive");
    d = match suggestion {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!("allowed here: {}", known.join(", "))),
    };
    sink.push(d);
}

// Indices into `STATEMENT_ELEMENTS` (and into a statement's `Found` members).
const SID: usize = 0;
const EFFECT: usize = 1;
const PRINCIPAL: usize = 2;
const NOT_PRINCIPAL: usize = 3;
const ACTION: usize = 4;
const NOT_ACTION: usize = 5;
const RESOURCE: usize = 6;
const NOT_RESOURCE: usize = 7;
const CONDITION: usize = 8;

/// The first member of a statement named after each of [`STATEMENT_ELEMENTS`].
type Found<'n, 'a> = [Option<&'n Member<'a>>; STATEMENT_ELEMENTS.len()];

/// The statement's members by element, found in one pass that also reports unknown members.
fn statement_elements<'n, 'a>(members: &'n [Member<'a>], sink: &mut Sink) -> Found<'n, 'a> {
    let mut found = [None; STATEMENT_ELEMENTS.len()];
    for m in members {
        match STATEMENT_ELEMENTS.iter().position(|e| *e == m.key.as_ref()) {
            Some(i) => {
                if let Some(slot @ None) = found.get_mut(i) {
                    *slot = Some(m);
                }
            }
            None => unknown_element(m, &STATEMENT_ELEMENTS, "a statement", sink),
        }
    }
    found
}

/// The first member for the element at `index` of [`STATEMENT_ELEMENTS`].
fn element<'n, 'a>(found: &Found<'n, 'a>, index: usize) -> Option<&'n Member<'a>> {
    found.get(index).copied().flatten()
}

/// The first member for either of two elements (whichever comes first in the statement).
fn either<'n, 'a>(found: &Found<'n, 'a>, a: usize, b: usize) -> Option<&'n Member<'a>> {
    match (element(found, a), element(found, b)) {
        // Both borrow from the statement's member slice, so address order is source order.
        (Some(x), Some(y)) => Some(if std::ptr::from_ref(y) < std::ptr::from_ref(x) {
            y
        } else {
            x
        }),
        (x, y) => x.or(y),
    }
}

/// Finds the member for element `a` or `b` (indices of [`STATEMENT_ELEMENTS`]), reporting
/// both together.
fn exclusive<'n, 'a>(
    found: &Found<'n, 'a>,
    a: usize,
    b: usize,
    sink: &mut Sink,
) -> Option<(bool, &'n Member<'a>)> {
    let name = |i: usize| STATEMENT_ELEMENTS.get(i).copied().unwrap_or("");
    let (first, second) = (element(found, a), element(found, b));
    let (a, b) = (name(a), name(b));
    match (first, second) {
        (Some(x), Some(y)) => {
            sink.push(
                Diagnostic::error(Code::P108, format!("statement has both `{a}` and `{b}`"))
                    .label(y.key_span, format!("`{b}` here"))
                    .secondary(x.key_span, format!("`{a}` here"))
                    .note(format!("`{a}` and `{b}` are mutually exclusive"))
                    .help(format!("keep one of `{a}` and `{b}`")),
            );
            Some((false, x))
        }
        (Some(x), None) => Some((false, x)),
        (None, Some(y)) => Some((true, y)),
        (None, None) => None,
    }
}

fn statement_head(node: &Node<'_>) -> Span {
    Span::new(node.span.start as usize, node.span.start as usize + 1)
}

fn lower_statement(
    node: &Node<'_>,
    index: usize,
    kind: PolicyKind,
    variables: bool,
    sink: &mut Sink,
) -> Option<Spanned<Statement>> {
    let members = sink.object("a statement", node)?;
    let found = statement_elements(members, sink);
    let sid = element(&found, SID).and_then(|m| sink.string("`Sid`", &m.value));
    let effect = match element(&found, EFFECT) {
        Some(m) => lower_effect(&m.value, sink),
        None => {
            sink.push(
                Diagnostic::error(Code::P106, "statement has no `Effect`")
                    .label(statement_head(node), "this statement has no `Effect`")
                    .note("every statement must say `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`")
                    .help("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
            );
            None
        }
    };
    let principal = exclusive(&found, PRINCIPAL, NOT_PRINCIPAL, sink)
        .and_then(|(not, m)| principal_block(m, not, kind, sink));
    let action = lower_actions(&found, sink);
    let resource = lower_resources(&found, variables, sink);
    let (conditions, condition_span) = match element(&found, CONDITION) {
        Some(m) => (
            conditions(&m.value, kind, variables, sink),
            Some(m.value.span),
        ),
        None => (Vec::new(), None),
    };
    check_presence(
        node,
        kind,
        principal.as_ref(),
        action.as_ref(),
        resource.as_ref(),
        &found,
        sink,
    );
    let effect = effect?;
    if kind == PolicyKind::Rcp {
        check_rcp(effect, principal.as_ref(), action.as_ref(), &found, sink);
    }
    let stmt = Statement {
        index,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
        condition_span,
    };
    Some(Spanned::new(stmt, node.span))
}

fn lower_effect(node: &Node<'_>, sink: &mut Sink) -> Option<Spanned<Effect>> {
    let effect = match sink.str("`Effect`", node)? {
        "Allow" => Effect::Allow,
        "Deny" => Effect::Deny,
        other => {
            let mut d = Diagnostic::error(Code::P107, format!("invalid effect `{other}`"))
                .label(node.span, "must be `Allow` or `Deny`")
                .note("`Effect` is case-sensitive and has exactly two values");
            if other.eq_ignore_ascii_case("allow") {
                d = d.help("write `\"Allow\"`");
            } else if other.eq_ignore_ascii_case("deny") {
                d = d.help("write `\"Deny\"`");
            } else {
                d = d.help("use `\"Allow\"` or `\"Deny\"`");
            }
            sink.push(d);
            return None;
        }
    };
    Some(Spanned::new(effect, node.span))
}

fn lower_actions(found: &Found<'_, '_>, sink: &mut Sink) -> Option<ActionBlock> {
    let (not, m) = exclusive(found, ACTION, NOT_ACTION, sink)?;
    let what = if not { "`NotAction`" } else { "`Action`" };
    let list = sink.string_list(what, &m.value, |sink, text, span| {
        check_action(text, span, sink).map(|colon| ActionPattern::checked(text, colon))
    });
    Some(if not {
        ActionBlock::NotAction(list)
    } else {
        ActionBlock::Action(list)
    })
}

/// Checks one action, reporting it when invalid; the offset of its colon when valid.
fn check_action(text: &str, span: Span, sink: &mut Sink) -> Option<Option<usize>> {
    if crate::unknown::contains(text) {
        // Unknown until deploy: kept, never judged. A colon offset (0 when there is none) keeps
        // it from reading as the bare `*`; matching treats it as unknown.
        return Some(Some(text.find(':').unwrap_or(0)));
    }
    let Some((colon, wild_service)) = ActionPattern::scan(text) else {
        let colons = text.matches(':').count();
        let why = if colons > 1 {
            "an action can contain only one colon"
        } else {
            "an action is `service:Name` or `*`"
        };
        sink.push(
            Diagnostic::error(Code::P114, format!("invalid action `{text}`"))
                .label(span, why)
                .note("AWS rejects actions that are not `*` or a service prefix, one colon and an action name")
                .help("write the action as `service:ActionName`, for example `kms:Decrypt`"),
        );
        return None;
    };
    if wild_service {
        sink.push(
            Diagnostic::error(
                Code::P129,
                format!("wildcard in the service prefix of `{text}`"),
            )
            .label(span, "the service prefix cannot hold a wildcard")
            .note("wildcards are allowed only in the action name, after the colon")
            .help("name the service, for example `kms:Describe*`"),
        );
        return None;
    }
    Some(colon)
}

fn lower_resources(
    found: &Found<'_, '_>,
    variables: bool,
    sink: &mut Sink,
) -> Option<ResourceBlock> {
    let (not, m) = exclusive(found, RESOURCE, NOT_RESOURCE, sink)?;
    let what = if not { "`NotResource`" } else { "`Resource`" };
    let list = sink.string_list(what, &m.value, |sink, text, span| {
        parse_resource(text, span, variables, sink)
    });
    Some(if not {
        ResourceBlock::NotResource(list)
    } else {
        ResourceBlock::Resource(list)
    })
}

fn parse_resource(
    text: &str,
    span: Span,
    variables: bool,
    sink: &mut Sink,
) -> Option<ResourcePattern> {
    if crate::unknown::contains(text) {
        // Unknown until deploy: kept literally, never judged (the evaluator treats it as
        // unknown).
        return Some(ResourcePattern {
            template: Template::literal(text),
        });
    }
    if text != "*" && ArnParts::parse(text).is_none() {
        sink.push(
            Diagnostic::error(Code::P115, format!("invalid resource `{text}`"))
                .label(span, "not `*` or an ARN")
                .note("a resource is `*` or an ARN `arn:partition:service:region:account:resource`")
                .help("write the full ARN, for example `arn:aws:kms:us-east-1:111122223333:key/KEY-ID`"),
        );
        return None;
    }
    Some(ResourcePattern {
        template: template(text, span, variables, sink),
    })
}

/// Parses policy variables when the version interprets them (A2); a malformed reference is
/// reported and the text is kept literal.
pub(crate) fn template(text: &str, span: Span, variables: bool, sink: &mut Sink) -> Template {
    if !variables {
        return Template::literal(text);
    }
    match Template::parse(text) {
        Ok(t) => t,
        Err(e) => {
            // The span is exact only when the JSON string had no escapes before the reference.
            let start = (span.start as usize)
                .saturating_add(1)
                .saturating_add(e.offset);
            let at = Span::new(start, start.saturating_add(e.len))
                .start
                .min(span.end.saturating_sub(1));
            let end = (start.saturating_add(e.len) as u32).min(span.end.saturating_sub(1));
            sink.push(
                Diagnostic::warning(Code::P125, "malformed policy variable")
                    .label(Span { start: at, end: end.max(at) }, "not a `${key}` or `${key, 'default'}` reference")
                    .note("a policy variable is `${` + a context key name + an optional `, 'default'` + `}`; other text is matched literally")
                    .help("close the reference with `}`, or write `${$}` for a literal `$`"),
            );
            Template::literal(text)
        }
    }
}

fn check_presence(
    node: &Node<'_>,
    kind: PolicyKind,
    principal: Option<&PrincipalBlock>,
    action: Option<&ActionBlock>,
    resource: Option<&ResourceBlock>,
    found: &Found<'_, '_>,
    sink: &mut Sink,
) {
    let find = |a: usize, b: usize| either(found, a, b);
    if action.is_none() && kind != PolicyKind::Key {
        sink.push(
            Diagnostic::error(Code::P109, "statement has no `Action` or `NotAction`")
                .label(statement_head(node), "this statement names no action")
                .help("add an `Action` list, for example `\"Action\": \"kms:Decrypt\"`"),
        );
    }
    if kind.forbids_principal() {
        if let Some(m) = find(PRINCIPAL, NOT_PRINCIPAL) {
            sink.push(
                Diagnostic::error(Code::P110, format!("`{}` is not allowed in {}", m.key, kind.describe()))
                    .label(m.key_span, "prohibited here")
                    .note("identity-based policies, permissions boundaries, session policies and SCPs apply to the principal they are attached to; AWS rejects them with \"Has prohibited field Principal\"")
                    .help("remove the element, or lint the file as a resource policy with `--kind key`"),
            );
        }
    } else if kind.requires_principal()
        && principal.is_none()
        && find(PRINCIPAL, NOT_PRINCIPAL).is_none()
    {
        sink.push(
            Diagnostic::error(Code::P111, format!("statement has no `Principal` in {}", kind.describe()))
                .label(statement_head(node), "this statement names no principal")
                .note("resource-based policies, including key policies, must say who the statement applies to")
                .help("add a `Principal`, for example `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`"),
        );
    }
    if kind.requires_resource() && resource.is_none() && find(RESOURCE, NOT_RESOURCE).is_none() {
        sink.push(
            Diagnostic::error(
                Code::P112,
                format!("statement has no `Resource` in {}", kind.describe()),
            )
            .label(statement_head(node), "this statement names no resource")
            .help("add a `Resource`, for example the key ARN, or `\"*\"`"),
        );
    }
    if kind.forbids_resource() {
        if let Some(m) = find(RESOURCE, NOT_RESOURCE) {
            sink.push(
                Diagnostic::error(Code::P113, format!("`{}` is not allowed in {}", m.key, kind.describe()))
                    .label(m.key_span, "prohibited here")
                    .note("a trust policy applies to the role it belongs to; AWS rejects it with \"Has prohibited field Resource\"")
                    .help("remove the element"),
            );
        }
    }
    if matches!(kind, PolicyKind::Trust | PolicyKind::Rcp) {
        if let Some(m) = element(found, NOT_PRINCIPAL) {
            sink.push(
                Diagnostic::error(
                    Code::P128,
                    format!("`NotPrincipal` is not allowed in {}", kind.describe()),
                )
                .label(m.key_span, "prohibited here")
                .help("use `Principal` with a condition on `aws:PrincipalArn` instead"),
            );
        }
    }
}

/// RCP rules (A11): `Principal` exactly `"*"`, `Deny` only (the AWS-managed
/// `RCPFullAWSAccess` is the one `Allow`), no `NotAction`, no `"*"` action.
fn check_rcp(
    effect: Spanned<Effect>,
    principal: Option<&PrincipalBlock>,
    action: Option<&ActionBlock>,
    found: &Found<'_, '_>,
    sink: &mut Sink,
) {
    let note =
        "resource control policies deny; they name `\"Principal\": \"*\"` and specific actions";
    if let Some(PrincipalBlock::Principal(p)) = principal {
        if p.node != Principals::Any {
            sink.push(
                Diagnostic::error(
                    Code::P127,
                    "an RCP statement must have `\"Principal\": \"*\"`",
                )
                .label(p.span, "must be `\"*\"`")
                .note(note)
                .help(
                    "write `\"Principal\": \"*\"` and narrow with conditions on `aws:PrincipalArn`",
                ),
            );
        }
    }
    let full_access = effect.node == Effect::Allow
        && matches!(action, Some(ActionBlock::Action(a)) if a.node.iter().all(|p| p.is_any()));
    if effect.node == Effect::Allow && !full_access {
        sink.push(
            Diagnostic::error(Code::P127, "an RCP statement must be a `Deny`")
                .label(effect.span, "only `Deny` is allowed")
                .note(note)
                .help("write `\"Effect\": \"Deny\"`"),
        );
    }
    if let Some(m) = element(found, NOT_ACTION) {
        sink.push(
            Diagnostic::error(Code::P127, "an RCP statement cannot use `NotAction`")
                .label(m.key_span, "not allowed in an RCP")
                .note(note)
                .help("list the denied actions in `Action`"),
        );
    }
    if effect.node == Effect::Deny {
        if let Some(ActionBlock::Action(a)) = action {
            for p in a.node.iter().filter(|p| p.is_any()) {
                sink.push(
                    Diagnostic::error(Code::P127, "an RCP `Deny` cannot use the action `*`")
                        .label(p.span, "name services or actions")
                        .note(note)
                        .help("deny specific service actions, for example `kms:*`"),
                );
            }
        }
    }
}

fn check_sids(statements: &[Spanned<Statement>], kind: PolicyKind, sink: &mut Sink) {
    if !kind.has_iam_sid_rules() {
        return;
    }
    // The Sids so far, each with its length and last (up to) eight bytes, which tell nearly
    // every two apart without comparing the text or walking the statements again. The first
    // few are kept on the stack, which covers nearly every policy without an allocation.
    let mut earlier: ArrayVec<(usize, u64, &Spanned<String>), 16> = ArrayVec::new();
    let mut more: Vec<(usize, u64, &Spanned<String>)> = Vec::new();
    // A bit per hash of (length, tail) of the Sids so far: a Sid whose bit is clear matches
    // none of them, so the list is searched only on the rare hit (a policy of a hundred Sids
    // would otherwise compare every pair).
    let mut filter = [0u64; 16];
    for st in statements {
        let Some(sid) = &st.node.sid else { continue };
        if !crate::swar::all_alphanumeric(sid.node.as_bytes()) {
            sink.push(
                Diagnostic::error(
                    Code::P123,
                    format!("Sid `{}` has characters IAM does not accept", sid.node),
                )
                .label(sid.span, "only letters and digits")
                .note(format!(
                    "in {} a Sid may contain only `A-Z`, `a-z` and `0-9`",
                    kind.describe()
                ))
                .help("remove spaces and punctuation from the Sid"),
            );
        }
        let bytes = sid.node.as_bytes();
        // A fixed-size load of the last eight bytes; a shorter Sid is folded a byte at a
        // time (copying a variable-length tail into a buffer calls `memcpy`). Only equal
        // lengths are compared, so the two ways never meet.
        let tail = bytes.last_chunk::<8>().map_or_else(
            || {
                bytes
                    .iter()
                    .fold(0u64, |word, &b| word.wrapping_shl(8) | u64::from(b))
            },
            |last| u64::from_le_bytes(*last),
        );
        let key = (bytes.len(), tail);
        // The top ten bits of a multiplicative hash pick one of the filter's 1024 bits.
        let hash = (tail ^ (key.0 as u64).rotate_left(32)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let (word, bit) = ((hash >> 60) as usize, 1u64 << ((hash >> 54) & 63));
        let first = filter
            .get_mut(word)
            .and_then(|w| {
                let hit = *w & bit != 0;
                *w |= bit;
                hit.then(|| earlier.iter().chain(&more))
            })
            .and_then(|mut list| {
                list.find(|(len, tail, s)| (*len, *tail) == key && s.node == sid.node)
            })
            .map(|(_, _, s)| *s);
        if let Err(full) = earlier.try_push((key.0, key.1, sid)) {
            more.push(full.element());
        }
        if let Some(first) = first {
            sink.push(
                Diagnostic::error(Code::P124, format!("duplicate Sid `{}`", sid.node))
                    .label(sid.span, "used again here")
                    .secondary(first.span, "first used here")
                    .note(format!("Sids must be unique within {}", kind.describe()))
                    .help("give each statement its own Sid"),
            );
        }
    }
}

/// Guesses the kind of a bare policy document: statements with a principal make a resource
/// policy (a role trust policy when every action is an `sts:` action, a key policy otherwise
/// when it names `kms:` actions or `*`); statements without one make an identity policy.
#[must_use]
pub fn detect_kind(node: &Node<'_>) -> PolicyKind {
    let statements: &[Node<'_>] = match node.get("Statement") {
        Some(Node {
            value: Value::Array(items),
            ..
        }) => items,
        Some(
            one @ Node {
                value: Value::Object(_),
                ..
            },
        ) => std::slice::from_ref(one),
        _ => &[],
    };
    let has_principal = statements
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if !has_principal {
        return PolicyKind::Identity;
    }
    let actions = || {
        statements
            .iter()
            .filter_map(|s| s.get("Action").or_else(|| s.get("NotAction")))
            .flat_map(|a| match &a.value {
                Value::Array(items) => items.as_slice(),
                _ => std::slice::from_ref(a),
            })
            .filter_map(Node::as_str)
    };
    let prefixed = |a: &str, prefix: &str| {
        a.as_bytes()
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    let none = actions().next().is_none();
    if !none && actions().all(|a| prefixed(a, "sts:")) {
        PolicyKind::Trust
    } else if none || actions().any(|a| prefixed(a, "kms:") || a == "*") {
        PolicyKind::Key
    } else {
        PolicyKind::Resource
    }
}
