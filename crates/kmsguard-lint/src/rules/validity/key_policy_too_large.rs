use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key policy larger than 32 KB (32,768 bytes), which KMS rejects.
///
/// ## Why it matters
/// `CreateKey` and `PutKeyPolicy` fail with `LimitExceededException` for a key policy over
/// 32,768 bytes; the limit cannot be raised (kms.md §8.1, validation-checks.md K1). AWS does not
/// say whether white space counts, so every byte is counted.
///
/// ## Example
/// A policy is flagged when its text exceeds 32,768 bytes; the default key policy is far below.
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// For a policy inside `get-key-policy` output the size of the decoded policy is counted.
pub(crate) KeyPolicyTooLarge {
    code: "K001",
    name: "key-policy-too-large",
    severity: Error,
    category: Validity,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

/// The KMS key policy size limit in bytes.
const LIMIT: usize = 32_768;

impl Rule for KeyPolicyTooLarge {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, _policy: &Policy, cx: &mut Context<'_>) {
        let text = cx.document_text();
        let size = if text.starts_with('"') {
            kmsguard_syntax::json::embedded_text(cx.source().text(), cx.document().span)
                .map_or(text.len(), |(t, _)| t.len())
        } else {
            text.len()
        };
        if size > LIMIT {
            let span = cx.document().span;
            let head = kmsguard_syntax::Span::new(span.start as usize, span.start as usize + 1);
            let d = cx
                .finding(format!("key policy is {size} bytes, over the 32,768-byte limit"))
                .label(head, "this policy is too large for KMS")
                .note("KMS rejects key policies larger than 32 KB with LimitExceededException; the limit cannot be raised")
                .help("merge statements with the same principal and conditions, or move permissions to IAM policies through root delegation");
            cx.report(d);
        }
    }
}
