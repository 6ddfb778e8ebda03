use kmsguard_syntax::ast::{ActionBlock, Effect, Policy, ResourceBlock};
use kmsguard_syntax::{Span, Spanned};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags an `Allow` statement with `NotAction` or `NotResource`.
///
/// ## Why it matters
/// `NotAction` in an `Allow` grants every action of every service except the listed ones,
/// including actions and services added later; `NotResource` grants every other resource
/// (evaluation.md A8, A9; validation-checks.md VC-70). The grant is far broader than the text
/// suggests; in a key policy, `NotAction` hands out key administration along with use.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"kms:ScheduleKeyDeletion","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["kms:Decrypt","kms:Encrypt"],"Resource":"*"},{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// Reported even when conditions narrow the statement; AWS managed policies such as
/// `PowerUserAccess` use `NotAction` deliberately.
pub(crate) AllowWithNotElement {
    code: "I010",
    name: "allow-with-not-element",
    severity: Warning,
    category: Validity,
    applies: Applies::AllPolicies,
    since: "0.1.0",
}
}

impl Rule for AllowWithNotElement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for st in &policy.statements {
            if st.node.effect.node != Effect::Allow {
                continue;
            }
            if let Some(ActionBlock::NotAction(list)) = &st.node.action {
                report(
                    cx,
                    &st.node.label(),
                    "NotAction",
                    "action of every service",
                    list_span(list),
                );
            }
            if let Some(ResourceBlock::NotResource(list)) = &st.node.resource {
                report(
                    cx,
                    &st.node.label(),
                    "NotResource",
                    "resource",
                    list_span(list),
                );
            }
        }
    }
}

fn list_span<T>(list: &Spanned<Vec<Spanned<T>>>) -> Span {
    list.span
}

fn report(cx: &mut Context<'_>, sid: &str, element: &str, what: &str, span: Span) {
    let (listed, instead) = if element == "NotAction" {
        ("actions", "`Action`")
    } else {
        ("resources", "`Resource`")
    };
    let d = cx
        .finding(format!("statement `{sid}` allows with `{element}`"))
        .label(span, format!("allows every {what} except these"))
        .note(format!(
            "`Allow` with `{element}` grants every {what} not listed, including ones added later"
        ))
        .help(format!(
            "list the allowed {listed} in {instead}, or turn the exclusion into a separate `Deny`"
        ));
    cx.report(d);
}
