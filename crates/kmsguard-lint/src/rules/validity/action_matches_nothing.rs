use kmsguard_syntax::ast::Policy;

use super::catalog_phrase;
use crate::facts::{KnownAction, hash_folded};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};
use kmsguard_catalog::memo::{Memo, remember_shared};

declare_rule! {
/// Flags an action pattern with `*` or `?` (in `Action` or `NotAction`) that matches no action
/// of its service in the service catalog.
///
/// ## Why it matters
/// A wildcard pattern that matches nothing, such as `kms:Decrypts*` or `kms:Get*Keys`, is
/// accepted by IAM and covers no request (validation-checks.md §3.2 `INVALID_ACTION`, VC-05):
/// the statement does less than it seems to. The catalog may be older than the policy, so this
/// is a warning naming the catalog's date.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypts*","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt*","kms:Describe*"],"Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// A pattern meant for actions added after the catalog's date is reported.
pub(crate) ActionMatchesNothing {
    code: "I003",
    name: "action-matches-nothing",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

/// Whether a pattern matches an action of its service, by the pattern's text. Policies repeat
/// patterns (1,005 texts for the 3,016 patterns with wildcards of AWS's managed policies), and
/// a pattern with a leading `*` is matched against every name of its service. One memo for
/// every thread: with one per thread, a two-thread lint run of the managed policies matched
/// 1,544 patterns instead of about 1,000 (a match costs over a thousand instructions, a lock
/// a few dozen).
static MATCHES: std::sync::Mutex<Memo<bool>> = std::sync::Mutex::new(Memo::new());

impl Rule for ActionMatchesNothing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let facts = cx.facts(policy);
        // A policy without a pattern with wildcards (of a known service) has no statement to
        // look at.
        if !facts.holds_anywhere(KnownAction::PATTERN) {
            return;
        }
        for (s, st) in policy.statements.iter().enumerate() {
            let Some(block) = &st.node.action else {
                continue;
            };
            if !facts.holds(s, KnownAction::PATTERN) {
                continue;
            }
            for (p, known) in block.patterns().node.iter().zip(facts.actions(s)) {
                // Unknown services are I001's.
                let KnownAction::Pattern(svc) = *known else {
                    continue;
                };
                // `service:*` (a sixth of the patterns) matches whatever the service has: no
                // search of its names needed.
                let name = p.node.name();
                let matches = if name == "*" {
                    svc.actions().next().is_some()
                } else {
                    // The text names the service (its prefix, in any case) and the pattern.
                    let text = p.node.text();
                    remember_shared(&MATCHES, text, hash_folded(text), |_| {
                        svc.matching_actions(name).next().is_some()
                    })
                };
                if matches {
                    continue;
                }
                let d = cx
                    .finding(format!("`{}` matches no action", p.node.text()))
                    .label(p.span, format!("no action of `{}` in {} matches", svc.prefix(), catalog_phrase()))
                    .note("IAM accepts the pattern, but it matches no request")
                    .help(format!(
                        "correct the pattern (for example `{}:*` for every action of the service), or remove it",
                        p.node.service()
                    ));
                cx.report(d);
            }
        }
    }
}
