use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::{
    ActionBlock, ActionPattern, Policy, PrincipalBlock, PrincipalEntry, Principals, ResourceBlock,
    Statement,
};

use super::statement_head;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a statement that another statement of the same policy makes redundant: the same
/// `Effect`, and the other statement covers all its actions, resources and principals with no
/// conditions; or an exact duplicate.
///
/// ## Why it matters
/// A covered statement changes no decision (validation-checks.md §3.5 `REDUNDANT_STATEMENT`,
/// VC-70). Its conditions suggest a restriction that does not exist: a conditional `Allow` next
/// to an unconditional one that covers it grants the same access without the condition.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"kms:*","Resource":"*"},{"Sid":"ViaS3","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Describe","Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"},{"Sid":"ViaS3","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}
/// ```
///
/// ## Known gaps
/// Coverage is literal: an action is covered by the same action (any case), by `service:*` or by
/// `*`; a resource by the same text or `*`; a principal by the same text, `"*"`, or `{"AWS": "*"}`
/// for AWS principals. Other wildcards, `NotAction`, `NotResource` and `NotPrincipal` are only
/// compared for exact duplicates.
pub(crate) RedundantStatement {
    code: "I014",
    name: "redundant-statement",
    severity: Info,
    category: Suggestion,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for RedundantStatement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let sts = &policy.statements;
        for a in sts {
            let found = sts.iter().find_map(|b| {
                if a.node.index == b.node.index || a.node.effect.node != b.node.effect.node {
                    return None;
                }
                let dup = same(&a.node, &b.node);
                if dup && b.node.index < a.node.index {
                    return Some((b, true));
                }
                let covered = !dup && b.node.conditions.is_empty() && covers(&b.node, &a.node);
                // Two statements covering each other: report only the later one.
                let mutual = covered && a.node.conditions.is_empty() && covers(&a.node, &b.node);
                (covered && (!mutual || b.node.index < a.node.index)).then_some((b, false))
            });
            let Some((b, dup)) = found else { continue };
            report(a, b, dup, cx);
        }
    }
}

fn report(a: &Spanned<Statement>, b: &Spanned<Statement>, dup: bool, cx: &mut Context<'_>) {
    let (la, lb) = (a.node.label(), b.node.label());
    let d = if dup {
        cx.finding(format!("statement `{la}` duplicates statement `{lb}`"))
            .label(statement_head(a), "duplicate")
            .secondary(statement_head(b), "same statement")
            .note("an identical statement changes no decision")
            .help(format!("remove statement `{la}`"))
    } else {
        cx.finding(format!("statement `{la}` is covered by statement `{lb}`"))
            .label(statement_head(a), "redundant")
            .secondary(statement_head(b), "covers every request of the other, without conditions")
            .note(format!(
                "every request `{la}` applies to also matches `{lb}` with the same effect, so `{la}` (and any conditions on it) changes no decision"
            ))
            .help(format!("remove statement `{la}`, or narrow statement `{lb}`"))
    };
    cx.report(d);
}

/// The same statement apart from Sid and position.
fn same(a: &Statement, b: &Statement) -> bool {
    a.effect == b.effect
        && a.principal == b.principal
        && a.action == b.action
        && a.resource == b.resource
        && a.conditions == b.conditions
}

/// Whether `b` covers every request `a` covers (conditions aside).
fn covers(b: &Statement, a: &Statement) -> bool {
    actions_cover(b.action.as_ref(), a.action.as_ref())
        && resources_cover(b.resource.as_ref(), a.resource.as_ref())
        && principals_cover(b.principal.as_ref(), a.principal.as_ref())
}

fn actions_cover(b: Option<&ActionBlock>, a: Option<&ActionBlock>) -> bool {
    let (Some(ActionBlock::Action(b)), Some(ActionBlock::Action(a))) = (b, a) else {
        return false;
    };
    a.node
        .iter()
        .all(|x| b.node.iter().any(|y| action_covers(&y.node, &x.node)))
}

fn action_covers(b: &ActionPattern, a: &ActionPattern) -> bool {
    b.is_any()
        || b.text().eq_ignore_ascii_case(a.text())
        || (!a.is_any() && b.name() == "*" && b.service().eq_ignore_ascii_case(a.service()))
}

fn resources_cover(b: Option<&ResourceBlock>, a: Option<&ResourceBlock>) -> bool {
    match (b, a) {
        (None, None) => true,
        (Some(ResourceBlock::Resource(b)), Some(ResourceBlock::Resource(a))) => {
            a.node.iter().all(|x| {
                b.node
                    .iter()
                    .any(|y| y.node.is_any() || y.node.template.raw == x.node.template.raw)
            })
        }
        _ => false,
    }
}

fn principals_cover(b: Option<&PrincipalBlock>, a: Option<&PrincipalBlock>) -> bool {
    match (b, a) {
        (None, None) => true,
        (Some(PrincipalBlock::Principal(b)), Some(PrincipalBlock::Principal(a))) => {
            match (&b.node, &a.node) {
                (Principals::Any, _) => true,
                (Principals::Map(_), Principals::Any) => false,
                (Principals::Map(bm), Principals::Map(am)) => {
                    am.iter().all(|e| entry_covered(bm, e))
                }
            }
        }
        _ => false,
    }
}

fn entry_covered(b: &[PrincipalEntry], a: &PrincipalEntry) -> bool {
    match a {
        PrincipalEntry::Aws(list) => list.node.iter().all(|x| {
            b.iter().any(|e| match e {
                PrincipalEntry::Aws(l) => l
                    .node
                    .iter()
                    .any(|y| y.node.text == "*" || y.node.text == x.node.text),
                _ => false,
            })
        }),
        PrincipalEntry::Service(list) => strings_covered(b, list, |e| match e {
            PrincipalEntry::Service(l) => Some(l),
            _ => None,
        }),
        PrincipalEntry::Federated(list) => strings_covered(b, list, |e| match e {
            PrincipalEntry::Federated(l) => Some(l),
            _ => None,
        }),
        PrincipalEntry::CanonicalUser(list) => strings_covered(b, list, |e| match e {
            PrincipalEntry::CanonicalUser(l) => Some(l),
            _ => None,
        }),
    }
}

type StringList = Spanned<Vec<Spanned<String>>>;

fn strings_covered(
    b: &[PrincipalEntry],
    list: &StringList,
    pick: impl Fn(&PrincipalEntry) -> Option<&StringList>,
) -> bool {
    list.node.iter().all(|x| {
        b.iter()
            .filter_map(&pick)
            .any(|l| l.node.iter().any(|y| y.node == x.node))
    })
}
