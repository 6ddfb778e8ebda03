use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::{
    ActionBlock, ActionPattern, Effect, Policy, PrincipalBlock, PrincipalEntry, Principals,
    ResourceBlock, Statement,
};

use super::statement_head;
use crate::facts::{ActionSummary, KnownAction, PolicyFacts};
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
        if sts.len() < 2 {
            return;
        }
        // Every statement is compared with every other: summarise each one first, and look at
        // the statements themselves only when the summaries allow a match.
        let facts = cx.facts(policy);
        let mut summaries = kept_summaries(sts.len());
        summaries.extend(
            sts.iter()
                .enumerate()
                .map(|(i, s)| Summary::of(&s.node, facts.summary(i))),
        );
        compare_all(sts, &mut summaries, facts, cx);
        // The list waits for the next policy on this thread.
        let _ = SUMMARIES.try_with(|cell| {
            if let Ok(mut kept) = cell.try_borrow_mut() {
                if kept.capacity() < summaries.capacity() {
                    *kept = summaries;
                }
            }
        });
    }
}

thread_local! {
    /// The list of summaries of the last policy summarised on this thread, kept for the next
    /// one's: one allocation and free fewer per policy of two statements or more.
    static SUMMARIES: std::cell::RefCell<Vec<Summary>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty list with room for `n` summaries: the kept one (see [`SUMMARIES`]) when it has the
/// room, else a new one (growing the kept one would copy its old summaries, though none are
/// left).
fn kept_summaries(n: usize) -> Vec<Summary> {
    let mut list = SUMMARIES
        .try_with(|cell| {
            cell.try_borrow_mut()
                .map(|mut kept| std::mem::take(&mut *kept))
                .unwrap_or_default()
        })
        .unwrap_or_default();
    list.clear();
    if list.capacity() < n {
        return Vec::with_capacity(n.max(list.capacity().saturating_mul(2)));
    }
    list
}

/// Reports each statement of `sts` (summarised by `summaries`) that another duplicates or
/// covers.
fn compare_all(
    sts: &[Spanned<Statement>],
    summaries: &mut [Summary],
    facts: &PolicyFacts,
    cx: &mut Context<'_>,
) {
    // Small policies: the statements that no other statement passes the first test of
    // [`first_cover`] for are skipped (see [`alone`]).
    let twice = if sts.len() > INDEXED {
        u64::MAX
    } else {
        mark_later(summaries)
    };
    let summaries = &*summaries;
    // Large policies (a few hold most of the corpus's pairs): each statement is compared
    // only with the statements that may cover or duplicate it, found with bit sets, and
    // what the first test reads of them is in one array. Small ones read it from the
    // summaries (no allocation).
    let index = (sts.len() > INDEXED).then(|| {
        let pairs: Vec<Pair> = summaries.iter().map(|s| (s.shape, s.covering)).collect();
        (Candidates::new(summaries), pairs)
    });
    let small = |j: usize| summaries.get(j).map(|s| (s.shape, s.covering));
    let mut set = Vec::new();
    // The covering bits of the statements before the one being read, or-ed.
    let mut before = (0, 0);
    for (i, (a, sa)) in sts.iter().zip(summaries).enumerate() {
        let others = (before.0 | sa.later.0, before.1 | sa.later.1);
        before = (before.0 | sa.covering.0, before.1 | sa.covering.1);
        let found = match &index {
            None if alone(sa, others, twice) => None,
            None => first_cover((i, a), sa, sts, summaries, small, facts, 0..sts.len()),
            Some((index, pairs)) => {
                index.of(sa, &mut set);
                let positions = set.iter().enumerate().flat_map(|(w, &word)| {
                    let base = w.saturating_mul(64);
                    std::iter::successors(Some(word), |&bits| Some(bits & bits.wrapping_sub(1)))
                        .take_while(|&bits| bits != 0)
                        .map(move |bits| base.saturating_add(bits.trailing_zeros() as usize))
                });
                let pair = |j: usize| pairs.get(j).copied();
                first_cover((i, a), sa, sts, summaries, pair, facts, positions)
            }
        };
        let Some((b, dup)) = found else {
            continue;
        };
        report(a, b, dup, cx);
    }
}

/// The first statement that duplicates `a` (and comes before it) or covers it, and whether it
/// is a duplicate.
fn first_cover<'p>(
    (i, a): (usize, &Spanned<Statement>),
    sa: &Summary,
    sts: &'p [Spanned<Statement>],
    summaries: &[Summary],
    pair: impl Fn(usize) -> Option<Pair>,
    facts: &PolicyFacts,
    candidates: impl Iterator<Item = usize>,
) -> Option<(&'p Spanned<Statement>, bool)> {
    let (needs, needs_actions) = sa.needs();
    for j in candidates {
        let Some((shape, (covering, covering_actions))) = pair(j) else {
            continue;
        };
        // Nearly every pair fails here, on a few numbers.
        if shape != sa.shape && (needs & !covering != 0 || needs_actions & !covering_actions != 0) {
            continue;
        }
        let (Some(b), Some(sb)) = (sts.get(j), summaries.get(j)) else {
            continue;
        };
        // Most pairs fail on the summaries: test those first, and the index (a statement
        // never covers itself) only for the pairs that pass.
        let maybe_dup = sa.shape == sb.shape;
        let maybe_covered = sb.may_cover(sa);
        if (!maybe_dup && !maybe_covered) || sa.effect != sb.effect || sa.index == sb.index {
            continue;
        }
        let dup = maybe_dup && same(&a.node, &b.node);
        if dup && sb.index < sa.index {
            return Some((b, true));
        }
        let (ka, kb) = (facts.actions(i), facts.actions(j));
        let covered = !dup && maybe_covered && covers((&b.node, kb), (&a.node, ka));
        // Two statements covering each other: report only the later one.
        let mutual = covered && sa.may_cover(sb) && covers((&a.node, ka), (&b.node, kb));
        if covered && (!mutual || sb.index < sa.index) {
            return Some((b, false));
        }
    }
    None
}

/// Policies with more statements than this are searched through [`Candidates`]; below, a
/// loop over every pair costs less than building the bit sets.
const INDEXED: usize = 24;

/// Sets [`Summary::later`] of each of `summaries` (a policy's, of at most [`INDEXED`]
/// statements), and returns the [`shape_bit`]s that two statements or more have.
fn mark_later(summaries: &mut [Summary]) -> u64 {
    let (mut later, mut seen, mut twice) = ((0, 0), 0, 0);
    for s in summaries.iter_mut().rev() {
        s.later = later;
        later = (later.0 | s.covering.0, later.1 | s.covering.1);
        let bit = shape_bit(s.shape);
        twice |= seen & bit;
        seen |= bit;
    }
    twice
}

/// One of 64 bits, chosen by a shape (shapes are mixed: their high bits vary).
fn shape_bit(shape: u64) -> u64 {
    1 << (shape >> 58)
}

/// Whether the statement summarised by `sa`, in a policy of at most [`INDEXED`] statements,
/// fails the first test of [`first_cover`] against every other statement of the policy, so
/// that none need be read: no other statement has its [`shape_bit`] (`twice` holds the bits
/// of repeated shapes), and `others`, the [`Summary::covering`] bits of all the others
/// or-ed, lack a bit it needs (so each one does). In most small policies no statement covers
/// the services and patterns of another, and a pass over the others costs several times this.
fn alone(sa: &Summary, others: (u64, u64), twice: u64) -> bool {
    let (needs, needs_actions) = sa.needs();
    twice & shape_bit(sa.shape) == 0 && (needs & !others.0 != 0 || needs_actions & !others.1 != 0)
}

/// The statements that may duplicate or cover a statement, found with bit sets over the
/// statements' positions.
struct Candidates {
    /// Words per bit set.
    words: usize,
    /// For each of the 64 service bits of [`Summary::covering`], the statements whose
    /// `covering` has it (`words` words each).
    by_service: Vec<u64>,
    /// Each statement's shape and position, sorted.
    by_shape: Vec<(u64, usize)>,
}

impl Candidates {
    fn new(summaries: &[Summary]) -> Self {
        let words = summaries.len().div_ceil(64);
        let mut by_service = vec![0u64; words.saturating_mul(64)];
        for (j, s) in summaries.iter().enumerate() {
            let (w, bit) = (j / 64, 1u64 << (j % 64));
            let mut services = s.covering.0;
            while services != 0 {
                let k = services.trailing_zeros() as usize;
                services &= services.wrapping_sub(1);
                if let Some(x) = by_service.get_mut(k.saturating_mul(words).saturating_add(w)) {
                    *x |= bit;
                }
            }
        }
        let mut by_shape: Vec<(u64, usize)> = summaries
            .iter()
            .enumerate()
            .map(|(j, s)| (s.shape, j))
            .collect();
        by_shape.sort_unstable();
        Self {
            words,
            by_service,
            by_shape,
        }
    }

    /// Into `set`, a bit set over positions: the statements that pass the first test of
    /// [`first_cover`] for the statement summarised by `sa` and more (its test on service
    /// bits, not the one on pattern bits): those of its shape, and those whose
    /// [`Summary::covering`] services have every bit `sa` needs.
    fn of(&self, sa: &Summary, set: &mut Vec<u64>) {
        set.clear();
        set.resize(self.words, u64::MAX);
        let mut needs = sa.needs().0;
        while needs != 0 {
            let k = needs.trailing_zeros() as usize;
            needs &= needs.wrapping_sub(1);
            let start = k.saturating_mul(self.words);
            let row = self
                .by_service
                .get(start..start.saturating_add(self.words))
                .unwrap_or(&[]);
            for (x, y) in set.iter_mut().zip(row) {
                *x &= y;
            }
        }
        let first = self
            .by_shape
            .partition_point(|&(shape, _)| shape < sa.shape);
        let same_shape = self.by_shape.get(first..).unwrap_or(&[]);
        for &(_, j) in same_shape
            .iter()
            .take_while(|&&(shape, _)| shape == sa.shape)
        {
            if let Some(x) = set.get_mut(j / 64) {
                *x |= 1 << (j % 64);
            }
        }
    }
}

/// What [`first_cover`] reads of every statement for every pair: [`Summary::shape`] and
/// [`Summary::covering`].
type Pair = (u64, (u64, u64));

struct Summary {
    /// Which elements the statement has and their lengths, its effect and the summary of its
    /// patterns, mixed: equal statements have equal shapes.
    shape: u64,
    /// The summary of its `Action` list (empty for `NotAction` or no action).
    actions: ActionSummary,
    /// It has an `Action` list: only such a list can cover another, and only another such
    /// list.
    has_actions: bool,
    /// It has an `Action` list and no condition: it may cover another statement.
    may_cover_others: bool,
    /// [`Summary::covering_of`] this statement, read for every pair.
    covering: (u64, u64),
    /// The `covering` bits of the statements after this one, or-ed (in a policy of at most
    /// [`INDEXED`] statements; see [`mark_later`]).
    later: (u64, u64),
    effect: Effect,
    index: usize,
}

impl Summary {
    fn of(st: &Statement, actions: ActionSummary) -> Self {
        let action = match &st.action {
            None => 0,
            Some(ActionBlock::Action(l)) => 1 | (l.node.len() << 2),
            Some(ActionBlock::NotAction(l)) => 2 | (l.node.len() << 2),
        };
        let resource = match &st.resource {
            None => 0,
            Some(ResourceBlock::Resource(l)) => 1 | (l.node.len() << 2),
            Some(ResourceBlock::NotResource(l)) => 2 | (l.node.len() << 2),
        };
        let principal = match &st.principal {
            None => 0u64,
            Some(PrincipalBlock::Principal(_)) => 1,
            Some(PrincipalBlock::NotPrincipal(_)) => 2,
        };
        let has_actions = matches!(st.action, Some(ActionBlock::Action(_)));
        let effect = match st.effect.node {
            Effect::Allow => 0u64,
            Effect::Deny => 1,
        };
        // Equal statements also have equal effects and equal pattern summaries (of their
        // `Action` or `NotAction` list): mixed in, most statements of one layout differ.
        let patterns = actions.services.rotate_left(7)
            ^ actions.actions.rotate_left(29)
            ^ actions.service_stars.rotate_left(47)
            ^ u64::from(actions.any);
        let actions = if has_actions {
            actions
        } else {
            ActionSummary::default()
        };
        let may_cover_others = has_actions && st.conditions.is_empty();
        Self {
            shape: ((action as u64)
                ^ (resource as u64).rotate_left(21)
                ^ (st.conditions.len() as u64).rotate_left(42)
                ^ principal.rotate_left(62)
                ^ effect.rotate_left(60))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ patterns,
            actions,
            has_actions,
            may_cover_others,
            covering: Self::covering_of(&actions, may_cover_others),
            later: (0, 0),
            effect: st.effect.node,
            index: st.index,
        }
    }

    /// The services ([`ActionSummary::services`]) and the patterns
    /// ([`ActionSummary::actions`]) a statement with actions `a` may cover: every bit for `*`
    /// (and every pattern bit for a `service:*`), none when it covers nothing
    /// (`may_cover_others` is false: it has conditions or no `Action`).
    fn covering_of(a: &ActionSummary, may_cover_others: bool) -> (u64, u64) {
        match (may_cover_others, a.any) {
            (false, _) => (0, 0),
            (true, true) => (u64::MAX, u64::MAX),
            (true, false) if a.service_stars != 0 => (a.services, u64::MAX),
            (true, false) => (a.services, a.actions),
        }
    }

    /// The bits that [`Summary::covering`] of a statement that may cover this one has: its
    /// services and patterns; every bit when only `*` may cover it (it lists `*`) or nothing
    /// may (it has no `Action` list). A pair of statements of different shapes where the
    /// other's `covering` lacks one of these bits is neither a duplicate nor a cover
    /// ([`ActionSummary::may_cover`]).
    fn needs(&self) -> (u64, u64) {
        if !self.has_actions || self.actions.any {
            (u64::MAX, u64::MAX)
        } else {
            (self.actions.services, self.actions.actions)
        }
    }

    /// Whether this statement, having no condition, may cover all of `other`'s actions (if
    /// not, it certainly does not cover `other`).
    fn may_cover(&self, other: &Self) -> bool {
        self.may_cover_others && other.has_actions && self.actions.may_cover(&other.actions)
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
/// Whether `b` covers `a`; each comes with the catalog facts of its patterns.
fn covers((b, kb): (&Statement, &[KnownAction]), (a, ka): (&Statement, &[KnownAction])) -> bool {
    actions_cover((b.action.as_ref(), kb), (a.action.as_ref(), ka))
        && resources_cover(b.resource.as_ref(), a.resource.as_ref())
        && principals_cover(b.principal.as_ref(), a.principal.as_ref())
}

fn actions_cover(
    (b, kb): (Option<&ActionBlock>, &[KnownAction]),
    (a, ka): (Option<&ActionBlock>, &[KnownAction]),
) -> bool {
    let (Some(ActionBlock::Action(b)), Some(ActionBlock::Action(a))) = (b, a) else {
        return false;
    };
    // The facts have one entry per pattern, in order.
    a.node.iter().zip(ka).all(|(x, &kx)| {
        b.node
            .iter()
            .zip(kb)
            .any(|(y, &ky)| action_covers((&y.node, ky), (&x.node, kx)))
    })
}

fn action_covers(
    (b, kb): (&ActionPattern, KnownAction),
    (a, ka): (&ActionPattern, KnownAction),
) -> bool {
    // Two patterns the catalog knows as plain names cover each other only when they name the
    // same action: their texts are then equal ignoring case, and only then. A catalog name
    // covers nothing else (it is not `*` or `service:*`, and equal text would name it too).
    match (kb, ka) {
        (KnownAction::Action(x), KnownAction::Action(y)) => return x == y,
        (KnownAction::Action(_), _) => return false,
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    use kmsguard_syntax::{ParseOptions, SourceFile, parse_text};

    /// In policies of at most [`super::INDEXED`] statements, a statement that [`super::alone`]
    /// skips is one that [`super::first_cover`], reading every other statement, finds nothing
    /// for, and the covering bits it is given are those of all the other statements, for every
    /// managed policy and for made-up ones: duplicates with and without conditions, statements
    /// covered by earlier and by later ones, by `*` and by `service:*`, and Deny statements.
    #[test]
    fn skipped_statements_have_no_cover() {
        use super::{INDEXED, PolicyFacts, Summary, alone, first_cover, mark_later};
        use kmsguard_syntax::formats::Content;
        let mut texts = crate::managed_policy_texts();
        let statement = |effect: &str, action: &str, condition: bool| {
            let condition = if condition {
                r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#
            } else {
                ""
            };
            format!(r#"{{"Effect":"{effect}","Action":{action},"Resource":"*"{condition}}}"#)
        };
        let made_up = [
            vec![
                ("Allow", r#""kms:Decrypt""#, true),
                ("Allow", r#""kms:Decrypt""#, true),
            ],
            vec![
                ("Allow", r#""kms:Decrypt""#, false),
                ("Allow", r#""kms:Decrypt""#, false),
            ],
            vec![
                ("Allow", r#""kms:*""#, false),
                ("Allow", r#""kms:Decrypt""#, true),
            ],
            vec![
                ("Allow", r#""kms:Decrypt""#, true),
                ("Allow", r#""kms:*""#, false),
            ],
            vec![
                ("Allow", r#""*""#, false),
                ("Allow", r#""s3:GetObject""#, false),
            ],
            vec![
                ("Allow", r#""s3:GetObject""#, false),
                ("Allow", r#""*""#, false),
            ],
            vec![
                ("Allow", r#"["kms:Decrypt","kms:Encrypt"]"#, false),
                ("Allow", r#""s3:GetObject""#, false),
                ("Allow", r#""kms:encrypt""#, true),
            ],
            vec![
                ("Deny", r#""kms:Decrypt""#, false),
                ("Allow", r#""kms:Decrypt""#, false),
                ("Deny", r#""kms:*""#, false),
            ],
        ];
        for sts in made_up {
            let sts: Vec<String> = sts.iter().map(|&(e, a, c)| statement(e, a, c)).collect();
            texts.push(format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                sts.join(",")
            ));
        }
        let (mut skipped, mut read) = (0, 0);
        for text in &texts {
            let parsed = parse_text(text, &ParseOptions::default());
            for doc in &parsed.documents {
                let Content::Policy(policy) = &doc.content else {
                    continue;
                };
                let sts = &policy.statements;
                if sts.len() > INDEXED {
                    continue;
                }
                let facts = PolicyFacts::new(policy);
                let mut summaries: Vec<Summary> = sts
                    .iter()
                    .enumerate()
                    .map(|(i, s)| Summary::of(&s.node, facts.summary(i)))
                    .collect();
                let twice = mark_later(&mut summaries);
                let pair = |j: usize| summaries.get(j).map(|s| (s.shape, s.covering));
                // As `compare_all` reads them.
                let mut before = (0, 0);
                for (i, (a, sa)) in sts.iter().zip(&summaries).enumerate() {
                    let others = (before.0 | sa.later.0, before.1 | sa.later.1);
                    before = (before.0 | sa.covering.0, before.1 | sa.covering.1);
                    let all = summaries
                        .iter()
                        .enumerate()
                        .filter(|&(j, _)| j != i)
                        .fold((0, 0), |(s, p), (_, o)| {
                            (s | o.covering.0, p | o.covering.1)
                        });
                    assert_eq!(others, all, "{text}");
                    if alone(sa, others, twice) {
                        skipped += 1;
                        let found =
                            first_cover((i, a), sa, sts, &summaries, pair, &facts, 0..sts.len());
                        assert!(found.is_none(), "statement {i} of {text}");
                    } else {
                        read += 1;
                    }
                }
            }
        }
        // Most statements are skipped, not all.
        assert!(skipped > read && read > 0, "{skipped} {read}");
    }

    /// The findings of a policy, linted on this thread after others (its summaries in the list
    /// the policy before kept) are those it gets linted alone on a new thread, for policies
    /// above and below the size that is searched through bit sets, in several orders.
    #[test]
    fn kept_summaries_give_the_findings_of_new_ones() {
        let statement = |sid: &str, action: &str, condition: bool| {
            let condition = if condition {
                r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#
            } else {
                ""
            };
            format!(
                r#"{{"Sid":"{sid}","Effect":"Allow","Action":"{action}","Resource":"*"{condition}}}"#
            )
        };
        let policy = |sts: Vec<String>| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                sts.join(",")
            )
        };
        let big = policy(
            (0..40)
                .map(|i| {
                    statement(
                        &format!("S{i}"),
                        &format!("kms:Action{}", i % 7),
                        i % 3 == 0,
                    )
                })
                .collect(),
        );
        let small = policy(vec![
            statement("A", "kms:Decrypt", true),
            statement("B", "kms:*", false),
            statement("C", "kms:Encrypt", false),
        ]);
        let none = policy(vec![
            statement("X", "s3:GetObject", false),
            statement("Y", "s3:PutObject", false),
        ]);
        let lint = |text: &str| {
            let parsed = parse_text(text, &ParseOptions::default());
            let source = SourceFile::new("p.json", text);
            let found = crate::lint_file(&parsed, &source, &|m| m.code.as_str() == "I014");
            format!("{found:?}")
        };
        let texts = [&big, &small, &none, &small, &big, &none, &big];
        let alone: Vec<String> = texts
            .iter()
            .map(|t| std::thread::scope(|s| s.spawn(|| lint(t)).join().unwrap_or_default()))
            .collect();
        assert!(alone.iter().any(|f| f.contains("I014")));
        for (t, want) in texts.iter().zip(&alone) {
            assert_eq!(&lint(t), want, "{t}");
        }
    }
}
