use kmsguard_syntax::ast::{
    Effect, Policy, PolicyKind, PrincipalBlock, PrincipalEntry, Principals,
};

use crate::probe::{
    Ask, CrossAccount, IamSide, Subject, principal_span, statement, statement_start, ticked,
};
use crate::rule::Applies;
use crate::{Context, Rule, RuleMeta, declare_rule};

declare_rule! {
/// Flags a key-policy statement that lets an AWS service principal use the key on behalf of
/// *any* account's resources: nothing such as `aws:SourceArn`, `aws:SourceAccount`,
/// `aws:SourceOrgID`, `aws:SourceOrgPaths` or a service encryption context ties the call to
/// the key owner's resources.
///
/// ## Why it matters
/// A service principal acts for every customer of the service. Without a source condition,
/// another account can point its own trail, topic, queue or log group at this key and have the
/// service encrypt (or decrypt) with it — the confused-deputy problem (scenarios.md §6;
/// validation-checks.md VC-32; Access Analyzer "Restrict access to service principal").
/// kmsguard asks the evaluator whether the service, calling for a resource of an unrelated
/// account (`aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID` and `aws:SourceOrgPaths`
/// all naming that account, no encryption context), could use the key.
///
/// `events.amazonaws.com` is not reported: whether EventBridge sends the source keys when it
/// delivers to encrypted SNS topics and SQS queues is disputed, and AWS's own examples use no
/// condition (scenarios.md §6.8).
///
/// ## Example
/// ```json,invalid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"Topic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}]}
/// ```
/// ```json,valid
/// {"Version":"2012-10-17","Statement":[
///  {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
///  {"Sid":"Topic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}
/// ```
///
/// ## Known gaps
/// CloudTrail Lake event data stores do not send `aws:SourceArn`/`aws:SourceAccount` (and
/// delivery fails with them, scenarios.md §6.1 CT-05); a key policy cannot tell a Lake key from
/// a trail key, so suppress this rule for Lake keys. `kms:DescribeKey` alone is not reported.
pub(crate) ServicePrincipalWithoutSource {
    code: "K207",
    name: "service-principal-without-source",
    severity: Warning,
    category: Security,
    applies: Applies::Only(&[PolicyKind::Key]),
    since: "0.1.0",
}
}

/// Services that do not send the source keys on KMS calls (scenarios.md §6.8).
const EXEMPT: &[&str] = &["events.amazonaws.com"];

/// The actions probed: use of the key and grants.
const ACTIONS: &[&str] = &[
    "kms:GenerateDataKey",
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:Sign",
    "kms:CreateGrant",
];

impl Rule for ServicePrincipalWithoutSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, policy: &Policy, cx: &mut Context<'_>) {
        let services = service_names(policy);
        if services.is_empty() {
            return;
        }
        let probe = cx.key_probe(policy, IamSide::None, CrossAccount::Enforced);
        // The owner's account for the suggested condition, when it is known before deploy.
        let owner = crate::probe::known_owner_account(policy)
            .map_or_else(|| "<your account>".to_owned(), |_| probe.owner().to_owned());
        for service in services {
            let who = Subject::service(service);
            // Statement index -> actions it lets the service call for a stranger.
            let mut open: Vec<(usize, Vec<&str>)> = Vec::new();
            for &action in ACTIONS {
                for i in probe.allowing(&who, action, Ask::ForStranger(service)) {
                    match open.iter_mut().find(|(j, _)| *j == i) {
                        Some((_, acts)) => acts.push(action),
                        None => open.push((i, vec![action])),
                    }
                }
            }
            for (i, actions) in open {
                let Some(st) = statement(policy, i) else {
                    continue;
                };
                let at = principal_span(&st.node, service).unwrap_or(statement_start(st));
                cx.report(
                    cx.finding(format!(
                        "statement `{}` lets `{service}` call {} for resources of any account",
                        st.node.label(),
                        ticked(&actions)
                    ))
                    .label(at, "service principal with no source condition")
                    .note("a service principal acts for every customer of the service; without `aws:SourceArn` or `aws:SourceAccount` another account's resource can make the service use this key (confused deputy, scenarios.md §6)")
                    .help(format!(
                        "add `\"Condition\": {{\"StringEquals\": {{\"aws:SourceAccount\": \"{owner}\"}}}}`, or better `\"ArnLike\": {{\"aws:SourceArn\": \"<ARN of the resource that uses the key>\"}}`"
                    )),
                );
            }
        }
    }
}

/// The service principal names of `Allow` statements, without the exempt services.
fn service_names(policy: &Policy) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for st in &policy.statements {
        if st.node.effect.node != Effect::Allow {
            continue;
        }
        let Some(PrincipalBlock::Principal(p)) = &st.node.principal else {
            continue;
        };
        let Principals::Map(entries) = &p.node else {
            continue;
        };
        for e in entries {
            if let PrincipalEntry::Service(list) = e {
                for s in &list.node {
                    let name = s.node.as_str();
                    // A service unknown until deploy is not judged.
                    if !EXEMPT.contains(&name)
                        && !out.contains(&name)
                        && !crate::holds_placeholder(name)
                    {
                        out.push(name);
                    }
                }
            }
        }
    }
    out
}
