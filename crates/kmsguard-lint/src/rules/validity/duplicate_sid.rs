use kmsguard_syntax::ast::{Policy, PolicyKind};

use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a `Sid` used by two statements of a key policy or another policy kind where AWS does
/// not enforce unique Sids.
///
/// ## Why it matters
/// KMS and most resource policies accept repeated Sids (validation-checks.md §3.4
/// `UNIQUE_SIDS_RECOMMENDED`, VC-13), but tools and people refer to statements by Sid: a console
/// edit, a CloudFormation diff or a finding that names `Allow use of the key` may point at the
/// wrong statement. IAM identity policies, permissions boundaries and role trust policies
/// require unique Sids; P124 reports those as errors.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/A"},"Action":"kms:Decrypt","Resource":"*"},{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/B"},"Action":"kms:Encrypt","Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[{"Sid":"UseA","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/A"},"Action":"kms:Decrypt","Resource":"*"},{"Sid":"UseB","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/B"},"Action":"kms:Encrypt","Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// Sids are compared exactly (case-sensitive); empty Sids are not compared.
pub(crate) DuplicateSid {
    code: "I012",
    name: "repeated-sid",
    severity: Warning,
    category: Validity,
    applies: Applies::Only(&[
        PolicyKind::Key,
        PolicyKind::Resource,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Session,
        PolicyKind::VpcEndpoint,
    ]),
    since: "0.1.0",
}
}

impl Rule for DuplicateSid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        for (i, st) in policy.statements.iter().enumerate() {
            let Some(sid) = &st.node.sid else { continue };
            if sid.node.is_empty() {
                continue;
            }
            let earlier = policy
                .statements
                .get(..i)
                .unwrap_or(&[])
                .iter()
                .filter_map(|s| s.node.sid.as_ref())
                .find(|s| s.node == sid.node);
            let Some(first) = earlier else { continue };
            let d = cx
                .finding(format!("duplicate Sid `{}`", sid.node))
                .label(sid.span, "used again here")
                .secondary(first.span, "first used here")
                .note(format!(
                    "{} accepts repeated Sids, but tools and reviewers refer to statements by Sid",
                    capitalise(policy.kind.describe())
                ))
                .help("give each statement its own Sid");
            cx.report(d);
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
