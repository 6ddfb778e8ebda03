//! VPC endpoint policies are a gate (evaluation.md D13): a request through an endpoint must also
//! be allowed by the endpoint policy, a Deny there is explicit, and the endpoint policy never
//! grants on its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmsguard_eval::context::RequestContext;
use kmsguard_eval::decision::Layer;
use kmsguard_eval::{Caller, Decision, PolicySet, PolicySource, Request, derive_caller_keys};
use kmsguard_syntax::ast::PolicyKind;

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/bob";

fn source(label: &str, text: &str, kind: PolicyKind) -> PolicySource {
    let mut diags = Vec::new();
    let p = PolicySource::parse(label, text, kind, &mut diags).unwrap();
    assert!(!p.has_errors, "{diags:?}");
    p
}

fn key_policy_allowing_both() -> PolicySource {
    source(
        "key",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["{ALICE}","{BOB}"]}},"Action":"kms:Decrypt","Resource":"*"}}]}}"#
        ),
        PolicyKind::Key,
    )
}

fn decide(set: &PolicySet, principal: &str) -> Decision {
    let mut ctx = RequestContext::new();
    derive_caller_keys(&Caller::parse(principal, &ctx).unwrap(), &mut ctx);
    set.decide(&Request::new(principal, "kms:Decrypt", KEY, None, ctx).unwrap())
}

#[test]
fn endpoint_policy_limits_who_gets_through() {
    let endpoint = source(
        "vpce",
        &format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{ALICE}"}},"Action":"kms:*","Resource":"*"}}]}}"#
        ),
        PolicyKind::VpcEndpoint,
    );
    let set = PolicySet::builder()
        .resource_policy(&key_policy_allowing_both())
        .vpc_endpoint_policy(&endpoint)
        .build();
    assert_eq!(decide(&set, ALICE), Decision::Allow);
    assert_eq!(decide(&set, BOB), Decision::ImplicitDeny);
    let mut ctx = RequestContext::new();
    derive_caller_keys(&Caller::parse(BOB, &ctx).unwrap(), &mut ctx);
    let ex = set.explain(&Request::new(BOB, "kms:Decrypt", KEY, None, ctx).unwrap());
    assert!(ex.layer(Layer::VpcEndpoint).is_some());
    assert!(
        ex.notes
            .iter()
            .any(|n| n.contains("VPC endpoint policy does not allow"))
    );
}

#[test]
fn endpoint_deny_is_explicit() {
    let endpoint = source(
        "vpce",
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}"#,
        PolicyKind::VpcEndpoint,
    );
    let set = PolicySet::builder()
        .resource_policy(&key_policy_allowing_both())
        .vpc_endpoint_policy(&endpoint)
        .build();
    assert_eq!(decide(&set, ALICE), Decision::ExplicitDeny);
}

#[test]
fn default_endpoint_policy_changes_nothing() {
    let endpoint = source(
        "vpce",
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
        PolicyKind::VpcEndpoint,
    );
    let set = PolicySet::builder()
        .resource_policy(&key_policy_allowing_both())
        .vpc_endpoint_policy(&endpoint)
        .build();
    assert_eq!(decide(&set, ALICE), Decision::Allow);
}

#[test]
fn endpoint_policy_never_grants() {
    let endpoint = source(
        "vpce",
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
        PolicyKind::VpcEndpoint,
    );
    let key = source(
        "key",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"kms:Decrypt","Resource":"*"}]}"#,
        PolicyKind::Key,
    );
    let set = PolicySet::builder()
        .resource_policy(&key)
        .vpc_endpoint_policy(&endpoint)
        .build();
    assert_eq!(decide(&set, ALICE), Decision::ImplicitDeny);
}
