use kmsguard_syntax::Spanned;
use kmsguard_syntax::ast::{Policy, PolicyKind, ResourceBlock, ResourcePattern};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key-policy `Resource` that can never be the key: an alias ARN, another service's
/// ARN, or a KMS ARN of another resource type.
///
/// ## Why it matters
/// In a key policy `"Resource": "*"` means "this key"; the key's own ARN also matches. Any other
/// value makes the statement never apply (kms.md §8.2; validation-checks.md §3.6, VC-14): an
/// `Allow` grants nothing, a `Deny` protects nothing. An alias ARN is the usual mistake — KMS
/// authorizes against the key ARN even when the caller names the alias (kms.md §10).
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:alias/app"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"kms:Decrypt","Resource":["*","arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]}]}
/// ```
///
/// ## Known gaps
/// Key ARNs are not checked against the key's own ARN (the policy does not name its key); a
/// pattern with wildcards is flagged only when it cannot match any `key/...` ARN. `NotResource`
/// is not checked.
pub(crate) KeyPolicyResourceNotKey {
    code: "K005",
    name: "key-policy-resource-not-key",
    severity: Warning,
    category: Validity,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

impl Rule for KeyPolicyResourceNotKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            let Some(ResourceBlock::Resource(list)) = &st.node.resource else {
                continue;
            };
            for r in &list.node {
                if let Some(what) = not_a_key(&r.node) {
                    report(r, what, cx);
                }
            }
        }
    }
}

/// What the pattern names instead of a key, when it cannot match a key ARN.
fn not_a_key(r: &ResourcePattern) -> Option<&'static str> {
    // A resource that holds a placeholder is unknown until deploy: not judged.
    if r.is_any() || crate::holds_placeholder(&r.template.raw) {
        return None;
    }
    let arn = r.arn()?;
    if !could_match(arn.service, "kms") {
        return Some("another service's ARN");
    }
    if could_match(arn.resource, "key/") {
        return None;
    }
    if arn.resource_type().eq_ignore_ascii_case("alias") {
        Some("an alias ARN")
    } else {
        Some("a KMS ARN of another resource type")
    }
}

/// Whether the ARN segment pattern `pattern` could match text that starts with `want` (or is
/// `want`), judged by its literal part before the first wildcard.
fn could_match(pattern: &str, want: &str) -> bool {
    let literal_len = pattern.find(['*', '?']).unwrap_or(pattern.len());
    let literal = pattern.get(..literal_len).unwrap_or("");
    let wild = literal_len < pattern.len();
    let (l, w) = (literal.as_bytes(), want.as_bytes());
    let n = l.len().min(w.len());
    let common = l
        .get(..n)
        .zip(w.get(..n))
        .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
    if want.ends_with('/') {
        // A prefix test: `key/...`.
        common && (wild || l.len() >= w.len())
    } else {
        common && (wild || l.len() == w.len())
    }
}

fn report(r: &Spanned<ResourcePattern>, what: &str, cx: &mut Context<'_>) {
    let d = cx
        .finding(format!("`{}` in a key policy is not the key", r.node.template.raw))
        .label(r.span, format!("{what}; never this key"))
        .note("in a key policy `Resource` is matched against the key's own ARN; any other value makes the statement never apply")
        .help("write \"Resource\": \"*\", which in a key policy means this key");
    cx.report(d);
}
