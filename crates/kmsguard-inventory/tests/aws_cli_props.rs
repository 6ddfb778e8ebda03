//! Property: no JSON in an inventory file makes the reader panic, whatever the manifest says
//! about it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod aws_cli_support;

use aws_cli_support::read_into;
use kmsguard_inventory::aws_cli::{DocKind, FileHints, Session};
use kmsguard_inventory::{Inventory, LoadOptions, State};
use proptest::prelude::*;

/// Member names of every shape the reader knows, so generated documents reach deep paths.
const KEYS: &[&str] = &[
    "KeyMetadata",
    "Arn",
    "KeyId",
    "AWSAccountId",
    "KeySpec",
    "CustomerMasterKeySpec",
    "KeyUsage",
    "Origin",
    "KeyManager",
    "KeyState",
    "MultiRegion",
    "MultiRegionConfiguration",
    "MultiRegionKeyType",
    "PrimaryKey",
    "CustomKeyStoreId",
    "Policy",
    "Grants",
    "GrantId",
    "GranteePrincipal",
    "Operations",
    "KeyRotationEnabled",
    "Aliases",
    "AliasName",
    "AliasArn",
    "TargetKeyId",
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
    "RoleName",
    "UserName",
    "GroupName",
    "RoleId",
    "RolePolicyList",
    "PolicyName",
    "PolicyDocument",
    "AssumeRolePolicyDocument",
    "AttachedManagedPolicies",
    "PolicyArn",
    "PermissionsBoundary",
    "PermissionsBoundaryArn",
    "GroupList",
    "PolicyVersionList",
    "PolicyVersion",
    "Document",
    "VersionId",
    "IsDefaultVersion",
    "DefaultVersionId",
    "ReplicationConfiguration",
    "Role",
    "Rules",
    "Status",
    "SourceSelectionCriteria",
    "SseKmsEncryptedObjects",
    "Destination",
    "Bucket",
    "Account",
    "EncryptionConfiguration",
    "ReplicaKmsKeyID",
    "ServerSideEncryptionConfiguration",
    "ApplyServerSideEncryptionByDefault",
    "SSEAlgorithm",
    "KMSMasterKeyID",
    "BucketKeyEnabled",
    "BlockedEncryptionTypes",
    "EncryptionType",
    "LocationConstraint",
    "MFADelete",
    "Images",
    "ImageId",
    "OwnerId",
    "Public",
    "BlockDeviceMappings",
    "Ebs",
    "SnapshotId",
    "Encrypted",
    "KmsKeyId",
    "Snapshots",
    "LaunchPermissions",
    "CreateVolumePermissions",
    "UserId",
    "Group",
    "OrganizationArn",
    "PolicySummary",
    "Id",
    "Name",
    "Type",
    "Content",
    "Targets",
    "TargetId",
    "Parents",
    "Version",
    "Statement",
    "Effect",
    "Action",
    "Resource",
    "Principal",
    "Condition",
    "Sid",
];

const STRINGS: &[&str] = &[
    "",
    "Enabled",
    "REPLICA",
    "AWS",
    "CUSTOMER",
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "all",
    "EU",
    "2012-10-17",
    "Allow",
    "kms:*",
    "s3:GetObject",
    "*",
    "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d",
    "arn:aws:kms:eu-west-1:111111111111:alias/x",
    "arn:aws:iam::111111111111:role/r",
    "arn:aws:iam::111111111111:policy/p",
    "arn:aws:s3:::b",
    "arn:",
    "arn:aws",
    "111111111111",
    "alias/aws/ebs",
    "r-ab12",
    "ou-ab12-x",
    "%7B%22",
    "%ZZ",
    "{\"Statement\":[]}",
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}}",
    "{",
    "⟪Ref X⟫",
    "é\u{1F600}",
];

fn json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        (-5i64..100_000).prop_map(|n| n.to_string()),
        proptest::sample::select(STRINGS).prop_map(serde_json_string),
        "[a-zA-Z0-9:/*{}\"\\\\ %-]{0,12}".prop_map(|s| serde_json_string(&s)),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((proptest::sample::select(KEYS), inner), 0..6).prop_map(|m| {
                let members: Vec<String> = m
                    .into_iter()
                    .map(|(k, v)| format!("{}:{v}", serde_json_string(k)))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// A JSON string literal for `s`.
fn serde_json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const KINDS: &[Option<DocKind>] = &[
    None,
    Some(DocKind::KeyPolicy),
    Some(DocKind::BucketPolicy),
    Some(DocKind::Scp),
    Some(DocKind::Rcp),
    Some(DocKind::TrustPolicy),
    Some(DocKind::InlinePolicy),
    Some(DocKind::ManagedPolicy),
    Some(DocKind::DescribeKey),
    Some(DocKind::ListGrants),
    Some(DocKind::BucketVersioning),
    Some(DocKind::DescribeImages),
    Some(DocKind::OrgPolicy),
    Some(DocKind::PolicyTargets),
    Some(DocKind::Parents),
];

fn hints() -> impl Strategy<Value = FileHints> {
    (proptest::sample::select(KINDS), any::<u8>()).prop_map(|(kind, bits)| {
        let on = |bit: u8, v: &str| (bits & (1 << bit) != 0).then(|| v.to_owned());
        FileHints {
            kind,
            key: on(
                0,
                "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d",
            ),
            bucket: on(1, "b"),
            role: on(2, "r"),
            policy_arn: on(3, "arn:aws:iam::111111111111:policy/p"),
            policy: on(4, "p-1"),
            child: on(5, "111111111111"),
            name: on(6, "n"),
            targets: if bits & 0x80 != 0 {
                vec!["r-ab12".to_owned()]
            } else {
                Vec::new()
            },
            ..FileHints::default()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(docs in prop::collection::vec((json(), hints(), any::<bool>()), 1..4)) {
        let mut inv = Inventory::default();
        let mut session = Session::default();
        for (text, hints, proposed) in docs {
            let options = LoadOptions {
                account: proposed.then(|| "111111111111".to_owned()),
                region: Some("eu-west-1".to_owned()),
                state: Some(if proposed { State::Proposed } else { State::Current }),
                ..LoadOptions::default()
            };
            read_into(&mut inv, &mut session, &text, hints, &options);
        }
        session.finish(&mut inv);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}", hints in hints()) {
        let mut inv = Inventory::default();
        let mut session = Session::default();
        read_into(&mut inv, &mut session, &text, hints, &LoadOptions::default());
        session.finish(&mut inv);
    }
}
