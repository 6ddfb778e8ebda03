//! Runs every case of `fixtures/oracle/public.jsonl` through the library and requires
//! agreement with AWS's decision, except for the listed known disagreements (each with the AWS
//! documentation that supports the engine).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::{Options, PolicySet, PolicySource, Request};
use kmsguard_syntax::ast::PolicyKind;
use serde_json::Value;

/// Cases where the engine follows AWS's documentation and the case does not, with the reason.
///
/// All seven are key-management or read actions called by a principal of another account.
/// The AWS KMS Developer Guide ("Allowing users in other accounts to use a KMS key",
/// key-policy-modifying-external-accounts.html; reference kms.md §8.7 and the X-acct column of
/// §11) says cross-account permissions are effective only for the cryptographic operations,
/// `CreateGrant`, `DescribeKey`, `GetKeyRotationStatus`, `GetPublicKey`, `ListGrants`,
/// `RetireGrant` and `RevokeGrant`; a grant of any other action to an external principal is
/// ineffective. The cases expect `Allow`. With `Options::enforce_cross_account_actions = false`
/// the engine agrees with them (checked below).
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[
    ("kms-explicit-deny-0040", CROSS_ACCOUNT_ONLY),
    ("kms-explicit-deny-0093", CROSS_ACCOUNT_ONLY),
    ("kms-not-elements-0116", CROSS_ACCOUNT_ONLY),
    ("kms-org-policies-0011", CROSS_ACCOUNT_ONLY),
    ("kms-org-policies-0058", CROSS_ACCOUNT_ONLY),
    ("kms-org-policies-0113", CROSS_ACCOUNT_ONLY),
    ("kms-org-policies-0130", CROSS_ACCOUNT_ONLY),
];

const CROSS_ACCOUNT_ONLY: &str = "kms:EnableKey/CancelKeyDeletion/ScheduleKeyDeletion/\
GetKeyPolicy are not cross-account operations (KMS guide, key-policy-modifying-external-accounts; \
kms.md §8.7, §11): AWS does not allow them for an external principal";

fn policy(label: &str, v: &Value, kind: PolicyKind) -> PolicySource {
    let text = serde_json::to_string(v).unwrap();
    let mut diags = Vec::new();
    PolicySource::parse(label, &text, kind, &mut diags).unwrap()
}

fn context(v: &Value) -> RequestContext {
    let mut ctx = RequestContext::new();
    for (k, v) in v.as_object().unwrap() {
        let value = match v {
            Value::String(s) => ContextValue::Single(s.clone()),
            Value::Array(a) => ContextValue::Multi(
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                    .collect(),
            ),
            other => ContextValue::Single(other.to_string()),
        };
        ctx.insert(k, value);
    }
    ctx
}

fn build(case: &Value, options: Options) -> (PolicySet, Request) {
    let mut b = PolicySet::builder().options(options);
    if !case["key_policy"].is_null() {
        b = b.resource_policy(&policy("key policy", &case["key_policy"], PolicyKind::Key));
    }
    for (i, p) in case["identity_policies"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        b = b.identity_policy(&policy(&format!("identity[{i}]"), p, PolicyKind::Identity));
    }
    if !case["permission_boundary"].is_null() {
        b = b.boundary(&policy(
            "boundary",
            &case["permission_boundary"],
            PolicyKind::Boundary,
        ));
    }
    if !case["session_policy"].is_null() {
        b = b.session_policy(&policy(
            "session",
            &case["session_policy"],
            PolicyKind::Session,
        ));
    }
    for (l, level) in case["scps"].as_array().unwrap().iter().enumerate() {
        let ps: Vec<_> = level
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, p)| policy(&format!("scp[{l}][{i}]"), p, PolicyKind::Scp))
            .collect();
        b = b.scp_level(&ps);
    }
    for (l, level) in case["rcps"].as_array().unwrap().iter().enumerate() {
        let ps: Vec<_> = level
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, p)| policy(&format!("rcp[{l}][{i}]"), p, PolicyKind::Rcp))
            .collect();
        b = b.rcp_level(&ps);
    }
    let r = &case["request"];
    let req = Request::new(
        r["principal"].as_str().unwrap(),
        r["action"].as_str().unwrap(),
        r["resource"].as_str().unwrap(),
        r["resource_account"].as_str(),
        context(&r["context"]),
    )
    .unwrap();
    (b.build(), req)
}

#[test]
fn oracle_public_cases() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/oracle/public.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let known: BTreeMap<&str, &str> = KNOWN_DISAGREEMENTS.iter().copied().collect();
    let (mut total, mut agree) = (0usize, 0usize);
    let mut unexpected = Vec::new();
    let mut known_seen = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap().to_owned();
        let expected = case["expected"].as_str().unwrap();
        let (set, req) = build(&case, Options::default());
        let got = set.decide(&req);
        // `decide` and `explain` must agree.
        assert_eq!(
            got,
            set.explain(&req).decision,
            "{id}: decide/explain differ"
        );
        total += 1;
        if known.contains_key(id.as_str()) {
            // The compatibility setting must reproduce the case's expectation.
            let lenient = Options {
                enforce_cross_account_actions: false,
                ..Options::default()
            };
            let (set2, req2) = build(&case, lenient);
            assert_eq!(
                set2.decide(&req2).name(),
                expected,
                "{id}: compatibility mode"
            );
        }
        if got.name() == expected {
            agree += 1;
            assert!(
                !known.contains_key(id.as_str()),
                "{id} is listed as a known disagreement but now agrees"
            );
        } else if let Some(why) = known.get(id.as_str()) {
            known_seen.push(format!("{id}: expected {expected}, engine {got}: {why}"));
        } else {
            let ex = set.explain(&req);
            unexpected.push(format!(
                "{id}: expected {expected}, got {got}\n  {}\n{}",
                case["description"].as_str().unwrap_or(""),
                kmsguard_eval::explain::render(&ex)
            ));
        }
    }
    println!("oracle: {agree}/{total} cases agree");
    for k in &known_seen {
        println!("known disagreement: {k}");
    }
    assert_eq!(
        known_seen.len(),
        known.len(),
        "a listed known disagreement was not found"
    );
    assert!(
        unexpected.is_empty(),
        "{} unexpected disagreements:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
