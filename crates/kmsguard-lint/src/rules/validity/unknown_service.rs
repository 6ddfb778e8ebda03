use kmsguard_catalog::catalog;
use kmsguard_syntax::ast::{ActionPattern, Policy};
use kmsguard_syntax::{Span, Spanned};

use super::catalog_phrase;
use crate::facts::KnownAction;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags an action (in `Action` or `NotAction`) whose service prefix is not in the service
/// catalog, with the closest known prefix.
///
/// ## Why it matters
/// IAM accepts actions of services it does not know (validation-checks.md §3.2
/// `INVALID_SERVICE_IN_ACTION`, VC-05): a misspelt prefix such as `kms2:Decrypt` or
/// `km:Decrypt` is stored without complaint and matches no request, so an `Allow` grants
/// nothing and a `Deny` protects nothing. The catalog may be older than the policy, so this is a
/// warning: a service launched after the catalog's date is reported too.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kmss:Decrypt","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// One finding per unknown prefix and statement; further actions of the same prefix are marked
/// as secondary labels.
pub(crate) UnknownService {
    code: "I001",
    name: "unknown-service",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for UnknownService {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let facts = cx.facts(policy);
        // Nearly every policy names only services the catalog knows: no statement to look at.
        if !facts.holds_anywhere(KnownAction::UNKNOWN_SERVICE) {
            return;
        }
        for (s, st) in policy.statements.iter().enumerate() {
            let Some(block) = &st.node.action else {
                continue;
            };
            if !facts.holds(s, KnownAction::UNKNOWN_SERVICE) {
                continue;
            }
            let patterns = &block.patterns().node;
            // The prefixes of the patterns so far that the catalog did not place: a pattern of
            // the same prefix (ignoring case) as an unknown one has the same unknown service,
            // so only those can share an unknown pattern's prefix.
            let mut seen: Vec<&str> = Vec::new();
            for (i, (p, known)) in patterns.iter().zip(facts.actions(s)).enumerate() {
                match known {
                    KnownAction::UnknownService => {}
                    KnownAction::Placeholder => {
                        if !p.node.is_any() {
                            seen.push(p.node.service());
                        }
                        continue;
                    }
                    _ => continue,
                }
                let service = p.node.service();
                // Reported with the first action of this prefix in the statement.
                if seen.iter().any(|q| q.eq_ignore_ascii_case(service)) {
                    continue;
                }
                seen.push(service);
                report(cx, p, patterns.get(i.saturating_add(1)..).unwrap_or(&[]));
            }
        }
    }
}

fn same_service(p: &ActionPattern, service: &str) -> bool {
    !p.is_any() && p.service().eq_ignore_ascii_case(service)
}

fn report(cx: &mut Context<'_>, p: &Spanned<ActionPattern>, later: &[Spanned<ActionPattern>]) {
    let service = p.node.service();
    let suggestion = catalog().suggest_service(service);
    let mut d = cx
        .finding(format!("unknown service prefix `{service}` in `{}`", p.node.text()))
        .label(p.span, format!("`{service}` is not in {}", catalog_phrase()))
        .note("IAM accepts actions of unknown services, but they match no request until such a service exists");
    d = match suggestion {
        Some(s) => d.help(format!("did you mean `{s}`? write `{s}:{}`", p.node.name())),
        None => d.help(format!(
            "check the prefix in the Service Authorization Reference, or remove the actions of `{service}`"
        )),
    };
    let others: Vec<Span> = later
        .iter()
        .filter(|q| same_service(&q.node, service))
        .map(|q| q.span)
        .collect();
    for span in others {
        d = d.secondary(span, "same prefix");
    }
    cx.report(d);
}
