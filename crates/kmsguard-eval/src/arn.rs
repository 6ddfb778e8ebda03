//! ARN patterns: `Resource` / `NotResource` entries (evaluation.md A9) and the values of the
//! `Arn*` condition operators (conditions.md §4.7). Owned by the condition layer.
//!
//! An ARN has six colon-separated segments (`arn`, partition, service, region, account,
//! resource); the resource segment keeps any further colons. Patterns are compiled per
//! segment; each segment is an IAM wildcard (`*`, `?`), matched case-sensitively (A12).

use kmsguard_syntax::ast::ResourcePattern;

use crate::condition::Truth;
use crate::condition::variables::{Part, VarRef, parts, with_resolved};
use crate::context::RequestContext;
use crate::pattern::{Case, Tok, TokBuilder, Wildcard};

/// Index of the resource segment.
const RESOURCE: usize = 5;

/// Splits an ARN into its six segments; `None` when it has fewer. (A byte loop: ARNs are
/// short, and this is several times faster than `str::splitn` on the hot path.)
pub(crate) fn split6(text: &str) -> Option<[&str; 6]> {
    let mut cuts = [0usize; 5];
    let mut n = 0usize;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b == b':' {
            match cuts.get_mut(n) {
                Some(slot) => *slot = i,
                None => break,
            }
            n += 1;
            if n == 5 {
                break;
            }
        }
    }
    if n < 5 {
        return None;
    }
    let [a, b, c, d, e] = cuts;
    Some([
        text.get(..a)?,
        text.get(a + 1..b)?,
        text.get(b + 1..c)?,
        text.get(c + 1..d)?,
        text.get(d + 1..e)?,
        text.get(e + 1..)?,
    ])
}

/// A pattern split into segment wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segments {
    /// One wildcard per segment written (at most six).
    pub(crate) segs: Vec<Wildcard>,
    /// Fewer than six segments were written (the last one ends in `*`).
    pub(crate) truncated: bool,
}

/// Compiles the parts of an ARN pattern into segments. Variables are allowed from segment
/// `vars_from` on (0 for condition values, §6.2; the resource segment for `Resource`, A9);
/// a variable before that, a pattern not starting with `arn:`, or a pattern with fewer than
/// six segments whose last one does not end in `*` yields `None` (never matches: §4.7 "a
/// policy value that is not a six-part ARN never matches").
pub(crate) fn compile_segments(ps: &[Part<'_>], vars_from: usize) -> Option<Segments> {
    let mut segs = Vec::with_capacity(6);
    let mut b = TokBuilder::default();
    for p in ps {
        match *p {
            Part::Text(mut t) => {
                while segs.len() < RESOURCE {
                    let Some((head, tail)) = t.split_once(':') else {
                        break;
                    };
                    b.wild(head);
                    segs.push(b.finish(Case::Sensitive));
                    t = tail;
                }
                b.wild(t);
            }
            Part::Lit(c) => b.lit_char(c),
            Part::Var(i) if segs.len() >= vars_from => b.var(i),
            Part::Var(_) => return None,
        }
    }
    segs.push(b.build(Case::Sensitive));
    if segs.first().and_then(Wildcard::literal_text) != Some("arn") {
        return None;
    }
    let truncated = segs.len() <= RESOURCE;
    if truncated && segs.last().and_then(|w| w.tokens().last()) != Some(&Tok::Star) {
        return None;
    }
    Some(Segments { segs, truncated })
}

/// A compiled `Resource` / `NotResource` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnMatcher {
    kind: Kind,
    vars: Vec<VarRef>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// `*`.
    Any,
    /// A pattern that can match nothing (variable outside the resource segment, not ARN
    /// shaped).
    Never,
    /// A pattern holding a value unknown until deploy (`kmsguard_syntax::unknown`).
    Unknown,
    /// A segment-wise pattern.
    Segs {
        segs: Segments,
        /// Some segment before the resource segment ends in `*` (or the pattern is
        /// truncated): that star may expand beyond the colon boundary (A9, DOC).
        spanning: bool,
    },
}

impl ArnMatcher {
    /// Compiles a resource pattern; `variables` says whether the policy version interprets
    /// policy variables (`2012-10-17`, A2).
    #[must_use]
    pub fn compile(p: &ResourcePattern, variables: bool) -> Self {
        if p.is_any() {
            return Self {
                kind: Kind::Any,
                vars: Vec::new(),
            };
        }
        if kmsguard_syntax::unknown::contains(&p.template.raw) {
            return Self {
                kind: Kind::Unknown,
                vars: Vec::new(),
            };
        }
        let mut vars = Vec::new();
        let ps = parts(&p.template, variables, &mut vars);
        // A9: variables only in the resource part (after the fifth colon). One elsewhere makes
        // the entry match nothing (AWS documents them as not allowed there).
        let kind = match compile_segments(&ps, RESOURCE) {
            Some(segs) => {
                let spanning = segs.truncated
                    || segs
                        .segs
                        .iter()
                        .take(RESOURCE)
                        .any(|w| w.tokens().last() == Some(&Tok::Star));
                Kind::Segs { segs, spanning }
            }
            None => Kind::Never,
        };
        Self { kind, vars }
    }

    /// Whether the pattern is `*`.
    #[must_use]
    pub fn is_any(&self) -> bool {
        self.kind == Kind::Any
    }

    /// Whether the pattern holds policy variables.
    #[must_use]
    pub fn has_variables(&self) -> bool {
        !self.vars.is_empty()
    }

    /// Whether `arn` matches (A9): case-sensitive; `*` / `?` inside segments; a `*` that is
    /// the last character of a segment may expand beyond the colon boundary (so truncated
    /// patterns such as `arn:aws:sqs:*` match). Policy variables are substituted from `ctx`
    /// as literal text; if one cannot be resolved and has no default the pattern matches
    /// nothing (conditions.md §6.3) — check [`ArnMatcher::has_unresolved`] to tell that case
    /// apart (for `NotResource` it means "not excluded"). Returns `Truth::Unknown` only for
    /// a pattern that holds a value unknown until deploy.
    #[must_use]
    pub fn matches(&self, arn: &str, ctx: &RequestContext) -> Truth {
        let hit = match &self.kind {
            Kind::Any => true,
            Kind::Never => false,
            Kind::Unknown => {
                return Truth::Unknown(
                    "a resource in this statement is unknown until deploy".into(),
                );
            }
            Kind::Segs { segs, spanning } => {
                with_resolved(&self.vars, ctx, |v| match_segments(segs, *spanning, arn, v))
            }
        };
        if hit { Truth::True } else { Truth::False }
    }

    /// Whether some variable of the pattern cannot be resolved from `ctx` (key absent or
    /// multivalued, no default): the pattern then matches no resource (§6.3).
    #[must_use]
    pub fn has_unresolved(&self, ctx: &RequestContext) -> bool {
        self.vars.iter().any(|v| v.resolve(ctx).is_none())
    }
}

fn match_segments(segs: &Segments, spanning: bool, arn: &str, vars: &[Option<&str>]) -> bool {
    if !segs.truncated {
        let Some(t) = split6(arn) else {
            // Fewer than five colons: the pattern's five separators cannot all match.
            return false;
        };
        if segs
            .segs
            .iter()
            .zip(t)
            .all(|(w, s)| w.matches_with(s, vars))
        {
            return true;
        }
        // A segment-ending star can only swallow a colon if the text has more colons than
        // the pattern's five separators, i.e. its resource part holds one. Otherwise the
        // segment-wise answer above is final (and this is the hot path).
        if !spanning || !t[RESOURCE..].iter().any(|s| s.contains(':')) {
            return false;
        }
    }
    match automaton(segs, vars) {
        Some(toks) => nfa(&toks, arn),
        None => false,
    }
}

/// One character-level token of the colon-aware automaton.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CTok {
    Ch(char),
    /// `?`; the flag says whether it may match `:`.
    One(bool),
    /// `*`; the flag says whether it may match `:`.
    Star(bool),
}

/// The whole pattern as one character sequence: separators are literal colons; wildcards in
/// the resource segment, and a `*` ending an earlier segment, may match colons; other
/// wildcards may not. `None` if a variable is unresolved.
fn automaton(segs: &Segments, vars: &[Option<&str>]) -> Option<Vec<CTok>> {
    let mut out = Vec::new();
    for (i, w) in segs.segs.iter().enumerate() {
        if i > 0 {
            out.push(CTok::Ch(':'));
        }
        let toks = w.tokens();
        let in_resource = i >= RESOURCE;
        for (j, t) in toks.iter().enumerate() {
            match t {
                Tok::Lit(s) => out.extend(s.chars().map(CTok::Ch)),
                Tok::Var(k) => out.extend(vars.get(*k).copied().flatten()?.chars().map(CTok::Ch)),
                Tok::One => out.push(CTok::One(in_resource)),
                Tok::Star => out.push(CTok::Star(in_resource || j + 1 == toks.len())),
            }
        }
    }
    Some(out)
}

/// Set-of-states simulation: O(text × pattern), no backtracking.
fn nfa(toks: &[CTok], text: &str) -> bool {
    let m = toks.len();
    let mut cur = vec![false; m + 1];
    let mut next = vec![false; m + 1];
    if let Some(s) = cur.first_mut() {
        *s = true;
    }
    close(&mut cur, toks);
    for c in text.chars() {
        next.fill(false);
        for (j, t) in toks.iter().enumerate() {
            if !cur.get(j).copied().unwrap_or(false) {
                continue;
            }
            let (stay, adv) = match *t {
                CTok::Star(ok) => (ok || c != ':', false),
                CTok::One(ok) => (false, ok || c != ':'),
                CTok::Ch(x) => (false, x == c),
            };
            if stay {
                if let Some(s) = next.get_mut(j) {
                    *s = true;
                }
            }
            if adv {
                if let Some(s) = next.get_mut(j + 1) {
                    *s = true;
                }
            }
        }
        close(&mut next, toks);
        std::mem::swap(&mut cur, &mut next);
        if !cur.iter().any(|&s| s) {
            return false;
        }
    }
    cur.get(m).copied().unwrap_or(false)
}

/// Adds the states reachable by letting stars match the empty string.
fn close(set: &mut [bool], toks: &[CTok]) {
    for (j, t) in toks.iter().enumerate() {
        if matches!(t, CTok::Star(_)) && set.get(j).copied().unwrap_or(false) {
            if let Some(s) = set.get_mut(j + 1) {
                *s = true;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::context::ContextValue;
    use kmsguard_syntax::ast::Template;

    fn pat(s: &str) -> ResourcePattern {
        ResourcePattern {
            template: Template::parse(s).unwrap(),
        }
    }

    fn m(p: &str, arn: &str) -> bool {
        ArnMatcher::compile(&pat(p), true).matches(arn, &RequestContext::new()) == Truth::True
    }

    #[test]
    fn table() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab";
        let cases: &[(&str, &str, bool)] = &[
            ("*", key, true),
            ("*", "anything", true),
            (key, key, true),
            ("arn:aws:kms:us-east-1:111122223333:key/*", key, true),
            ("arn:aws:kms:*:111122223333:key/*", key, true),
            ("arn:aws:kms:*:*:*", key, true),
            ("arn:aws:kms:us-east-?:111122223333:key/*", key, true),
            ("arn:aws:kms:us-east-1:111122223333:alias/*", key, false),
            ("arn:aws:kms:us-east-1:444455556666:key/*", key, false),
            ("arn:aws:KMS:us-east-1:111122223333:key/*", key, false),
            (
                "arn:aws:kms:us-east-1:111122223333:key/1234ABCD-12ab",
                key,
                false,
            ),
            ("arn:aws:kms:*", key, true),
            ("arn:aws:kms:us-*", key, true),
            ("arn:aws:kms:eu-*", key, false),
            ("arn:aws:s3:::*", key, false),
            ("arn:aws:s3:::*", "arn:aws:s3:::bucket/a:b", true),
            (
                "arn:aws:s3:::bucket/*/test/*",
                "arn:aws:s3:::bucket/1/2/test/3/x",
                true,
            ),
            (
                "arn:aws:s3:::bucket/*/test/*",
                "arn:aws:s3:::bucket//test/",
                true,
            ),
            ("arn:aws:kms:us-east-1:111122223333:key", key, false),
            (
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab",
                "arn:aws:kms:us-east-1",
                false,
            ),
            // A segment-ending `*` may span colons (A9): the region star reaches past the
            // account into a colon-bearing resource part.
            (
                "arn:aws:x:*:111122223333:finance/*",
                "arn:aws:x:us-east-2:999999999999:store/abc:111122223333:finance/d.txt",
                true,
            ),
            // ... but a star that does not end its segment does not.
            (
                "arn:aws:x:us-*2:111122223333:finance/*",
                "arn:aws:x:us-east-2:999999999999:store/abc:111122223333:finance/d.txt",
                false,
            ),
            ("arn:aws:x:us-${*}:1:r", "arn:aws:x:us-*:1:r", true),
            ("arn:aws:x:us-${*}:1:r", "arn:aws:x:us-east:1:r", false),
        ];
        for &(p, a, want) in cases {
            assert_eq!(m(p, a), want, "{p} vs {a}");
        }
    }

    #[test]
    fn variables() {
        let p = pat("arn:aws:s3:::bucket/home/${aws:username}/*");
        let w = ArnMatcher::compile(&p, true);
        let mut ctx = RequestContext::new();
        assert_eq!(
            w.matches("arn:aws:s3:::bucket/home/alice/x", &ctx),
            Truth::False
        );
        assert!(w.has_unresolved(&ctx));
        ctx.insert("AWS:UserName", ContextValue::Single("alice".into()));
        assert!(!w.has_unresolved(&ctx));
        assert_eq!(
            w.matches("arn:aws:s3:::bucket/home/alice/x", &ctx),
            Truth::True
        );
        assert_eq!(
            w.matches("arn:aws:s3:::bucket/home/bob/x", &ctx),
            Truth::False
        );
        // Substituted text is literal.
        ctx.insert("aws:username", ContextValue::Single("*".into()));
        assert_eq!(
            w.matches("arn:aws:s3:::bucket/home/bob/x", &ctx),
            Truth::False
        );
        // Variables are literal text under 2008-10-17.
        let w = ArnMatcher::compile(&p, false);
        assert_eq!(
            w.matches("arn:aws:s3:::bucket/home/${aws:username}/x", &ctx),
            Truth::True
        );
        // Default value.
        let w = ArnMatcher::compile(&pat("arn:aws:s3:::b/${aws:PrincipalTag/t, 'none'}/*"), true);
        assert_eq!(w.matches("arn:aws:s3:::b/none/x", &ctx), Truth::True);
        assert!(!w.has_unresolved(&ctx));
        // A variable outside the resource segment matches nothing.
        let w = ArnMatcher::compile(&pat("arn:aws:kms:${aws:RequestedRegion}:1:key/*"), true);
        ctx.insert(
            "aws:RequestedRegion",
            ContextValue::Single("us-east-1".into()),
        );
        assert_eq!(
            w.matches("arn:aws:kms:us-east-1:1:key/x", &ctx),
            Truth::False
        );
    }

    use proptest::prelude::*;

    fn seg() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![Just('a'), Just('b'), Just('*'), Just('?'), Just('/')],
            0..4,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn text_seg() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![Just('a'), Just('b'), Just('/'), Just(':')],
            0..5,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The segment-wise fast path plus its fallback agree with the automaton, which is the
        /// direct statement of A9's rule.
        #[test]
        fn fast_path_agrees_with_automaton(
            p in proptest::collection::vec(seg(), 1..6),
            t in proptest::collection::vec(text_seg(), 4..8),
        ) {
            let pattern = format!("arn:{}", p.join(":"));
            let text = format!("arn:{}", t.join(":"));
            let Some(segs) = compile_segments(&[Part::Text(&pattern)], 0) else {
                return Ok(());
            };
            let spanning = segs.truncated
                || segs.segs.iter().take(RESOURCE).any(|w| w.tokens().last() == Some(&Tok::Star));
            let want = nfa(&automaton(&segs, &[]).unwrap(), &text);
            prop_assert_eq!(match_segments(&segs, spanning, &text, &[]), want, "{} vs {}", pattern, text);
        }
    }

    #[test]
    fn split() {
        assert_eq!(
            split6("arn:aws:s3:::b/k:x"),
            Some(["arn", "aws", "s3", "", "", "b/k:x"])
        );
        assert_eq!(
            split6("arn:aws:s3:::"),
            Some(["arn", "aws", "s3", "", "", ""])
        );
        assert_eq!(split6("arn:aws:s3::"), None);
        assert_eq!(split6(""), None);
    }

    #[test]
    fn nfa_agrees_with_segments_when_no_spanning() {
        let segs = compile_segments(&[Part::Text("arn:a?s:k*s:*-1:1:key/*")], 0).unwrap();
        let toks = automaton(&segs, &[]).unwrap();
        for t in [
            "arn:aws:kms:us-east-1:1:key/x",
            "arn:aws:kms:us-east-1:1:key/x:y",
            "arn:aws:kxs:us-east-1:2:key/x",
            "arn:a:s:kms:us-east-1:1:key/x",
        ] {
            let seg = split6(t).is_some_and(|p| segs.segs.iter().zip(p).all(|(w, s)| w.matches(s)));
            assert_eq!(nfa(&toks, t), seg, "{t}");
        }
    }
}
