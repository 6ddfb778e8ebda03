use kmsguard_syntax::ast::Policy;

use super::catalog_phrase;
use crate::facts::KnownAction;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags an action without wildcards (in `Action` or `NotAction`) that its service, known to
/// the service catalog, does not have, with the closest action name.
///
/// ## Why it matters
/// IAM accepts unknown actions (validation-checks.md §3.2 `INVALID_ACTION`, VC-05): a typo such
/// as `kms:Decrpyt` or `kms:GenerateDataKeys` is stored and matches no request, so an `Allow`
/// grants nothing and a `Deny` protects nothing. The catalog may be older than the policy, so
/// this is a warning naming the catalog's date.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrpyt","kms:Encrypt"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:decrypt","kms:Encrypt"],"Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// Actions added to a service after the catalog's date are reported; the message names the date.
pub(crate) UnknownAction {
    code: "I002",
    name: "unknown-action",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for UnknownAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let facts = cx.facts(policy);
        // Nearly every policy names only actions the catalog knows: no statement to look at.
        if !facts.holds_anywhere(KnownAction::UNKNOWN_NAME) {
            return;
        }
        for (s, st) in policy.statements.iter().enumerate() {
            let Some(block) = &st.node.action else {
                continue;
            };
            if !facts.holds(s, KnownAction::UNKNOWN_NAME) {
                continue;
            }
            for (p, known) in block.patterns().node.iter().zip(facts.actions(s)) {
                // Unknown services are I001's, patterns with wildcards I003's.
                let KnownAction::UnknownName(svc) = *known else {
                    continue;
                };
                let name = p.node.name();
                let mut d = cx
                    .finding(format!("unknown action `{}`", p.node.text()))
                    .label(
                        p.span,
                        format!(
                            "not an action of `{}` in {}",
                            svc.prefix(),
                            catalog_phrase()
                        ),
                    )
                    .note("IAM accepts unknown actions, but they match no request");
                d = match svc.suggest_action(name) {
                    Some(s) => d.help(format!("did you mean `{}:{s}`?", p.node.service())),
                    None => d.help(format!(
                        "check the action in the Service Authorization Reference for `{}`, or remove it",
                        svc.prefix()
                    )),
                };
                cx.report(d);
            }
        }
    }
}
