//! Values unknown until deploy (`kmsguard_syntax::unknown` placeholders, put there by the
//! CloudFormation and Terraform readers): a decision that depends on one is Indeterminate —
//! never a guessed Allow, and never a Deny the real value might not give.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmsguard_eval::context::RequestContext;
use kmsguard_eval::{Caller, Decision, PolicySet, PolicySource, Request, derive_caller_keys};
use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::unknown::placeholder;

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OWNER: &str = "arn:aws:sts::111122223333:assumed-role/app/s";
const OTHER: &str = "arn:aws:sts::444455556666:assumed-role/app/s";
const ROOT: &str = r#"{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"#;

fn key_policy(statements: &[String]) -> PolicySource {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let mut diags = Vec::new();
    let p = PolicySource::parse("key", &text, PolicyKind::Key, &mut diags).unwrap();
    assert!(diags.is_empty(), "placeholders are not reported: {diags:?}");
    p
}

fn identity_all() -> PolicySource {
    let mut diags = Vec::new();
    PolicySource::parse(
        "id",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#,
        PolicyKind::Identity,
        &mut diags,
    )
    .unwrap()
}

fn decide(key: &PolicySource, principal: &str, action: &str) -> Decision {
    let set = PolicySet::builder()
        .resource_policy(key)
        .identity_policy(&identity_all())
        .build();
    let mut ctx = RequestContext::new();
    derive_caller_keys(&Caller::parse(principal, &ctx).unwrap(), &mut ctx);
    set.decide(&Request::new(principal, action, KEY, None, ctx).unwrap())
}

#[test]
fn unknown_principal_in_an_allow_is_indeterminate_for_everyone_it_could_name() {
    let p = placeholder("Ref ConsumerAccount");
    let key = key_policy(&[format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{p}:root"}},"Action":"kms:Decrypt","Resource":"*"}}"#
    )]);
    assert_eq!(decide(&key, OTHER, "kms:Decrypt"), Decision::Indeterminate);
    // An action the statement does not cover is still decided.
    assert_eq!(decide(&key, OTHER, "kms:Encrypt"), Decision::ImplicitDeny);
}

#[test]
fn unknown_value_in_a_deny_condition_never_gives_a_confident_allow() {
    let p = placeholder("Ref OrgId");
    let key = key_policy(&[
        ROOT.to_owned(),
        format!(
            r#"{{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{{"StringNotEquals":{{"aws:PrincipalOrgID":"{p}"}}}}}}"#
        ),
    ]);
    assert_eq!(decide(&key, OWNER, "kms:Decrypt"), Decision::Indeterminate);
    assert_eq!(decide(&key, OWNER, "kms:Encrypt"), Decision::Allow);
}

#[test]
fn unknown_resource_and_action_are_unknown() {
    let p = placeholder("after_unknown aws_kms_key.x.arn");
    let mut diags = Vec::new();
    let identity = PolicySource::parse(
        "id",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"{p}"}},{{"Effect":"Deny","Action":"{p}","Resource":"*"}}]}}"#
        ),
        PolicyKind::Identity,
        &mut diags,
    )
    .unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    let key = key_policy(&[ROOT.to_owned()]);
    let set = PolicySet::builder()
        .resource_policy(&key)
        .identity_policy(&identity)
        .build();
    let mut ctx = RequestContext::new();
    derive_caller_keys(&Caller::parse(OWNER, &ctx).unwrap(), &mut ctx);
    let req = Request::new(OWNER, "kms:Decrypt", KEY, None, ctx).unwrap();
    assert_eq!(set.decide(&req), Decision::Indeterminate);
}

#[test]
fn a_known_statement_still_decides_beside_an_unknown_one() {
    let p = placeholder("Ref Admin");
    let key = key_policy(&[
        ROOT.to_owned(),
        format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{p}"}},"Action":"kms:Decrypt","Resource":"*"}}"#
        ),
        r#"{"Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}"#
            .to_owned(),
    ]);
    // The root delegation plus the identity policy already allow the owner's role.
    assert_eq!(decide(&key, OWNER, "kms:Decrypt"), Decision::Allow);
    // An explicit deny is certain whatever the placeholder turns out to be.
    assert_eq!(
        decide(&key, OWNER, "kms:ScheduleKeyDeletion"),
        Decision::ExplicitDeny
    );
}
