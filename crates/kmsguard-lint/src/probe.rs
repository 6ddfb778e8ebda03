//! Questions the linter asks the evaluator about a key policy on its own: "could a stranger
//! (a principal of an unrelated account, with every IAM permission in its own account) or an
//! anonymous caller do this?" Answered by the real decision procedure, so conditions such as
//! `kms:CallerAccount`, `aws:PrincipalOrgID` or `aws:SourceArn` restrict exactly as AWS would.

use kmsguard_eval::context::RequestContext;
use kmsguard_eval::decision::{Layer, StatementRef};
use kmsguard_eval::{Caller, Decision, PolicySet, PolicySource, Request, derive_caller_keys};
use kmsguard_syntax::ast::{Policy, PolicyKind, PrincipalEntry, PrincipalForm, Principals};

/// A principal of an account no real policy names.
const STRANGER: &str = "arn:aws:sts::999988887777:assumed-role/Stranger/probe";

/// The account that owns the key: the account of the policy's first account principal, or a
/// placeholder when the policy names none.
pub(crate) fn owner_account(policy: &Policy) -> String {
    policy
        .statements
        .iter()
        .filter_map(|s| s.node.principal.as_ref())
        .filter_map(|p| match &p.principals().node {
            Principals::Map(entries) => Some(entries),
            Principals::Any => None,
        })
        .flatten()
        .find_map(|e| match e {
            PrincipalEntry::Aws(list) => list.node.iter().find_map(|p| match &p.node.form {
                PrincipalForm::Account { account, .. } => Some(account.clone()),
                _ => None,
            }),
            _ => None,
        })
        .unwrap_or_else(|| "111111111111".to_owned())
}

/// The outcome of asking as a stranger and as an anonymous caller.
pub(crate) struct Exposure {
    /// Actions a stranger (or anonymous caller) is allowed.
    pub(crate) actions: Vec<&'static str>,
    /// Key-policy statements that allowed them.
    pub(crate) statements: Vec<StatementRef>,
}

/// Asks whether principals outside the owner's account can perform `actions` on the key.
pub(crate) fn outsider_access(policy: &Policy, actions: &[&'static str]) -> Exposure {
    let owner = owner_account(policy);
    let key = format!("arn:aws:kms:us-east-1:{owner}:key/00000000-0000-0000-0000-000000000000");
    let source = PolicySource::new("key policy", policy.clone(), false);
    // The stranger controls its own account, so its IAM side allows everything.
    let mut diags = Vec::new();
    let own = PolicySource::parse(
        "stranger identity",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        PolicyKind::Identity,
        &mut diags,
    );
    let mut builder = PolicySet::builder().resource_policy(&source);
    if let Ok(own) = &own {
        builder = builder.identity_policy(own);
    }
    let set = builder.build();
    let mut exposure = Exposure {
        actions: Vec::new(),
        statements: Vec::new(),
    };
    for &action in actions {
        for principal in [STRANGER, "anonymous"] {
            let mut ctx = RequestContext::new();
            if let Ok(caller) = Caller::parse(principal, &ctx) {
                derive_caller_keys(&caller, &mut ctx);
            }
            let Ok(req) = Request::new(principal, action, &key, Some(&owner), ctx) else {
                continue;
            };
            let ex = set.explain(&req);
            if ex.decision == Decision::Allow {
                if !exposure.actions.contains(&action) {
                    exposure.actions.push(action);
                }
                if let Some(l) = ex.layer(Layer::KeyPolicy) {
                    for s in &l.decisive {
                        if !exposure.statements.iter().any(|x| x.index == s.index) {
                            exposure.statements.push(s.clone());
                        }
                    }
                }
            }
        }
    }
    exposure
}
