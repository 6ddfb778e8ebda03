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

use kmsguard_syntax::formats::{Content, ParsedFile};
use kmsguard_syntax::{Diagnostic, SourceFile};

/// Whether `text` holds a placeholder for a value unknown until deploy
/// ([`kmsguard_syntax::unknown`]): rules judge no such value. Rules call this for nearly every
/// value, and nearly every value is ASCII, which a placeholder never is: that test is much
/// cheaper than a search.
pub(crate) fn holds_placeholder(text: &str) -> bool {
    !text.is_ascii() && kmsguard_syntax::unknown::contains(text)
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
        for rule in registry::RULES {
            let meta = rule.meta();
            // Rules for other kinds of policy (key-policy rules on IAM policies) cost nothing.
            if let Content::Policy(p) = &doc.content {
                if !meta.applies_to_policy(p.kind) {
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
