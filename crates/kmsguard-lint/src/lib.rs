//! The linter: rules over policies, grants and key metadata, each in its own file under
//! `rules/<category>/`, listed in [`registry`]. Rules report [`Diagnostic`]s with their own
//! codes (`I` IAM, `K` key policy, `G` grant) and can ask the evaluator questions.

mod context;
mod facts;
mod probe;
pub mod registry;
pub mod rule;
mod rules;

pub use context::Context;
pub use rule::{Category, Rule, RuleMeta};

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::formats::{Content, ParsedFile};
use kmsguard_syntax::{Diagnostic, SourceFile};

/// Whether `text` holds a placeholder for a value unknown until deploy
/// ([`kmsguard_syntax::unknown`]): rules judge no such value. Rules call this for nearly every
/// value, and nearly every value is ASCII, which a placeholder never is: that test is much
/// cheaper than a search.
pub(crate) fn holds_placeholder(text: &str) -> bool {
    !text.is_ascii() && kmsguard_syntax::unknown::contains(text)
}

/// Whether `text` holds `*` or `?`, read eight bytes at a time (values are scanned for
/// wildcards often, and are mostly ARNs and names of a few dozen bytes).
pub(crate) fn has_wildcard(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether a byte of `w` is zero (exact: borrows only pass zero bytes' neighbours when
    // there is a zero byte below them).
    let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w & HIGH != 0;
    let wild =
        |w: u64| zero_byte(w ^ ONES.wrapping_mul(0x2a)) || zero_byte(w ^ ONES.wrapping_mul(0x3f));
    let bytes = text.as_bytes();
    let mut rest = bytes;
    while let Some((w, after)) = rest.split_first_chunk::<8>() {
        if wild(u64::from_le_bytes(*w)) {
            return true;
        }
        rest = after;
    }
    match bytes.last_chunk::<8>() {
        // The last eight bytes hold the rest (and some bytes already read).
        Some(w) if !rest.is_empty() => wild(u64::from_le_bytes(*w)),
        Some(_) => false,
        None => rest.iter().any(|&b| b == b'*' || b == b'?'),
    }
}

/// Runs every enabled rule on every document of a parsed file. `enabled` decides per rule
/// (configuration); the parse diagnostics are not included.
pub fn lint_file(
    file: &ParsedFile,
    source: &SourceFile,
    enabled: &dyn Fn(&RuleMeta) -> bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in &file.documents {
        let shared = context::Shared::default();
        // Rules for other kinds of policy (key-policy rules on IAM policies) cost nothing.
        let rules = match &doc.content {
            Content::Policy(p) => policy_rules(p.kind),
            _ => None,
        };
        for &rule in rules.unwrap_or(registry::RULES) {
            let meta = rule.meta();
            if let Content::Policy(p) = &doc.content {
                if rules.is_none() && !meta.applies_to_policy(p.kind) {
                    continue;
                }
            }
            if !enabled(meta) {
                continue;
            }
            let mut cx = Context::new(meta, &shared, source, doc, &mut out);
            match &doc.content {
                Content::Policy(p) => rule.check_policy(p, &mut cx),
                Content::Grant(g) => rule.check_grant(g, &mut cx),
                Content::KeyMetadata(k) => rule.check_key(k, &mut cx),
                _ => {}
            }
        }
    }
    out
}

/// The rules whose `check_policy` runs on policies of `kind`, in registry order (`None` for a
/// kind this list does not know): most rules apply to a few kinds, and a document should not
/// pay to skip the others.
fn policy_rules(kind: PolicyKind) -> Option<&'static [&'static dyn Rule]> {
    static BY_KIND: std::sync::OnceLock<Vec<Vec<&'static dyn Rule>>> = std::sync::OnceLock::new();
    let i = PolicyKind::ALL.iter().position(|&k| k == kind)?;
    let by_kind = BY_KIND.get_or_init(|| {
        PolicyKind::ALL
            .iter()
            .map(|&k| {
                registry::RULES
                    .iter()
                    .copied()
                    .filter(|r| r.meta().applies_to_policy(k))
                    .collect()
            })
            .collect()
    });
    by_kind.get(i).map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    #[test]
    fn has_wildcard_finds_every_position() {
        for len in 0..40 {
            let plain = "a".repeat(len);
            assert!(!super::has_wildcard(&plain), "{len}");
            for at in 0..len {
                for w in ["*", "?"] {
                    let mut t = plain.clone();
                    t.replace_range(at..=at, w);
                    assert!(super::has_wildcard(&t), "{t}");
                }
            }
        }
        // The bytes next to `*` (0x2a) and `?` (0x3f).
        assert!(!super::has_wildcard("arn:aws:s3:::bucket/)+>@)+>@"));
        assert!(super::has_wildcard("arn:aws:s3:::bucket/é*"));
    }
}
