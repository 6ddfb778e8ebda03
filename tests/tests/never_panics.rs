//! The reader and the lowering never panic, whatever the input: arbitrary bytes, and
//! policy-shaped JSON assembled from the grammar's own words (which reaches deep into lowering).

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::json::{Limits, parse_bytes as read_json};
use kmsguard_syntax::{InputFormat, ParseOptions, parse_bytes};
use proptest::prelude::*;

fn every_reading(data: &[u8]) {
    let _ = read_json(data, &Limits::default());
    let _ = parse_bytes(data, &ParseOptions::default());
    for format in InputFormat::ALL {
        let _ = parse_bytes(
            data,
            &ParseOptions {
                format: Some(format),
                ..ParseOptions::default()
            },
        );
    }
    for kind in PolicyKind::ALL {
        let _ = parse_bytes(
            data,
            &ParseOptions {
                kind: Some(kind),
                ..ParseOptions::default()
            },
        );
    }
}

/// JSON values built from policy vocabulary, nested a few levels.
fn policy_json() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "Version",
        "2012-10-17",
        "2008-10-17",
        "Statement",
        "Sid",
        "Effect",
        "Allow",
        "Deny",
        "Principal",
        "NotPrincipal",
        "AWS",
        "Service",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "StringEquals",
        "ForAllValues:StringLike",
        "NullIfExists",
        "kms:*",
        "kms:Re*",
        "*",
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::*:root",
        "arn:aws:kms:us-east-1:111122223333:key/k",
        "${aws:username}",
        "${",
        "Policy",
        "Grants",
        "GranteePrincipal",
        "Operations",
        "Decrypt",
        "KeyMetadata",
        "PolicyVersion",
        "Document",
        "RoleDetailList",
        "PolicyDocument",
        "%7B%22",
        "{\"Statement\":[]}",
    ]);
    let leaf = prop_oneof![
        words.clone().prop_map(|w| format!("{w:?}")),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("true".to_owned()),
        Just("null".to_owned()),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((words.clone(), inner), 0..6).prop_map(|kv| {
                let members: Vec<String> =
                    kv.into_iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        every_reading(&data);
    }

    #[test]
    fn policy_shaped_json_never_panics(text in policy_json()) {
        every_reading(text.as_bytes());
    }

    #[test]
    fn truncated_policies_never_panic(cut in 0usize..2000) {
        let text = include_str!("../../policies/key-policies/default-console.json");
        let end = cut.min(text.len());
        every_reading(&text.as_bytes()[..end]);
    }
}
