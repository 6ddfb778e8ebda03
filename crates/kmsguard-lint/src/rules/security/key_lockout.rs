use kmsguard_eval::Decision;
use kmsguard_syntax::Severity;
use kmsguard_syntax::ast::{Effect, Policy, PolicyKind, PrincipalForm};

use crate::probe::{
    Ask, CrossAccount, IamSide, Subject, action_span, aws_principals, condition_principals, covers,
    distinct_named, statement_start,
};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key policy under which no principal can call `kms:PutKeyPolicy` again, so the key
/// can never be managed (error), or can be only under conditions the policy sets (warning).
///
/// ## Why it matters
/// Without a statement that lets a surviving principal (or the account, through IAM) call
/// `kms:PutKeyPolicy`, nobody can change the policy, and only AWS Support can restore access
/// (kms.md §8.3). KMS's lockout safety check rejects such a policy only when the *caller* would
/// lose the permission, and not at all with `BypassPolicyLockoutSafetyCheck` (kms.md §8.6;
/// validation-checks.md VC-39, scenarios.md GEN-01). kmsguard asks the evaluator whether the
/// account's root user, an unnamed member of the account, each principal the policy names,
/// and each principal ARN that a condition on `aws:PrincipalArn` names could call
/// `kms:PutKeyPolicy` (each holding every IAM permission in its own account). When nobody can,
/// it is an error if no `Allow` covers the action or an explicit `Deny` blocks every caller
/// asked about; a warning if an `Allow` exists but only under conditions.
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}
/// ```
///
/// ## Known gaps
/// Callers are asked with no optional request keys, so a `PutKeyPolicy` allowed only with MFA
/// or from a network range is reported as a warning. Principals that appear nowhere in the
/// policy (for example admitted by `aws:PrincipalTag`) are not asked about. Whether the named
/// principals still exist is not known to the linter.
pub(crate) KeyLockout {
    code: "K205",
    name: "key-lockout",
    severity: Error,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

const PUT: &str = "kms:PutKeyPolicy";

const ROOT_HELP: &str = "keep the account in control: add `{\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::<account>:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}`, or allow `kms:PutKeyPolicy` to a key-administrator role";

impl Rule for KeyLockout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        if policy.statements.is_empty() {
            return;
        }
        let probe = cx.key_probe(policy, IamSide::AllowAll, CrossAccount::Enforced);
        let owner = probe.owner().to_owned();
        let mut subjects = vec![Subject::root(&owner), Subject::member(&owner)];
        subjects.extend(
            distinct_named(policy)
                .into_iter()
                .filter_map(|(p, _)| Subject::named(p)),
        );
        subjects.extend(
            condition_principals(policy)
                .iter()
                .filter_map(Subject::named),
        );
        // An unfilled placeholder (`arn:aws:iam::account-id:root`) stands for the real
        // principal; the parser reports it (P117) and the lockout cannot be judged. Nor can it
        // when the principal is unknown until deploy (`arn:aws:iam::⟪Ref AWS::AccountId⟫:root`).
        if aws_principals(policy).any(|(st, p)| {
            matches!(
                p.node.form,
                PrincipalForm::Placeholder | PrincipalForm::Unknown
            ) && covers(&st.node, "kms:putkeypolicy")
        }) {
            return;
        }
        let mut all_denied = true;
        for who in &subjects {
            match probe.decide(who, PUT, Ask::Plain) {
                // Unsure is not a lockout finding: fail quiet.
                Decision::Allow | Decision::Indeterminate => return,
                Decision::ImplicitDeny => all_denied = false,
                Decision::ExplicitDeny => {}
            }
        }
        // Prefer a conditional Allow: that is what most likely kept every caller out.
        let allows = || {
            policy.statements.iter().filter(|s| {
                s.node.effect.node == Effect::Allow && covers(&s.node, "kms:putkeypolicy")
            })
        };
        let allow = allows()
            .find(|s| !s.node.conditions.is_empty())
            .or_else(|| allows().next());
        let deny = policy
            .statements
            .iter()
            .find(|s| s.node.effect.node == Effect::Deny && covers(&s.node, "kms:putkeypolicy"));
        let note = "KMS's lockout safety check only rejects a policy that would lock out the caller, and not at all with `BypassPolicyLockoutSafetyCheck` (kms.md §8.6); once nobody can call `kms:PutKeyPolicy`, only AWS Support can restore access (kms.md §8.3)";
        let d = match (allow, deny) {
            (_, Some(deny)) if all_denied => cx
                .finding(format!(
                    "statement `{}` denies `kms:PutKeyPolicy` to every principal that could call it: nobody can change this key policy again",
                    deny.node.label()
                ))
                .label(
                    action_span(&deny.node, "kms:putkeypolicy").unwrap_or(statement_start(deny)),
                    "denies `kms:PutKeyPolicy`",
                )
                .note(note)
                .help("exempt a key-administrator role from the Deny, for example with `\"Condition\": {\"ArnNotEquals\": {\"aws:PrincipalArn\": \"arn:aws:iam::<account>:role/KeyAdmin\"}}`"),
            (Some(allow), _) if allow.node.conditions.is_empty() => cx
                .finding(format!(
                    "statement `{}` allows `kms:PutKeyPolicy` only to principals that cannot call it: nobody can change this key policy again",
                    allow.node.label()
                ))
                .label(
                    action_span(&allow.node, "kms:putkeypolicy").unwrap_or(statement_start(allow)),
                    "no caller of the key's account gets this",
                )
                .note("management actions do not work across accounts (kms.md §8.7); KMS's lockout safety check only rejects a policy that would lock out the caller (kms.md §8.6)")
                .help(ROOT_HELP),
            (Some(allow), _) => {
                let mut d = cx
                    .finding(format!(
                        "only statement `{}` allows `kms:PutKeyPolicy`, and only under its conditions: if no caller can meet them, nobody can change this key policy again",
                        allow.node.label()
                    ))
                    .label(
                        allow.node.condition_span.or_else(|| action_span(&allow.node, "kms:putkeypolicy")).unwrap_or(statement_start(allow)),
                        "conditions every `kms:PutKeyPolicy` caller must meet",
                    )
                    .note(note)
                    .help(ROOT_HELP);
                d.severity = Severity::Warning;
                d
            }
            _ => {
                let first = policy.statements.first().map_or_else(
                    || kmsguard_syntax::Span::new(0, 1),
                    statement_start,
                );
                cx.finding("no statement allows `kms:PutKeyPolicy`: nobody can change this key policy again")
                    .label(first, "no statement here allows `kms:PutKeyPolicy`")
                    .note(note)
                    .help(ROOT_HELP)
            }
        };
        cx.report(d);
    }
}
