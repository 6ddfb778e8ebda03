//! AWS CLI outputs and the inventory manifest: every shape lands in the model, the manifest
//! ties what content cannot, proposed items win, and the fixture inventories read cleanly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod aws_cli_support;

use aws_cli_support::{A, B, TempDir, codes, one, read_into};
use kmsguard_inventory::aws_cli::{DocKind, FileHints, Session};
use kmsguard_inventory::{
    IdentityKind, Inventory, KeyManager, LoadOptions, OrgPolicyKind, State, load_paths,
};
use kmsguard_syntax::Severity;

const KS: &str = "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d";

fn hints() -> FileHints {
    FileHints::default()
}

fn key_hint(arn: &str) -> FileHints {
    FileHints {
        key: Some(arn.to_owned()),
        ..FileHints::default()
    }
}

fn bucket_hint(name: &str) -> FileHints {
    FileHints {
        bucket: Some(name.to_owned()),
        ..FileHints::default()
    }
}

// ---- kms ---------------------------------------------------------------------------------

#[test]
fn describe_key_fills_the_key() {
    let inv = one(
        r#"{"KeyMetadata": {"AWSAccountId": "111111111111", "KeyId": "5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d",
        "Arn": "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d",
        "Enabled": true, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
        "MultiRegion": false}}"#,
        hints(),
    );
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);
    let k = &inv.keys[0];
    assert_eq!(k.arn, KS);
    assert_eq!(k.id, "5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d");
    assert_eq!((k.account.as_str(), k.region.as_str()), (A, "eu-west-1"));
    assert_eq!(k.spec.as_deref(), Some("SYMMETRIC_DEFAULT"));
    assert_eq!(k.usage.as_deref(), Some("ENCRYPT_DECRYPT"));
    assert_eq!(k.key_origin.as_deref(), Some("AWS_KMS"));
    assert_eq!(k.manager, Some(KeyManager::Customer));
    assert_eq!(k.state.as_deref(), Some("Enabled"));
    assert_eq!(k.multi_region, Some(false));
    assert_eq!(k.primary_arn, None);
    assert_eq!(k.origin.location, "KeyMetadata");
}

#[test]
fn describe_key_older_spec_member_aws_manager_and_custom_store() {
    let inv = one(
        r#"{"KeyMetadata": {"Arn": "arn:aws:kms:us-east-1:222222222222:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "CustomerMasterKeySpec": "RSA_2048", "KeyManager": "AWS", "KeyState": "PendingDeletion",
        "Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": "cks-1234567890abcdef0"}}"#,
        hints(),
    );
    let k = &inv.keys[0];
    assert_eq!(k.spec.as_deref(), Some("RSA_2048"));
    assert_eq!(k.manager, Some(KeyManager::Aws));
    assert_eq!(k.state.as_deref(), Some("PendingDeletion"));
    assert_eq!(k.custom_key_store.as_deref(), Some("cks-1234567890abcdef0"));
    // No `AWSAccountId` and `KeyId`: both come from the ARN.
    assert_eq!((k.account.as_str(), k.region.as_str()), (B, "us-east-1"));
    assert_eq!(k.id, "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0");
}

#[test]
fn multi_region_replica_names_its_primary_and_the_primary_does_not() {
    let id = "mrk-4f2a9c1d7e3b4a6f8c0d2e4f6a8b0c1d";
    let meta = |region: &str, ty: &str| {
        format!(
            r#"{{"KeyMetadata": {{"Arn": "arn:aws:kms:{region}:111111111111:key/{id}", "MultiRegion": true,
            "MultiRegionConfiguration": {{"MultiRegionKeyType": "{ty}",
              "PrimaryKey": {{"Arn": "arn:aws:kms:eu-west-1:111111111111:key/{id}", "Region": "eu-west-1"}},
              "ReplicaKeys": [{{"Arn": "arn:aws:kms:us-east-1:111111111111:key/{id}", "Region": "us-east-1"}}]}}}}}}"#
        )
    };
    let mut inv = Inventory::default();
    let mut s = Session::default();
    read_into(
        &mut inv,
        &mut s,
        &meta("eu-west-1", "PRIMARY"),
        hints(),
        &LoadOptions::default(),
    );
    read_into(
        &mut inv,
        &mut s,
        &meta("us-east-1", "REPLICA"),
        hints(),
        &LoadOptions::default(),
    );
    assert_eq!(inv.keys.len(), 2);
    assert_eq!(inv.keys[0].primary_arn, None);
    assert_eq!(inv.keys[0].multi_region, Some(true));
    assert_eq!(
        inv.keys[1].primary_arn.as_deref(),
        Some(format!("arn:aws:kms:eu-west-1:111111111111:key/{id}").as_str())
    );
}

#[test]
fn key_policy_wrapper_needs_the_manifest_and_keeps_spans_inside_the_string() {
    let text = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"RootDelegation\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}"#;
    let inv = one(text, key_hint(KS));
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);
    let doc = inv.keys[0].policy.as_ref().unwrap();
    assert_eq!(doc.kind(), kmsguard_syntax::ast::PolicyKind::Key);
    assert!(!doc.has_errors);
    assert_eq!(doc.origin.location, "Policy");
    let sid = doc.policy.statements[0].sid.as_ref().unwrap();
    assert_eq!(inv.files[0].slice(sid.span), r#"\"RootDelegation\""#);

    let alone = one(text, hints());
    assert!(alone.keys.is_empty());
    assert_eq!(codes(&alone), ["P501"]);
    assert_eq!(alone.diagnostics[0].1.severity, Severity::Warning);
}

#[test]
fn bucket_policy_is_told_apart_by_the_manifest_or_by_s3_statements() {
    let text = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:role/orders-crr\"},\"Action\":\"s3:ReplicateObject\",\"Resource\":\"arn:aws:s3:::orders-dst-use1/*\"}]}"}"#;
    let inv = one(text, bucket_hint("orders-dst-use1"));
    let b = &inv.buckets[0];
    let doc = b.policy.as_ref().unwrap();
    assert_eq!(doc.kind(), kmsguard_syntax::ast::PolicyKind::Resource);
    assert_eq!(doc.label, "bucket policy of orders-dst-use1");
    assert!(inv.keys.is_empty());

    // Without the manifest the S3 statements make it a bucket policy, whose bucket is unknown.
    let alone = one(text, hints());
    assert!(alone.buckets.is_empty() && alone.keys.is_empty());
    let d = &alone.diagnostics[0].1;
    assert_eq!(d.code.as_str(), "P501");
    assert!(d.message.contains("bucket"), "{}", d.message);

    // The manifest's kind overrides the guess.
    let forced = one(
        text,
        FileHints {
            kind: Some(DocKind::KeyPolicy),
            key: Some(KS.to_owned()),
            ..FileHints::default()
        },
    );
    assert!(forced.keys[0].policy.is_some());
}

#[test]
fn grants_attach_to_their_key_and_describe_key_fills_the_stub() {
    let grants = r#"{"Grants": [
      {"KeyId": "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d",
       "GrantId": "g1", "GranteePrincipal": "arn:aws:iam::111111111111:role/app", "Operations": ["Decrypt"],
       "IssuingAccount": "arn:aws:iam::111111111111:root"},
      {"KeyId": "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d",
       "GrantId": "g2", "GranteePrincipal": "arn:aws:iam::111111111111:role/app", "Operations": ["Encrypt"],
       "IssuingAccount": "arn:aws:iam::111111111111:root"}], "Truncated": false}"#;
    let mut inv = Inventory::default();
    let mut s = Session::default();
    read_into(&mut inv, &mut s, grants, hints(), &LoadOptions::default());
    assert_eq!(inv.keys.len(), 1);
    assert_eq!(inv.keys[0].grants.len(), 2);
    assert_eq!(inv.keys[0].grants[1].origin.location, "Grants[1]");
    assert_eq!(inv.keys[0].spec, None);
    read_into(
        &mut inv,
        &mut s,
        &format!(r#"{{"KeyMetadata": {{"Arn": "{KS}", "KeySpec": "SYMMETRIC_DEFAULT"}}}}"#),
        hints(),
        &LoadOptions::default(),
    );
    assert_eq!(inv.keys.len(), 1);
    assert_eq!(inv.keys[0].spec.as_deref(), Some("SYMMETRIC_DEFAULT"));
    assert_eq!(inv.keys[0].grants.len(), 2);
    // The same grant listed again replaces itself.
    read_into(&mut inv, &mut s, grants, hints(), &LoadOptions::default());
    assert_eq!(inv.keys[0].grants.len(), 2);
}

#[test]
fn rotation_status_by_key_id_member_manifest_or_account_and_region() {
    let inv = one(
        &format!(r#"{{"KeyRotationEnabled": true, "KeyId": "{KS}", "RotationPeriodInDays": 365}}"#),
        hints(),
    );
    assert_eq!(inv.keys[0].arn, KS);
    assert_eq!(inv.keys[0].rotation_enabled.map(|r| r.node), Some(true));
    assert_eq!(
        inv.files[0].slice(inv.keys[0].rotation_enabled.unwrap().span),
        "true"
    );

    let inv = one(r#"{"KeyRotationEnabled": false}"#, key_hint(KS));
    assert_eq!(inv.keys[0].rotation_enabled.map(|r| r.node), Some(false));

    // A bare key id: `one` reads with account A and eu-west-1.
    let inv = one(
        r#"{"KeyRotationEnabled": false, "KeyId": "5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d"}"#,
        hints(),
    );
    assert_eq!(inv.keys[0].arn, KS);

    let mut inv = Inventory::default();
    let mut s = Session::default();
    read_into(
        &mut inv,
        &mut s,
        r#"{"KeyRotationEnabled": false}"#,
        hints(),
        &LoadOptions::default(),
    );
    assert!(inv.keys.is_empty());
    assert_eq!(codes(&inv), ["P501"]);
}

#[test]
fn aliases_point_at_key_arns() {
    let inv = one(
        r#"{"Aliases": [
          {"AliasName": "alias/orders", "AliasArn": "arn:aws:kms:us-east-1:222222222222:alias/orders",
           "TargetKeyId": "8e9f0a1b-3c4d-4e5f-8a6b-9c0d1e2f3a4b"},
          {"AliasName": "alias/aws/ebs", "AliasArn": "arn:aws:kms:eu-west-1:111111111111:alias/aws/ebs"}]}"#,
        hints(),
    );
    assert_eq!(inv.aliases.len(), 2);
    let a = &inv.aliases[0];
    assert_eq!(a.name, "alias/orders");
    assert_eq!(a.account.as_deref(), Some(B));
    assert_eq!(a.region.as_deref(), Some("us-east-1"));
    assert_eq!(
        a.target_key.as_deref(),
        Some("arn:aws:kms:us-east-1:222222222222:key/8e9f0a1b-3c4d-4e5f-8a6b-9c0d1e2f3a4b")
    );
    assert_eq!(a.origin.location, "Aliases[0]");
    // An AWS managed alias whose key was never materialised has no target.
    assert_eq!(inv.aliases[1].target_key, None);
}

// ---- iam ---------------------------------------------------------------------------------

const AUTH_DETAILS: &str = r#"{
  "UserDetailList": [{"Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLEALICE",
    "Arn": "arn:aws:iam::111111111111:user/alice",
    "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}}],
    "GroupList": ["ops"], "AttachedManagedPolicies": [],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111111111111:policy/boundary"}}],
  "GroupDetailList": [{"Path": "/", "GroupName": "ops", "GroupId": "AGPAEXAMPLEOPS", "Arn": "arn:aws:iam::111111111111:group/ops",
    "GroupPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "KmsRead", "PolicyArn": "arn:aws:iam::111111111111:policy/KmsRead"}]}],
  "RoleDetailList": [{"Path": "/service-role/", "RoleName": "orders-crr", "RoleId": "AROAEXAMPLECRR",
    "Arn": "arn:aws:iam::111111111111:role/service-role/orders-crr",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    "RolePolicyList": [{"PolicyName": "kms", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22kms%3ADecrypt%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}],
    "AttachedManagedPolicies": [{"PolicyName": "KmsRead", "PolicyArn": "arn:aws:iam::111111111111:policy/KmsRead"}]}],
  "Policies": [{"PolicyName": "KmsRead", "Arn": "arn:aws:iam::111111111111:policy/KmsRead", "DefaultVersionId": "v2",
    "PolicyVersionList": [
      {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Sid": "V2", "Effect": "Allow", "Action": "kms:Describe*", "Resource": "*"}]}},
      {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17", "Statement": [{"Sid": "V1", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}]
}"#;

#[test]
fn authorization_details_fill_identities_and_managed_policies() {
    let inv = one(AUTH_DETAILS, hints());
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.identities.len(), 3);
    let role = inv
        .find_identity("arn:aws:iam::111111111111:role/service-role/orders-crr")
        .unwrap();
    assert_eq!(role.kind, IdentityKind::Role);
    assert_eq!(role.name, "orders-crr");
    assert_eq!(role.account, A);
    assert_eq!(role.unique_id.as_deref(), Some("AROAEXAMPLECRR"));
    assert_eq!(role.inline_policies.len(), 1);
    assert_eq!(
        role.inline_policies[0].label,
        "role/orders-crr inline policy kms"
    );
    assert_eq!(
        role.inline_policies[0].origin.location,
        "RoleDetailList[0].RolePolicyList[0].PolicyDocument"
    );
    assert_eq!(
        role.attached_policies[0].node,
        "arn:aws:iam::111111111111:policy/KmsRead"
    );
    let trust = role.trust_policy.as_ref().unwrap();
    assert_eq!(trust.kind(), kmsguard_syntax::ast::PolicyKind::Trust);

    let alice = inv
        .find_identity("arn:aws:iam::111111111111:user/alice")
        .unwrap();
    assert_eq!(alice.groups, ["ops"]);
    assert_eq!(
        alice.boundary.as_ref().map(|b| b.node.as_str()),
        Some("arn:aws:iam::111111111111:policy/boundary")
    );
    let ops = inv
        .find_identity("arn:aws:iam::111111111111:group/ops")
        .unwrap();
    assert_eq!(ops.kind, IdentityKind::Group);
    assert_eq!(ops.attached_policies.len(), 1);

    // Only the default version of a managed policy is in effect.
    assert_eq!(inv.managed_policies.len(), 1);
    let mp = inv
        .find_managed_policy("arn:aws:iam::111111111111:policy/KmsRead")
        .unwrap();
    assert_eq!(mp.doc.policy.statements[0].sid.as_ref().unwrap().node, "V2");
}

#[test]
fn inline_policies_attach_by_name_with_the_account_from_manifest_or_identity() {
    let role_policy = r#"{"RoleName": "orders-crr", "PolicyName": "extra",
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}"#;
    // The manifest's account (given by `one`): a stub role, filled in by the details later.
    let mut inv = Inventory::default();
    let mut s = Session::default();
    let opts = aws_cli_support::options();
    read_into(&mut inv, &mut s, role_policy, hints(), &opts);
    assert_eq!(
        inv.identities[0].arn,
        "arn:aws:iam::111111111111:role/orders-crr"
    );
    read_into(&mut inv, &mut s, AUTH_DETAILS, hints(), &opts);
    assert_eq!(inv.identities.len(), 3);
    let role = inv
        .find_identity("arn:aws:iam::111111111111:role/service-role/orders-crr")
        .unwrap();
    let labels: Vec<_> = role
        .inline_policies
        .iter()
        .map(|d| d.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "role/orders-crr inline policy extra",
            "role/orders-crr inline policy kms"
        ]
    );

    // No account anywhere but an identity of that name: its account.
    let user_policy = r#"{"UserName": "alice", "PolicyName": "more",
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}"#;
    let mut inv = Inventory::default();
    let mut s = Session::default();
    read_into(
        &mut inv,
        &mut s,
        AUTH_DETAILS,
        hints(),
        &LoadOptions::default(),
    );
    read_into(
        &mut inv,
        &mut s,
        user_policy,
        hints(),
        &LoadOptions::default(),
    );
    let alice = inv
        .find_identity("arn:aws:iam::111111111111:user/alice")
        .unwrap();
    assert_eq!(alice.inline_policies.len(), 2);

    // Neither: unattached.
    let mut inv = Inventory::default();
    read_into(
        &mut inv,
        &mut Session::default(),
        user_policy,
        hints(),
        &LoadOptions::default(),
    );
    assert!(inv.identities.is_empty());
    assert_eq!(codes(&inv), ["P501"]);

    // Group policies too.
    let inv = one(
        r#"{"GroupName": "ops", "PolicyName": "g", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}"#,
        hints(),
    );
    assert_eq!(inv.identities[0].kind, IdentityKind::Group);
}

#[test]
fn policy_version_needs_the_policy_arn() {
    let text = r#"{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}, "VersionId": "v3", "IsDefaultVersion": true}}"#;
    let inv = one(
        text,
        FileHints {
            policy_arn: Some("arn:aws:iam::111111111111:policy/Decrypt".to_owned()),
            ..FileHints::default()
        },
    );
    assert_eq!(
        inv.managed_policies[0].arn,
        "arn:aws:iam::111111111111:policy/Decrypt"
    );
    assert_eq!(
        inv.managed_policies[0].doc.origin.location,
        "PolicyVersion.Document"
    );
    let alone = one(text, hints());
    assert!(alone.managed_policies.is_empty());
    assert_eq!(codes(&alone), ["P501"]);
}

#[test]
fn bare_documents_go_where_the_manifest_says() {
    let doc = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
    let inv = one(
        doc,
        FileHints {
            kind: Some(DocKind::TrustPolicy),
            role: Some("orders-crr".to_owned()),
            ..FileHints::default()
        },
    );
    assert!(inv.identities[0].trust_policy.is_some());

    let identity = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    let inv = one(
        identity,
        FileHints {
            role: Some("app".to_owned()),
            name: Some("decrypt".to_owned()),
            ..FileHints::default()
        },
    );
    assert_eq!(
        inv.identities[0].inline_policies[0].label,
        "role/app inline policy decrypt"
    );

    let alone = one(identity, hints());
    assert!(alone.identities.is_empty());
    assert_eq!(codes(&alone), ["P501"]);
}

// ---- s3api -------------------------------------------------------------------------------

#[test]
fn bucket_outputs_land_on_the_manifest_bucket() {
    let mut inv = Inventory::default();
    let mut s = Session::default();
    let opts = aws_cli_support::options();
    let h = || bucket_hint("orders-src-euw1");
    read_into(
        &mut inv,
        &mut s,
        r#"{"ReplicationConfiguration": {"Role": "arn:aws:iam::111111111111:role/orders-crr", "Rules": [
          {"ID": "all", "Status": "Enabled", "Priority": 1, "Filter": {},
           "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
           "Destination": {"Bucket": "arn:aws:s3:::orders-dst-use1", "Account": "222222222222",
             "EncryptionConfiguration": {"ReplicaKmsKeyID": "alias/orders-replica"}}},
          {"ID": "old", "Status": "Disabled", "Prefix": "tmp/", "Destination": {"Bucket": "arn:aws:s3:::other"}}]}}"#,
        h(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault":
          {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d"},
          "BucketKeyEnabled": true, "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]}}"#,
        h(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"LocationConstraint": null}"#,
        h(),
        &opts,
    );
    read_into(&mut inv, &mut s, r#"{"Status": "Enabled"}"#, h(), &opts);
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.buckets.len(), 1);
    let b = &inv.buckets[0];
    assert_eq!(b.account.as_deref(), Some(A));
    // `null` is us-east-1, whatever the manifest's default Region.
    assert_eq!(b.region.as_deref(), Some("us-east-1"));
    assert_eq!(b.versioning_enabled, Some(true));
    let e = b.encryption.as_ref().unwrap();
    assert_eq!(e.algorithm.node, "aws:kms");
    assert_eq!(e.kms_key.as_ref().unwrap().node, KS);
    assert!(e.bucket_key_enabled);
    assert_eq!(e.blocked_encryption_types, ["SSE-C"]);
    let r = b.replication.as_ref().unwrap();
    assert_eq!(r.role.node, "arn:aws:iam::111111111111:role/orders-crr");
    assert_eq!(r.rules.len(), 2);
    let rule = &r.rules[0];
    assert!(rule.enabled);
    assert_eq!(rule.sse_kms_encrypted_objects.map(|s| s.node), Some(true));
    assert_eq!(rule.destination_bucket.node, "arn:aws:s3:::orders-dst-use1");
    assert_eq!(rule.destination_account.as_deref(), Some(B));
    let replica = rule.replica_kms_key.as_ref().unwrap();
    assert_eq!(inv.files[0].slice(replica.span), "\"alias/orders-replica\"");
    assert!(!r.rules[1].enabled);
    assert_eq!(r.rules[1].sse_kms_encrypted_objects, None);
    assert_eq!(r.rules[1].replica_kms_key, None);
}

#[test]
fn location_constraint_values_and_versioning_states() {
    let region = |text: &str| one(text, bucket_hint("b")).buckets[0].region.clone();
    assert_eq!(
        region(r#"{"LocationConstraint": "eu-west-1"}"#).as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        region(r#"{"LocationConstraint": "EU"}"#).as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        region(r#"{"LocationConstraint": ""}"#).as_deref(),
        Some("us-east-1")
    );

    let versioning = |text: &str, kind| {
        one(
            text,
            FileHints {
                kind,
                bucket: Some("b".to_owned()),
                ..FileHints::default()
            },
        )
        .buckets
        .first()
        .and_then(|b| b.versioning_enabled)
    };
    assert_eq!(
        versioning(r#"{"Status": "Suspended", "MFADelete": "Disabled"}"#, None),
        Some(false)
    );
    // A never-versioned bucket prints nothing; the collector writes `{}` and names the kind.
    assert_eq!(
        versioning("{}", Some(DocKind::BucketVersioning)),
        Some(false)
    );
    assert_eq!(versioning("{}", None), None);

    let alone = one(r#"{"LocationConstraint": "eu-west-1"}"#, hints());
    assert!(alone.buckets.is_empty());
    assert_eq!(codes(&alone), ["P501"]);
}

// ---- ec2 ---------------------------------------------------------------------------------

#[test]
fn images_snapshots_sharing_and_ebs_default() {
    let mut inv = Inventory::default();
    let mut s = Session::default();
    let opts = aws_cli_support::options();
    // The attribute first: the image is created as a stub and filled in later.
    read_into(
        &mut inv,
        &mut s,
        r#"{"ImageId": "ami-0a1b2c3d4e5f60718", "LaunchPermissions": [{"UserId": "222222222222"},
          {"Group": "all"}, {"OrganizationArn": "arn:aws:organizations::111111111111:organization/o-exampleorg1"},
          {"OrganizationalUnitArn": "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-workloads"}]}"#,
        hints(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Images": [{"ImageId": "ami-0a1b2c3d4e5f60718", "OwnerId": "111111111111", "Public": true,
          "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-0123456789abcdef0", "Encrypted": true,
             "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d"}},
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]}]}"#,
        hints(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Snapshots": [{"SnapshotId": "snap-0123456789abcdef0", "OwnerId": "111111111111", "Encrypted": true,
          "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d"}]}"#,
        hints(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"SnapshotId": "snap-0123456789abcdef0", "CreateVolumePermissions": [{"UserId": "222222222222"}]}"#,
        hints(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"KmsKeyId": "alias/aws/ebs"}"#,
        hints(),
        &opts,
    );
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);

    assert_eq!(inv.images.len(), 1);
    let img = &inv.images[0];
    assert_eq!(img.account.as_deref(), Some(A));
    assert_eq!(img.region.as_deref(), Some("eu-west-1"));
    assert!(img.public);
    assert_eq!(img.snapshots.len(), 1);
    assert!(img.snapshots[0].encrypted);
    assert_eq!(img.snapshots[0].kms_key.as_deref(), Some(KS));
    let lp = &img.launch_permissions;
    assert_eq!(lp.accounts[0].node, B);
    assert!(lp.public.is_some());
    assert_eq!(lp.organizations.len(), 2);

    let snap = &inv.snapshots[0];
    assert!(snap.encrypted);
    assert_eq!(snap.kms_key.as_ref().unwrap().node, KS);
    assert_eq!(snap.volume_permissions.accounts[0].node, B);

    let ebs = &inv.ebs_defaults[0];
    assert_eq!(ebs.kms_key.node, "alias/aws/ebs");
    assert_eq!(
        (ebs.account.as_deref(), ebs.region.as_deref()),
        (Some(A), Some("eu-west-1"))
    );
}

// ---- organizations -----------------------------------------------------------------------

#[test]
fn org_policies_with_targets_in_the_same_file_or_by_the_manifest() {
    let mut inv = Inventory::default();
    let mut s = Session::default();
    let opts = LoadOptions::default();
    // Targets first, resolved once every file is read.
    read_into(
        &mut inv,
        &mut s,
        r#"{"Targets": [{"TargetId": "ou-ab12-workloads", "Arn": "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-workloads", "Name": "Workloads", "Type": "ORGANIZATIONAL_UNIT"}]}"#,
        FileHints {
            policy: Some("p-rcp0000001".to_owned()),
            ..FileHints::default()
        },
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Policy": {"PolicySummary": {"Id": "p-scp0000001", "Name": "DenyKmsDeletion", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false},
          "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"kms:ScheduleKeyDeletion\",\"Resource\":\"*\"}]}"},
          "Targets": [{"TargetId": "r-ab12", "Type": "ROOT"}]}"#,
        hints(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Policy": {"PolicySummary": {"Id": "p-rcp0000001", "Name": "KeysInOrg", "Type": "RESOURCE_CONTROL_POLICY"},
          "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":{\"aws:PrincipalOrgID\":\"o-exampleorg1\"},\"Bool\":{\"aws:PrincipalIsAWSService\":\"false\"}}}]}"}}"#,
        hints(),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*"}]}"#,
        FileHints {
            kind: Some(DocKind::Scp),
            name: Some("NoPolicyEdits".to_owned()),
            targets: vec!["222222222222".to_owned()],
            ..FileHints::default()
        },
        &opts,
    );
    s.finish(&mut inv);
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.org_policies.len(), 3);
    let scp = &inv.org_policies[0];
    assert_eq!(
        (scp.kind, scp.name.as_str()),
        (OrgPolicyKind::Scp, "DenyKmsDeletion")
    );
    assert_eq!(scp.targets, ["r-ab12"]);
    assert_eq!(scp.doc.kind(), kmsguard_syntax::ast::PolicyKind::Scp);
    let sid = scp.doc.policy.statements[0].sid.as_ref().unwrap();
    assert_eq!(inv.files[1].slice(sid.span), r#"\"NoDelete\""#);
    let rcp = &inv.org_policies[1];
    assert_eq!(
        (rcp.kind, rcp.targets.as_slice()),
        (OrgPolicyKind::Rcp, &["ou-ab12-workloads".to_owned()][..])
    );
    let bare = &inv.org_policies[2];
    assert_eq!(
        (bare.name.as_str(), bare.targets.as_slice()),
        ("NoPolicyEdits", &["222222222222".to_owned()][..])
    );

    // Targets of a policy never read are reported when the load finishes.
    let mut inv = Inventory::default();
    let mut s = Session::default();
    read_into(
        &mut inv,
        &mut s,
        r#"{"Targets": [{"TargetId": "r-ab12", "Type": "ROOT"}]}"#,
        FileHints {
            policy: Some("p-missing".to_owned()),
            ..FileHints::default()
        },
        &opts,
    );
    s.finish(&mut inv);
    assert_eq!(codes(&inv), ["P501"]);
}

#[test]
fn list_parents_builds_the_path_from_the_root() {
    let mut inv = Inventory::default();
    let mut s = Session::default();
    let parent = |child: &str| FileHints {
        child: Some(child.to_owned()),
        ..FileHints::default()
    };
    let opts = LoadOptions::default();
    read_into(
        &mut inv,
        &mut s,
        r#"{"Parents": [{"Id": "ou-ab12-prod", "Type": "ORGANIZATIONAL_UNIT"}]}"#,
        parent(A),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Parents": [{"Id": "ou-ab12-workloads", "Type": "ORGANIZATIONAL_UNIT"}]}"#,
        parent("ou-ab12-prod"),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Parents": [{"Id": "r-ab12", "Type": "ROOT"}]}"#,
        parent("ou-ab12-workloads"),
        &opts,
    );
    s.finish(&mut inv);
    assert_eq!(inv.org_accounts.len(), 1);
    assert_eq!(inv.org_accounts[0].account, A);
    assert_eq!(
        inv.org_accounts[0].path,
        ["r-ab12", "ou-ab12-workloads", "ou-ab12-prod"]
    );
}

// ---- recognition and errors --------------------------------------------------------------

#[test]
fn unknown_and_invalid_json_are_diagnostics_not_failures() {
    let inv = one(r#"{"name": "kmsguard", "version": "0.1.0"}"#, hints());
    assert_eq!(codes(&inv), ["P007"]);
    assert_eq!(inv.diagnostics[0].1.severity, Severity::Warning);
    let inv = one(r#"{"Images": [}"#, hints());
    assert_eq!(codes(&inv), ["P003"]);
    assert_eq!(inv.diagnostics[0].1.severity, Severity::Error);
    let inv = one(r#"[1, 2]"#, hints());
    assert_eq!(codes(&inv), ["P007"]);
    // A recognised shape with a wrong member type.
    let inv = one(r#"{"Images": {"ImageId": "ami-1"}}"#, hints());
    assert_eq!(codes(&inv), ["P101"]);
    let inv = one(r#"{"Snapshots": [{"OwnerId": "111111111111"}]}"#, hints());
    assert_eq!(codes(&inv), ["P007"]);
    assert!(inv.diagnostics[0].1.message.contains("SnapshotId"));
}

#[test]
fn load_paths_errors_on_unreadable_paths() {
    let err = load_paths(&["no/such/dir".into()], &LoadOptions::default()).unwrap_err();
    assert!(err.starts_with("no/such/dir: "), "{err}");
}

#[test]
fn non_utf8_files_are_a_diagnostic() {
    let dir = TempDir::new("utf8");
    dir.write("bad.json", "");
    std::fs::write(dir.path().join("bad.json"), b"{\"Policy\": \"\xff\"}").unwrap();
    let inv = load_paths(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    assert_eq!(codes(&inv), ["P002"]);
}

#[test]
fn loading_is_deterministic() {
    let root = aws_cli_support::fixtures();
    let a = load_paths(std::slice::from_ref(&root), &LoadOptions::default()).unwrap();
    let b = load_paths(&[root], &LoadOptions::default()).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let names: Vec<_> = a.files.iter().map(|f| f.name().to_owned()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "files are read in path order");
}

#[test]
fn state_from_options_applies_without_manifest() {
    let inv = one_with_state(State::Proposed);
    assert_eq!(inv.keys[0].origin.state, State::Proposed);
}

fn one_with_state(state: State) -> Inventory {
    let mut inv = Inventory::default();
    let opts = LoadOptions {
        state: Some(state),
        ..LoadOptions::default()
    };
    read_into(
        &mut inv,
        &mut Session::default(),
        &format!(r#"{{"KeyMetadata": {{"Arn": "{KS}"}}}}"#),
        hints(),
        &opts,
    );
    inv
}

#[test]
fn current_outputs_do_not_replace_what_a_template_proposes() {
    use kmsguard_inventory::{Bucket, BucketEncryption, Origin};
    use kmsguard_syntax::Spanned;
    // A template reader put a proposed bucket with its encryption in the model.
    let mut inv = Inventory::default();
    inv.buckets.push(Bucket {
        name: "orders-src-euw1".to_owned(),
        account: None,
        region: None,
        encryption: Some(BucketEncryption {
            algorithm: Spanned::new("aws:kms".to_owned(), Default::default()),
            kms_key: Some(Spanned::new(KS.to_owned(), Default::default())),
            bucket_key_enabled: true,
            blocked_encryption_types: Vec::new(),
        }),
        versioning_enabled: None,
        replication: None,
        policy: None,
        origin: Origin {
            state: State::Proposed,
            ..Origin::default()
        },
    });
    let mut s = Session::default();
    let opts = aws_cli_support::options();
    read_into(
        &mut inv,
        &mut s,
        r#"{"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}"#,
        bucket_hint("orders-src-euw1"),
        &opts,
    );
    read_into(
        &mut inv,
        &mut s,
        r#"{"Status": "Enabled"}"#,
        bucket_hint("orders-src-euw1"),
        &opts,
    );
    let b = &inv.buckets[0];
    assert_eq!(b.encryption.as_ref().unwrap().algorithm.node, "aws:kms");
    // What the template does not say, the current output fills in.
    assert_eq!(b.versioning_enabled, Some(true));
    assert_eq!(b.account.as_deref(), Some(A));
}

// ---- dynamodb and rds ----------------------------------------------------------------------

#[test]
fn describe_table_lists_the_table_and_its_replicas() {
    let inv = one(
        r#"{"Table": {"TableName": "ledger", "TableStatus": "ACTIVE",
        "TableArn": "arn:aws:dynamodb:eu-west-1:111111111111:table/ledger",
        "GlobalTableVersion": "2019.11.21",
        "Replicas": [
            {"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE",
             "KMSMasterKeyId": "arn:aws:kms:us-east-1:111111111111:key/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"},
            {"RegionName": "ap-southeast-2", "ReplicaStatus": "DELETING"}
        ],
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS",
            "KMSMasterKeyArn": "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d"}}}"#,
        hints(),
    );
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let g = &inv.global_data[0];
    assert_eq!(
        g.kind,
        kmsguard_inventory::GlobalDataKind::DynamoDbGlobalTable
    );
    assert_eq!((g.name.as_str(), g.account.as_deref()), ("ledger", Some(A)));
    let regions: Vec<_> = g
        .regions
        .iter()
        .map(|r| (r.region.as_str(), r.status.as_deref(), r.sse_key.is_some()))
        .collect();
    assert_eq!(
        regions,
        [
            ("eu-west-1", Some("ACTIVE"), true),
            ("us-east-1", Some("ACTIVE"), true),
            ("ap-southeast-2", Some("DELETING"), false)
        ]
    );
    assert_eq!(g.regions[0].sse_key.as_deref(), Some(KS));
    // A replica being deleted keeps no data.
    assert!(g.lives_in("us-east-1") && !g.lives_in("ap-southeast-2"));
}

#[test]
fn describe_table_reports_wrong_types_and_missing_members() {
    let inv = one(r#"{"Table": {"TableName": "ledger"}}"#, hints());
    assert_eq!(codes(&inv), ["P007"]);
    assert!(inv.global_data.is_empty());
    let inv = one(
        r#"{"Table": {"TableArn": "arn:aws:dynamodb:eu-west-1:111111111111:table/ledger", "Replicas": [{"RegionName": 5}]}}"#,
        hints(),
    );
    assert_eq!(codes(&inv), ["P101"]);
    assert_eq!(inv.global_data[0].regions.len(), 1);
    let inv = one(r#"{"Table": {"TableArn": "arn:aws:s3:::ledger"}}"#, hints());
    assert_eq!(codes(&inv), ["P101"]);
}

#[test]
fn describe_global_clusters_lists_member_regions() {
    let inv = one(
        r#"{"GlobalClusters": [{"GlobalClusterIdentifier": "ledger-global",
        "GlobalClusterArn": "arn:aws:rds::111111111111:global-cluster:ledger-global",
        "Engine": "aurora-postgresql", "StorageEncrypted": true,
        "GlobalClusterMembers": [
            {"DBClusterArn": "arn:aws:rds:eu-west-1:111111111111:cluster:ledger-euw1", "IsWriter": true, "Readers": []},
            {"DBClusterArn": "arn:aws:rds:us-east-1:111111111111:cluster:ledger-use1", "IsWriter": false}
        ]}]}"#,
        hints(),
    );
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let g = &inv.global_data[0];
    assert_eq!(
        g.kind,
        kmsguard_inventory::GlobalDataKind::AuroraGlobalDatabase
    );
    assert_eq!(
        (g.name.as_str(), g.account.as_deref()),
        ("ledger-global", Some(A))
    );
    assert_eq!(g.storage_encrypted, Some(true));
    let regions: Vec<_> = g
        .regions
        .iter()
        .map(|r| (r.region.as_str(), r.writer))
        .collect();
    assert_eq!(
        regions,
        [("eu-west-1", Some(true)), ("us-east-1", Some(false))]
    );

    let inv = one(
        r#"{"GlobalClusters": [{"GlobalClusterArn": "arn:aws:rds::111111111111:global-cluster:g",
        "GlobalClusterMembers": [{"DBClusterArn": "ledger-euw1"}, {"IsWriter": true}]}]}"#,
        hints(),
    );
    assert_eq!(codes(&inv), ["P101", "P007"]);
    assert_eq!(inv.global_data[0].name, "g");
    assert!(inv.global_data[0].regions.is_empty());
}

#[test]
fn manifest_kinds_name_the_new_commands() {
    let hints = FileHints {
        kind: Some(DocKind::DescribeGlobalClusters),
        ..FileHints::default()
    };
    let inv = one(r#"{"GlobalClusters": []}"#, hints);
    assert!(inv.diagnostics.is_empty());
    let hints = FileHints {
        kind: Some(DocKind::DescribeTable),
        ..FileHints::default()
    };
    let inv = one(
        r#"{"Table": {"TableArn": "arn:aws:dynamodb:us-east-1:111111111111:table/t"}}"#,
        hints,
    );
    assert_eq!(inv.global_data[0].regions[0].region, "us-east-1");
}
