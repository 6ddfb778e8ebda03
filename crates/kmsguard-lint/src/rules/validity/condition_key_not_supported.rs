use kmsguard_catalog::{KeyQuery, catalog};
use kmsguard_syntax::ast::{ActionBlock, ActionPattern, Condition, Policy};
use kmsguard_syntax::{Span, Spanned};

use super::expand_known;
use crate::facts::KnownAction;
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a service condition key that none, or only some, of the statement's actions support,
/// after expanding action wildcards through the service catalog.
///
/// ## Why it matters
/// AWS sets a service condition key only in requests for the actions that document it. For the
/// other actions the key is absent, so a positive operator never matches them and a negated one
/// always does (validation-checks.md §3.2 `UNSUPPORTED_ACTION_FOR_CONDITION_KEY`, VC-09, which
/// Access Analyzer checks only for actions without wildcards). `kms:EncryptionContext:...` on
/// `kms:DescribeKey`, or `kms:GrantIsForAWSResource` on `kms:Decrypt`, never holds.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b"}}}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:GenerateDataKey*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b"}}}]}
/// ```
///
/// ## Known gaps
/// Global keys are skipped (AWS documents them for every action), as are statements with `*`
/// or `NotAction`, patterns of a whole service (`kms:*`), conditions with `...IfExists` (written for absent keys), and actions of
/// services the catalog does not know.
pub(crate) ConditionKeyNotSupported {
    code: "I005",
    name: "condition-key-not-supported",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

/// How many unsupported action names a message lists.
const LISTED: usize = 3;

impl Rule for ConditionKeyNotSupported {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let facts = cx.facts(policy);
        for (s, st) in policy.statements.iter().enumerate() {
            if st.node.conditions.is_empty() {
                continue;
            }
            let Some(ActionBlock::Action(actions)) = &st.node.action else {
                continue;
            };
            if actions.node.iter().any(|p| p.node.is_any()) {
                continue;
            }
            let keys = facts.keys(s);
            for (i, (c, known)) in st.node.conditions.iter().zip(keys).enumerate() {
                // Unknown keys are I004's (a global key is always known).
                let Some(known) = known else {
                    continue;
                };
                let key = &c.key.node;
                let seen = st.node.conditions.get(..i).unwrap_or(&[]);
                if c.operator.node.if_exists
                    || known.global
                    || seen.iter().any(|s| s.key.node.lower() == key.lower())
                {
                    continue;
                }
                let name = known.matcher_name(key.text());
                // The facts say the key is no global key: its query need not search them
                // (unless a `<key>` template stands for it).
                let query = if known.by_template {
                    catalog().key_query(name)
                } else {
                    catalog().key_query_not_global(name)
                };
                check_key(c, &query, &actions.node, facts.actions(s), cx);
            }
        }
    }
}

/// `query`: the key as the catalog matches it (`c`'s key, or its `<key>` template); `known`:
/// what the catalog knows of each of `actions`.
fn check_key(
    c: &Condition,
    query: &KeyQuery<'_>,
    actions: &[Spanned<ActionPattern>],
    known: &[KnownAction],
    cx: &mut Context<'_>,
) {
    let key = c.key.node.text();
    let mut unsupported: Vec<String> = Vec::new();
    let mut patterns: Vec<Span> = Vec::new();
    let mut supported = false;
    let mut unknown = false;
    for (p, &k) in actions.iter().zip(known) {
        // `service:*` means "whatever the service has"; listing its members that lack the key
        // would only be noise.
        if p.node.name() == "*" {
            unknown = true;
            continue;
        }
        let mut matched = false;
        let before = unsupported.len();
        for a in expand_known(&p.node, k) {
            matched = true;
            if a.supports(query) {
                supported = true;
            } else {
                unsupported.push(format!("{}:{}", a.service(), a.name()));
            }
        }
        unknown |= !matched;
        if unsupported.len() > before {
            patterns.push(p.span);
        }
    }
    if unsupported.is_empty() {
        return;
    }
    let message = if supported || unknown {
        format!("`{key}` does not apply to {}", list(&unsupported))
    } else {
        format!("no action of the statement supports `{key}`")
    };
    let mut d = cx
        .finding(message)
        .label(c.key.span, "absent from requests for these actions")
        .note("AWS sets a service condition key only for the actions that document it; for other actions positive operators never match and negated ones always do");
    d = if supported {
        d.help("move the unsupported actions to a statement without this condition")
    } else {
        d.help(format!(
            "use actions that document `{key}`, or remove the condition"
        ))
    };
    for span in patterns {
        d = d.secondary(span, "action without the key");
    }
    cx.report(d);
}

/// "`a`, `b`, `c` and 4 more".
fn list(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(LISTED)
        .map(|n| format!("`{n}`"))
        .collect();
    let rest = names.len().saturating_sub(LISTED);
    if rest == 0 {
        shown.join(", ")
    } else {
        format!("{} and {rest} more", shown.join(", "))
    }
}
