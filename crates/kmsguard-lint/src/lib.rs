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
        let (rules, by_kind) = match &doc.content {
            Content::Policy(p) => policy_rules(p.kind).map_or((all_rules(), false), |r| (r, true)),
            _ => (all_rules(), false),
        };
        // One context for the document, set for each rule in turn: a dozen rules run on each
        // of the thousands of documents of a large run.
        let Some(&(_, first)) = rules.first() else {
            continue;
        };
        let mut cx = Context::new(first, &shared, source, doc, &mut out);
        // Each kind of document has its own loop over the rules, which then asks nothing else
        // of the document.
        match &doc.content {
            Content::Policy(p) => run_rules(rules, enabled, &mut cx, |rule, meta, cx| {
                // A kind the lists by kind lack: every rule is listed, and skipped here unless
                // it applies (`enabled` is asked first, which changes nothing).
                if by_kind || meta.applies_to_policy(p.kind) {
                    rule.check_policy(p, cx);
                }
            }),
            Content::Grant(g) => run_rules(rules, enabled, &mut cx, |rule, _, cx| {
                rule.check_grant(g, cx);
            }),
            Content::KeyMetadata(k) => run_rules(rules, enabled, &mut cx, |rule, _, cx| {
                rule.check_key(k, cx);
            }),
            _ => {}
        }
    }
    out
}

/// Runs `check` for each of `rules` that `enabled` allows, with `cx` set for it.
fn run_rules(
    rules: &[RuleWithMeta],
    enabled: &dyn Fn(&RuleMeta) -> bool,
    cx: &mut Context<'_>,
    check: impl Fn(&dyn Rule, &'static RuleMeta, &mut Context<'_>),
) {
    for &(rule, meta) in rules {
        if !enabled(meta) {
            continue;
        }
        cx.set_rule(meta);
        check(rule, meta, cx);
    }
}

/// A rule with its metadata, read once (a call through the rule otherwise).
type RuleWithMeta = (&'static dyn Rule, &'static RuleMeta);

/// Every rule, in registry order, with its metadata.
fn all_rules() -> &'static [RuleWithMeta] {
    static ALL: std::sync::OnceLock<Vec<RuleWithMeta>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| registry::RULES.iter().map(|&r| (r, r.meta())).collect())
}

/// The rules whose `check_policy` runs on policies of `kind`, in registry order (`None` for a
/// kind this list does not know): most rules apply to a few kinds, and a document should not
/// pay to skip the others.
fn policy_rules(kind: PolicyKind) -> Option<&'static [RuleWithMeta]> {
    static BY_KIND: std::sync::OnceLock<Vec<Vec<RuleWithMeta>>> = std::sync::OnceLock::new();
    let i = PolicyKind::ALL.iter().position(|&k| k == kind)?;
    let by_kind = BY_KIND.get_or_init(|| {
        PolicyKind::ALL
            .iter()
            .map(|&k| {
                all_rules()
                    .iter()
                    .copied()
                    .filter(|(_, m)| m.applies_to_policy(k))
                    .collect()
            })
            .collect()
    });
    by_kind.get(i).map(Vec::as_slice)
}

/// The texts of the files beside the AWS managed policies in `fixtures/` (the policies, and
/// notes that hold none), for tests that run over every one of them.
#[cfg(test)]
pub(crate) fn managed_policy_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/corpus/aws-managed-policies");
    std::fs::read_dir(&dir)
        .expect("the managed policies")
        .map(|e| std::fs::read_to_string(e.expect("an entry").path()).expect("a policy"))
        .collect()
}

#[cfg(test)]
mod tests {
    /// [`super::lint_file`] (one context per document, rules listed by policy kind with their
    /// metadata) finds what running every rule of the registry finds, each on a context of its
    /// own and skipped when it does not apply or is not enabled, for every file under
    /// `fixtures` (managed and key policies, every rule's examples, grants and key metadata)
    /// and several choices of enabled rules.
    #[test]
    fn lint_file_finds_what_every_rule_finds() {
        use kmsguard_syntax::formats::{Content, ParsedFile};
        use kmsguard_syntax::{Diagnostic, ParseOptions, SourceFile, parse_text};
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).expect("a directory") {
                let path = e.expect("an entry").path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "json") {
                    out.push(path);
                }
            }
        }
        fn plain(
            file: &ParsedFile,
            source: &SourceFile,
            enabled: &dyn Fn(&super::RuleMeta) -> bool,
        ) -> Vec<Diagnostic> {
            let mut out = Vec::new();
            for doc in &file.documents {
                let shared = super::context::Shared::default();
                for &rule in super::registry::RULES {
                    let meta = rule.meta();
                    if let Content::Policy(p) = &doc.content {
                        if !meta.applies_to_policy(p.kind) {
                            continue;
                        }
                    }
                    if !enabled(meta) {
                        continue;
                    }
                    let mut cx = super::Context::new(meta, &shared, source, doc, &mut out);
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
        let mut paths = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"),
            &mut paths,
        );
        let choices: [&dyn Fn(&super::RuleMeta) -> bool; 4] = [
            &|_| true,
            &|_| false,
            &|m| m.code.as_str().ends_with(['1', '3', '5', '7', '9']),
            &|m| m.code.as_str() == "I014",
        ];
        let (mut kinds, mut found) = ([false; 3], 0);
        for path in &paths {
            // A few parse fixtures are not UTF-8.
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let parsed = parse_text(&text, &ParseOptions::default());
            let source = SourceFile::new(path.display().to_string(), text.as_str());
            for doc in &parsed.documents {
                let k = match doc.content {
                    Content::Policy(_) => 0,
                    Content::Grant(_) => 1,
                    _ => 2,
                };
                if let Some(seen) = kinds.get_mut(k) {
                    *seen = true;
                }
            }
            for enabled in choices {
                let want = plain(&parsed, &source, enabled);
                found += want.len();
                assert_eq!(
                    super::lint_file(&parsed, &source, enabled),
                    want,
                    "{}",
                    path.display()
                );
            }
        }
        assert_eq!(kinds, [true; 3]);
        assert!(found > 0);
    }

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
