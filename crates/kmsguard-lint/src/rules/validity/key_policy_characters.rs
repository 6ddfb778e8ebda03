use kmsguard_syntax::ast::{Policy, PolicyKind};
use kmsguard_syntax::{Span, unknown};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags characters that KMS does not accept in a key policy.
///
/// ## Why it matters
/// Key policy text may hold only printable ASCII, the Latin-1 supplement (up to U+00FF), tab,
/// line feed and carriage return; KMS rejects anything else with
/// `MalformedPolicyDocumentException` (kms.md §8.1, validation-checks.md K2). Typographic quotes
/// and dashes pasted from documents are the usual culprits.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Key users – app","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"kms:Decrypt","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Key users - app","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"kms:Decrypt","Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// The raw text is checked: a character written as a JSON `\u` escape is not flagged, since AWS
/// does not document whether KMS checks the text before or after decoding escapes.
pub(crate) KeyPolicyCharacters {
    code: "K002",
    name: "key-policy-invalid-character",
    severity: Error,
    category: Validity,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}')
}

impl Rule for KeyPolicyCharacters {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, _policy: &Policy, cx: &mut Context<'_>) {
        let base = cx.document().span.start as usize;
        // Report the first offending character only: one fix usually repairs the rest. A
        // placeholder (`⟪...⟫`, unknown until deploy) is not part of the deployed text.
        let mut in_placeholder = false;
        let Some((i, c)) = cx.document_text().char_indices().find(|&(_, c)| {
            match c {
                unknown::OPEN => in_placeholder = true,
                unknown::CLOSE if in_placeholder => {
                    in_placeholder = false;
                    return false;
                }
                _ => {}
            }
            !in_placeholder && !allowed(c)
        }) else {
            return;
        };
        let start = base.saturating_add(i);
        let d = cx
            .finding(format!("character `{}` (U+{:04X}) is not allowed in a key policy", c.escape_default(), u32::from(c)))
            .label(Span::new(start, start.saturating_add(c.len_utf8())), "KMS rejects this character")
            .note("key policies may hold printable ASCII, Latin-1 (up to U+00FF), tab, line feed and carriage return; KMS rejects others with MalformedPolicyDocumentException")
            .help("replace it with an ASCII equivalent (straight quotes, `-`)");
        cx.report(d);
    }
}
