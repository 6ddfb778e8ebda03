//! Validity rules: what AWS rejects, or accepts and ignores.

pub(crate) mod inert_statement;
pub(crate) mod key_policy_characters;
pub(crate) mod key_policy_too_large;

// Rules that read the service catalog or compare statements (I0xx, K004, K005).
pub(crate) mod action_matches_nothing;
pub(crate) mod alias_resource_in_identity_policy;
pub(crate) mod allow_with_not_element;
pub(crate) mod condition_key_not_supported;
pub(crate) mod condition_never_matches;
pub(crate) mod duplicate_sid;
pub(crate) mod key_policy_resource_not_key;
pub(crate) mod misused_set_qualifier;
pub(crate) mod non_key_action_in_key_policy;
pub(crate) mod not_principal_with_allow;
pub(crate) mod operator_type_mismatch;
pub(crate) mod redundant_statement;
pub(crate) mod unknown_action;
pub(crate) mod unknown_condition_key;
pub(crate) mod unknown_service;
pub(crate) mod variable_without_version;
pub(crate) mod wildcard_without_like;

// Helpers shared by the catalog rules. They live here because the registry test counts every
// other file in this directory as a rule.

use kmsguard_catalog::{Action, catalog};
use kmsguard_syntax::ast::{ActionPattern, Statement};
use kmsguard_syntax::{Span, Spanned};

use crate::facts::KnownAction;

/// "the service catalog of 2026-09-26", for messages about names the catalog does not know.
pub(crate) fn catalog_phrase() -> String {
    format!("the service catalog of {}", catalog().data_updated())
}

/// Where to point at a statement as a whole: its Sid, else its opening brace.
pub(crate) fn statement_head(st: &Spanned<Statement>) -> Span {
    st.node.sid.as_ref().map_or_else(
        || {
            Span::new(
                st.span.start as usize,
                (st.span.start as usize).saturating_add(1),
            )
        },
        |s| s.span,
    )
}

/// The catalog actions matched by `pattern` (case-insensitive, wildcards expanded); nothing for
/// the bare `*` or a service the catalog does not know.
pub(crate) fn expand(pattern: &ActionPattern) -> impl Iterator<Item = Action> + '_ {
    let service = if pattern.is_any() {
        None
    } else {
        catalog().service(pattern.service())
    };
    service
        .into_iter()
        .flat_map(move |svc| svc.matching_actions(pattern.name()))
}

/// [`expand`] for a pattern whose catalog facts are known: the same actions, without looking
/// the pattern up again.
pub(crate) fn expand_known(
    pattern: &ActionPattern,
    known: KnownAction,
) -> impl Iterator<Item = Action> + '_ {
    let (action, service) = match known {
        KnownAction::Action(action) => (Some(action), None),
        KnownAction::Pattern(svc) => (None, Some(svc)),
        KnownAction::Any
        | KnownAction::UnknownService
        | KnownAction::UnknownName(_)
        | KnownAction::Placeholder => (None, None),
    };
    action.into_iter().chain(
        service
            .into_iter()
            .flat_map(move |svc| svc.matching_actions(pattern.name())),
    )
}

/// Levenshtein distance with ASCII case folding (for "did you mean" on unknown names only), when
/// it is at most `limit`: the search stops as soon as every alignment costs more.
pub(crate) fn edit_distance_ci_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diag = i;
        let mut left = i.saturating_add(1);
        let mut row_min = left;
        for (j, cb) in b.iter().enumerate() {
            let up = row.get(j.saturating_add(1)).copied().unwrap_or(usize::MAX);
            let cost = usize::from(!ca.eq_ignore_ascii_case(cb));
            let v = diag
                .saturating_add(cost)
                .min(left.saturating_add(1))
                .min(up.saturating_add(1));
            diag = up;
            if let Some(cell) = row.get_mut(j.saturating_add(1)) {
                *cell = v;
            }
            left = v;
            row_min = row_min.min(v);
        }
        if let Some(first) = row.first_mut() {
            *first = i.saturating_add(1);
        }
        // Costs never decrease from one row to the next along any alignment.
        if row_min > limit {
            return None;
        }
    }
    row.last().copied().filter(|&d| d <= limit)
}

/// The span of `offset` bytes into the text of the JSON string at `span`, `len` bytes long,
/// when the string holds no escapes (so text offsets are source offsets); else `span`.
pub(crate) fn span_in_string(
    source: &kmsguard_syntax::SourceFile,
    span: Span,
    text: &str,
    offset: usize,
    len: usize,
) -> Span {
    let inner = Span::new(
        (span.start as usize).saturating_add(1),
        (span.end as usize).saturating_sub(1),
    );
    if source.slice(inner) != text {
        return span;
    }
    let start = (inner.start as usize).saturating_add(offset);
    Span::new(start, start.saturating_add(len).min(inner.end as usize))
}

/// The catalog definition of condition key `name`, also resolving the `<key>` templates that
/// some services use (`s3:ExistingObjectTag/<key>`), which the catalog's matcher does not read
/// as variables. The second value is the name to pass to catalog matchers (the template itself
/// when only that fallback found it).
pub(crate) fn condition_key(name: &str) -> Option<(kmsguard_catalog::ConditionKeyDef, &str)> {
    if let Some(def) = catalog().condition_key(name) {
        return Some((def, name));
    }
    template_key(name)
}

/// [`condition_key`], and whether `name` is a global key
/// ([`kmsguard_catalog::Catalog::global_condition_key`]), searching the global keys once.
/// Instead of the name to pass to matchers, whether it differs from `name` (only the `<key>`
/// fallback may give another): every key of a policy is resolved, and comparing a name with
/// itself would cost a string comparison each.
pub(crate) fn condition_key_and_global(
    name: &str,
) -> Option<(kmsguard_catalog::ConditionKeyDef, bool, bool)> {
    match catalog().condition_key_and_global(name) {
        (Some(def), global) => Some((def, false, global)),
        (None, global) => template_key(name).map(|(def, n)| (def, n != name, global)),
    }
}

/// The `<key>` template fallback of [`condition_key`].
fn template_key(name: &str) -> Option<(kmsguard_catalog::ConditionKeyDef, &str)> {
    let (prefix, _) = name.split_once(':')?;
    let head = name.get(..=name.find('/')?)?;
    let def = catalog().service(prefix)?.condition_keys().find(|k| {
        k.name
            .get(..head.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(head))
            && k.name
                .get(head.len()..)
                .is_some_and(|t| t.len() > 2 && t.starts_with('<') && t.ends_with('>'))
    })?;
    Some((def, def.name))
}
