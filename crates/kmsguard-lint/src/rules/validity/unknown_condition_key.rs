use kmsguard_catalog::{Letters, catalog};
use kmsguard_syntax::ast::{Condition, Policy};

use super::{catalog_phrase, edit_distance_ci_within};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a condition key that is neither a global key nor a key of its service in the service
/// catalog. Keys with a variable part resolve through their templates
/// (`kms:EncryptionContext:aws:s3:arn`, `aws:RequestTag/team`).
///
/// ## Why it matters
/// IAM does not reject unknown condition keys (conditions.md §7; validation-checks.md §3.2
/// `INVALID_GLOBAL_CONDITION_KEY`, `INVALID_SERVICE_CONDITION_KEY`, VC-05). A misspelt key such
/// as `kms:ViaServices` is absent from every request: a positive operator never matches (the
/// statement never applies) and a negated one always matches. The catalog may be older than the
/// policy, so this is a warning naming the catalog's date.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaServices":"s3.us-east-1.amazonaws.com"}}}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com","kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b"}}}]}
/// ```
///
/// ## Known gaps
/// Suggestions come only from keys without a variable part. `<key>` templates
/// (`s3:ExistingObjectTag/<key>`) are resolved here, since the catalog's matcher does not. Keys that a service documents under
/// another service's prefix are known when any service documents them.
pub(crate) UnknownConditionKey {
    code: "I004",
    name: "unknown-condition-key",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for UnknownConditionKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let facts = cx.facts(policy);
        // Nearly every policy has none.
        if !facts.has_unknown_key() {
            return;
        }
        for (s, st) in policy.statements.iter().enumerate() {
            for (c, known) in st.node.conditions.iter().zip(facts.keys(s)) {
                // A key that holds a placeholder is unknown until deploy, not unknown to AWS.
                if known.is_none() && !crate::holds_placeholder(c.key.node.text()) {
                    report(c, cx);
                }
            }
        }
    }
}

/// The tag keys that need a `/tag-key` suffix.
const TAG_KEYS: &[&str] = &["aws:requesttag", "aws:resourcetag", "aws:principaltag"];

fn report(c: &Condition, cx: &mut Context<'_>) {
    let key = &c.key.node;
    let d = cx
        .finding(format!("unknown condition key `{}`", key.text()))
        .label(c.key.span, format!("not a global key or a service key in {}", catalog_phrase()))
        .note("IAM accepts unknown keys; they are absent from every request, so positive operators never match and negated ones always match");
    let d = if TAG_KEYS.contains(&key.lower().trim_end_matches('/')) {
        d.help(format!(
            "name the tag: `{}/TAG-KEY`",
            key.text().trim_end_matches('/')
        ))
    } else if let Some(s) = suggest(key.text()) {
        d.help(format!("did you mean `{s}`?"))
    } else {
        d.help("check the key in the Service Authorization Reference for the service, or in the global condition keys")
    };
    cx.report(d);
}

/// The known key (global, or of the key's service) closest to `name`, if close enough.
fn suggest(name: &str) -> Option<&'static str> {
    let limit = (name.len() / 4).max(1);
    let service = name
        .split_once(':')
        .and_then(|(prefix, _)| catalog().service(prefix));
    let service_keys = service.into_iter().flat_map(|s| s.condition_keys());
    // The first key at the least distance: once one is found, only a strictly closer key can
    // replace it, so each later search stops at a lower limit (most stop within a row or two).
    let counts = Letters::of(name);
    let mut best: Option<(usize, &'static str)> = None;
    for k in catalog().global_condition_keys().chain(service_keys) {
        let Some(bound) = best.map_or(Some(limit), |(d, _)| d.checked_sub(1)) else {
            break;
        };
        if k.name.len().abs_diff(name.len()) > bound
            || k.is_templated()
            || counts.distance_at_least(k.name) > bound
        {
            continue;
        }
        if let Some(d) = edit_distance_ci_within(k.name, name, bound) {
            best = Some((d, k.name));
        }
    }
    best.map(|(_, n)| n)
}
