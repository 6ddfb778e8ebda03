//! The Terraform plan reader on the fixtures of `fixtures/terraform` and on small plans.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};

use kmsguard_inventory::{
    Doc, IdentityKind, Inventory, Key, LoadOptions, SourceFormat, State, read_file, terraform,
};
use kmsguard_syntax::ast::{ActionBlock, ResourceBlock, Statement};
use kmsguard_syntax::{Severity, Span, unknown};
use proptest::prelude::*;

const ACCOUNT: &str = "111111111111";

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/terraform")
        .join(format!("{name}.json"))
}

/// Reads a fixture; returns the inventory and the text.
fn fixture(name: &str) -> (Inventory, String) {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path).unwrap();
    (read_text(&path, &text, &LoadOptions::default()), text)
}

fn read_text(path: &Path, text: &str, options: &LoadOptions) -> Inventory {
    let mut inv = Inventory::default();
    read_file(&mut inv, path, text.to_owned(), options);
    inv
}

fn plan(text: &str) -> Inventory {
    read_text(Path::new("plan.json"), text, &LoadOptions::default())
}

fn errors(inv: &Inventory) -> Vec<String> {
    inv.diagnostics
        .iter()
        .filter(|(_, d)| d.severity == Severity::Error)
        .map(|(_, d)| format!("{} {}", d.code, d.message))
        .collect()
}

fn codes(inv: &Inventory) -> Vec<&'static str> {
    inv.diagnostics
        .iter()
        .map(|(_, d)| d.code.as_str())
        .collect()
}

fn key<'i>(inv: &'i Inventory, location: &str) -> &'i Key {
    inv.keys
        .iter()
        .find(|k| k.origin.location == location)
        .unwrap_or_else(|| panic!("no key {location}"))
}

fn statement<'d>(doc: &'d Doc, sid: &str) -> &'d Statement {
    doc.policy
        .statements
        .iter()
        .map(|s| &s.node)
        .find(|s| s.label() == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {}", doc.label))
}

fn actions(s: &Statement) -> Vec<String> {
    match &s.action {
        Some(ActionBlock::Action(list)) => {
            list.node.iter().map(|a| a.node.text().to_owned()).collect()
        }
        other => panic!("expected Action, found {other:?}"),
    }
}

fn resources(s: &Statement) -> Vec<String> {
    match &s.resource {
        Some(ResourceBlock::Resource(list)) => list
            .node
            .iter()
            .map(|r| r.node.template.raw.clone())
            .collect(),
        other => panic!("expected Resource, found {other:?}"),
    }
}

/// One-based line of a byte offset.
fn line(text: &str, offset: u32) -> usize {
    text[..offset as usize].matches('\n').count() + 1
}

/// The line of the first `needle` inside the `resource_changes` entry of `address`.
fn change_line(text: &str, address: &str, needle: &str) -> usize {
    let changes = text.find("\"resource_changes\"").unwrap();
    let entry = changes
        + text[changes..]
            .find(&format!("\"address\": \"{address}\""))
            .unwrap();
    line(
        text,
        u32::try_from(entry + text[entry..].find(needle).unwrap()).unwrap(),
    )
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.range()]
}

const SCENARIOS: [&str; 5] = [
    "s3-replication-sse-kms",
    "ami-cross-account",
    "public-key",
    "rotation",
    "key-admin",
];

#[test]
fn every_fixture_reads_without_errors() {
    for scenario in SCENARIOS {
        for variant in ["correct", "broken"] {
            let name = format!("{scenario}.{variant}");
            let path = fixture_path(&name);
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                SourceFormat::detect(&path, &text),
                SourceFormat::Terraform,
                "{name}"
            );
            let (inv, _) = fixture(&name);
            assert!(errors(&inv).is_empty(), "{name}: {:?}", errors(&inv));
            assert!(!inv.keys.is_empty(), "{name}");
            for k in &inv.keys {
                assert_eq!(k.origin.state, State::Proposed);
                assert!(k.policy.is_some(), "{name}: {} has no policy", k.arn);
                assert_eq!(k.account, ACCOUNT, "{name}");
                assert!(!unknown::contains(&k.arn), "{name}: {}", k.arn);
            }
        }
    }
}

#[test]
fn s3_replication_refers_to_one_key_everywhere() {
    for variant in ["correct", "broken"] {
        let (inv, text) = fixture(&format!("s3-replication-sse-kms.{variant}"));
        let source_key = key(&inv, "module.kms.aws_kms_key.this");
        let replica_key = key(&inv, "aws_kms_key.replica");
        assert_eq!(
            source_key.arn,
            "arn:aws:kms:us-east-1:111111111111:key/module.kms.aws_kms_key.this"
        );
        assert_eq!(
            replica_key.arn,
            "arn:aws:kms:us-west-2:111111111111:key/aws_kms_key.replica"
        );
        assert_eq!(replica_key.region, "us-west-2");

        let role = inv
            .find_identity("arn:aws:iam::111111111111:role/kmsguard-s3-replication")
            .unwrap();
        assert_eq!(role.kind, IdentityKind::Role);
        assert!(role.trust_policy.is_some());

        let source = inv.find_bucket("kmsguard-example-source").unwrap();
        let destination = inv
            .find_bucket("arn:aws:s3:::kmsguard-example-destination")
            .unwrap();
        assert_eq!(source.region.as_deref(), Some("us-east-1"));
        assert_eq!(destination.region.as_deref(), Some("us-west-2"));
        assert_eq!(source.versioning_enabled, Some(true));
        assert_eq!(destination.versioning_enabled, Some(true));
        let enc = source.encryption.as_ref().unwrap();
        assert_eq!(enc.algorithm.node, "aws:kms");
        assert_eq!(enc.kms_key.as_ref().unwrap().node, source_key.arn);
        assert!(enc.bucket_key_enabled);
        assert_eq!(
            destination
                .encryption
                .as_ref()
                .unwrap()
                .kms_key
                .as_ref()
                .unwrap()
                .node,
            replica_key.arn
        );

        let replication = source.replication.as_ref().unwrap();
        assert_eq!(replication.role.node, role.arn);
        assert_eq!(
            replication.origin.location,
            "aws_s3_bucket_replication_configuration.this"
        );
        let [rule] = replication.rules.as_slice() else {
            panic!("one rule")
        };
        assert!(rule.enabled);
        assert_eq!(rule.id.as_deref(), Some("replicate-all"));
        assert_eq!(rule.sse_kms_encrypted_objects.map(|s| s.node), Some(true));
        assert_eq!(rule.destination_bucket.node, destination.arn());
        assert_eq!(rule.replica_kms_key.as_ref().unwrap().node, replica_key.arn);
        // The reference in the configuration is where the value comes from.
        assert!(
            slice(&text, rule.replica_kms_key.as_ref().unwrap().span)
                .contains("aws_kms_key.replica.arn")
        );

        // The role's policy is rebuilt from the data source's statements.
        let [doc] = role.inline_policies.as_slice() else {
            panic!("one inline policy")
        };
        assert!(
            doc.label.contains("aws_iam_role_policy.replication"),
            "{}",
            doc.label
        );
        assert!(
            doc.label
                .contains("data.aws_iam_policy_document.replication"),
            "{}",
            doc.label
        );
        let use_replica = statement(doc, "UseReplicaKey");
        assert_eq!(resources(use_replica), vec![replica_key.arn.clone()]);
        let expected: &[&str] = if variant == "broken" {
            &["kms:Decrypt"]
        } else {
            &["kms:Decrypt", "kms:Encrypt"]
        };
        assert_eq!(actions(use_replica), expected);
        assert_eq!(
            resources(statement(doc, "DecryptSourceObjects")),
            vec![source_key.arn.clone()]
        );
        // Bucket ARNs are extended with `/*` in the configuration: they stay unknown.
        let write = resources(statement(doc, "WriteReplicasToDestinationBucket"));
        assert!(unknown::contains(&write[0]), "{write:?}");
        let sid = use_replica.sid.as_ref().unwrap();
        assert_eq!(slice(&text, sid.span), "\"UseReplicaKey\"");
        assert_eq!(
            line(&text, sid.span.start),
            change_line(
                &text,
                "data.aws_iam_policy_document.replication",
                "\"sid\": \"UseReplicaKey\""
            )
        );

        // The bucket policy names the role and bucket by their names, known while planning
        // (a policy unknown until apply is reported: `an_unknown_policy_is_reported_not_guessed`).
        let bucket_policy = destination.policy.as_ref().unwrap();
        assert_eq!(bucket_policy.policy.statements.len(), 1);
        assert!(
            !inv.diagnostics
                .iter()
                .any(|(_, d)| d.code == terraform::P402)
        );
    }
}

#[test]
fn key_policy_statements_point_into_the_policy_string() {
    for variant in ["correct", "broken"] {
        let (inv, text) = fixture(&format!("public-key.{variant}"));
        let k = key(&inv, "aws_kms_key.shared");
        let doc = k.policy.as_ref().unwrap();
        assert_eq!(doc.label, "key policy of aws_kms_key.shared");
        assert_eq!(doc.origin.location, "aws_kms_key.shared");
        let policy_line = change_line(&text, "aws_kms_key.shared", "\"policy\": \"");
        assert_eq!(line(&text, doc.origin.span.start), policy_line);
        let s = statement(doc, "AllowDecryptFromTheAccount");
        let sid = s.sid.as_ref().unwrap();
        // Through the string's escapes: the span covers `\"AllowDecryptFromTheAccount\"`.
        assert_eq!(slice(&text, sid.span), r#"\"AllowDecryptFromTheAccount\""#);
        assert_eq!(line(&text, sid.span.start), policy_line);
        assert_eq!(s.conditions.len(), usize::from(variant == "correct"));
        if let Some(c) = s.conditions.first() {
            assert_eq!(c.key.node.text(), "kms:CallerAccount");
            assert_eq!(slice(&text, c.key.span), r#"\"kms:CallerAccount\""#);
        }
        let org = statement(doc, "AllowDescribeInTheOrganization");
        assert_eq!(org.conditions[0].key.node.text(), "aws:PrincipalOrgID");
    }
}

#[test]
fn grants_and_aliases_attach_to_their_key() {
    let (inv, text) = fixture("public-key.correct");
    let k = key(&inv, "aws_kms_key.shared");
    assert_eq!(k.id, "aws_kms_key.shared");
    let [g] = k.grants.as_slice() else {
        panic!("one grant")
    };
    assert_eq!(g.origin.location, "aws_kms_grant.app");
    let role = inv
        .identities
        .iter()
        .find(|i| i.origin.location == "aws_iam_role.app")
        .unwrap();
    assert_eq!(role.arn, "arn:aws:iam::111111111111:role/kmsguard-app");
    assert_eq!(g.grant.grantee.as_ref().unwrap().node.text, role.arn);
    assert_eq!(g.grant.retiring.as_ref().unwrap().node.text, role.arn);
    assert_eq!(g.grant.operations.len(), 1);
    assert_eq!(slice(&text, g.grant.operations[0].span), "\"Decrypt\"");
    let equals = g
        .grant
        .constraints
        .as_ref()
        .unwrap()
        .node
        .equals
        .as_ref()
        .unwrap();
    assert_eq!(equals[0].0.node, "Department");
    assert_eq!(equals[0].1.node, "Finance");
    assert_eq!(g.grant.name.as_ref().unwrap().node, "app-decrypt");

    let alias = &inv.aliases[0];
    assert_eq!(alias.name, "alias/kmsguard-shared");
    assert_eq!(
        alias.arn.as_deref(),
        Some("arn:aws:kms:us-east-1:111111111111:alias/kmsguard-shared")
    );
    assert_eq!(inv.find_key("alias/kmsguard-shared").unwrap().arn, k.arn);
}

#[test]
fn ami_and_snapshot_sharing() {
    for variant in ["correct", "broken"] {
        let (inv, _) = fixture(&format!("ami-cross-account.{variant}"));
        let k = key(&inv, "module.kms.aws_kms_key.this");
        let image = inv
            .images
            .iter()
            .find(|i| i.origin.location == "aws_ami_copy.shared")
            .unwrap();
        assert_eq!(image.id, "ami-aws_ami_copy.shared");
        assert_eq!(image.account.as_deref(), Some(ACCOUNT));
        let shared: Vec<_> = image
            .launch_permissions
            .accounts
            .iter()
            .map(|a| a.node.as_str())
            .collect();
        assert_eq!(shared, ["222222222222"]);
        assert!(!image.public);
        let [snap] = image.snapshots.as_slice() else {
            panic!("one snapshot")
        };
        assert!(snap.encrypted);
        assert_eq!(snap.kms_key.as_deref(), Some(k.arn.as_str()));
        assert!(unknown::contains(&snap.snapshot_id));

        let snapshot = &inv.snapshots[0];
        assert_eq!(snapshot.id, "snap-aws_ebs_snapshot.data");
        assert!(snapshot.encrypted);
        assert_eq!(snapshot.kms_key.as_ref().unwrap().node, k.arn);
        let shared: Vec<_> = snapshot
            .volume_permissions
            .accounts
            .iter()
            .map(|a| a.node.as_str())
            .collect();
        assert_eq!(shared, ["222222222222"]);
        assert_eq!(inv.volumes[0].kms_key.as_ref().unwrap().node, k.arn);

        let doc = k.policy.as_ref().unwrap();
        let partner_grants = doc
            .policy
            .statements
            .iter()
            .any(|s| s.node.label() == "AllowPartnerGrantsForEc2");
        assert_eq!(partner_grants, variant == "correct");
        assert_eq!(
            actions(statement(doc, "AllowPartnerUseOfSharedImages")),
            [
                "kms:DescribeKey",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKeyWithoutPlaintext"
            ]
        );
    }
}

#[test]
fn rotation_by_key_type() {
    for variant in ["correct", "broken"] {
        let (inv, text) = fixture(&format!("rotation.{variant}"));
        let symmetric = key(&inv, "module.kms.aws_kms_key.this");
        let rotation = symmetric.rotation_enabled.unwrap();
        assert_eq!(rotation.node, variant == "correct");
        assert_eq!(
            slice(&text, rotation.span),
            if rotation.node { "true" } else { "false" }
        );
        assert_eq!(
            line(&text, rotation.span.start),
            change_line(
                &text,
                "module.kms.aws_kms_key.this",
                "\"enable_key_rotation\""
            )
        );
        assert_eq!(symmetric.spec.as_deref(), Some("SYMMETRIC_DEFAULT"));
        assert_eq!(symmetric.multi_region, Some(true));
        // No policy in the configuration: KMS attaches the default key policy.
        let doc = symmetric.policy.as_ref().unwrap();
        assert!(doc.label.starts_with("default key policy"), "{}", doc.label);
        assert_eq!(
            statement(doc, "Enable IAM User Permissions")
                .sid
                .as_ref()
                .unwrap()
                .node,
            "Enable IAM User Permissions"
        );

        let signing = key(&inv, "aws_kms_key.signing");
        assert_eq!(signing.spec.as_deref(), Some("RSA_2048"));
        assert_eq!(signing.usage.as_deref(), Some("SIGN_VERIFY"));
        let hmac = key(&inv, "aws_kms_key.hmac[0]");
        assert_eq!(hmac.spec.as_deref(), Some("HMAC_256"));
        assert_eq!(
            hmac.arn,
            "arn:aws:kms:us-east-1:111111111111:key/aws_kms_key.hmac[0]"
        );

        let replica = key(&inv, "aws_kms_replica_key.this");
        assert_eq!(replica.primary_arn.as_deref(), Some(symmetric.arn.as_str()));
        assert_eq!(replica.region, "us-west-2");
        assert_eq!(replica.multi_region, Some(true));
        assert_eq!(replica.spec.as_deref(), Some("SYMMETRIC_DEFAULT"));
        assert!(replica.rotation_enabled.is_none());
    }
}

#[test]
fn key_admin_policy_and_attachments() {
    for variant in ["correct", "broken"] {
        let (inv, _) = fixture(&format!("key-admin.{variant}"));
        let k = key(&inv, "module.kms.aws_kms_key.this");
        let admin = statement(k.policy.as_ref().unwrap(), "KeyAdministration");
        let acts = actions(admin);
        if variant == "broken" {
            assert_eq!(acts, ["kms:*"]);
        } else {
            assert!(
                acts.iter().all(|a| a != "kms:*" && a != "kms:Decrypt"),
                "{acts:?}"
            );
        }
        let role = inv
            .find_identity("arn:aws:iam::111111111111:role/KeyAdmin")
            .unwrap();
        assert_eq!(role.unique_id.as_deref(), Some("AROAEXAMPLEKEYADMIN1"));
        let [attached] = role.attached_policies.as_slice() else {
            panic!("one attachment")
        };
        let managed = inv.find_managed_policy(&attached.node).unwrap();
        assert_eq!(
            managed.arn,
            "arn:aws:iam::111111111111:policy/kmsguard-key-admin"
        );
        assert_eq!(managed.doc.origin.location, "aws_iam_policy.key_admin");
    }
}

/// A plan with one resource change; `after`, `after_unknown` and the configuration's
/// expressions as given.
fn one_change(kind: &str, name: &str, after: &str, unknown: &str, expressions: &str) -> String {
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.8",
        "resource_changes":[{{"address":"{kind}.{name}","mode":"managed","type":"{kind}","name":"{name}",
          "change":{{"actions":["create"],"before":null,"after":{after},"after_unknown":{unknown}}}}}],
        "configuration":{{"root_module":{{"resources":[{{"address":"{kind}.{name}","mode":"managed",
          "type":"{kind}","name":"{name}","provider_config_key":"aws","expressions":{expressions}}}]}}}}}}"#
    )
}

#[test]
fn unknown_values_become_placeholders() {
    let text = one_change(
        "aws_s3_bucket_replication_configuration",
        "r",
        r#"{"bucket":"b","rule":[{"status":"Enabled","destination":[{"encryption_configuration":[{}]}]}]}"#,
        r#"{"role":true,"rule":[{"destination":[{"bucket":true,"encryption_configuration":[{"replica_kms_key_id":true}]}]}]}"#,
        r#"{"role":{"references":["local.role_arn"]},"rule":[{"destination":[{"bucket":{"references":["var.a","var.b"]}}]}]}"#,
    );
    let inv = plan(&text);
    assert!(errors(&inv).is_empty(), "{:?}", errors(&inv));
    let replication = inv.buckets[0].replication.as_ref().unwrap();
    assert!(unknown::contains(&replication.role.node));
    assert_eq!(
        unknown::describe(&replication.role.node),
        Some("after_unknown aws_s3_bucket_replication_configuration.r.role")
    );
    let rule = &replication.rules[0];
    assert!(unknown::contains(&rule.destination_bucket.node));
    assert!(unknown::contains(
        &rule.replica_kms_key.as_ref().unwrap().node
    ));
    // The placeholder points at the `after_unknown` entry.
    assert_eq!(slice(&text, replication.role.span), "true");
}

#[test]
fn an_unknown_policy_is_reported_not_guessed() {
    let text = one_change(
        "aws_kms_key",
        "k",
        r#"{"enable_key_rotation":true,"customer_master_key_spec":"SYMMETRIC_DEFAULT"}"#,
        r#"{"arn":true,"key_id":true,"policy":true}"#,
        r#"{"policy":{"references":["aws_iam_role.r.arn","aws_iam_role.r"]}}"#,
    );
    let inv = plan(&text);
    assert!(inv.keys[0].policy.is_none());
    assert_eq!(codes(&inv), ["P402"]);
    let d = &inv.diagnostics[0].1;
    assert_eq!(d.severity, Severity::Info);
    assert!(d.message.contains("aws_kms_key.k"), "{}", d.message);
}

#[test]
fn stand_ins_and_options_for_account_and_region() {
    let text = one_change(
        "aws_kms_key",
        "k",
        r#"{"policy":""}"#,
        r#"{"arn":true}"#,
        "{}",
    );
    let inv = plan(&text);
    assert_eq!(
        inv.keys[0].arn,
        "arn:aws:kms:us-east-1:000000000000:key/aws_kms_key.k"
    );
    assert_eq!(terraform::STAND_IN_ACCOUNT, "000000000000");
    let options = LoadOptions {
        account: Some("333333333333".to_owned()),
        region: Some("eu-west-1".to_owned()),
        state: Some(State::Current),
        ..LoadOptions::default()
    };
    let inv = read_text(Path::new("plan.json"), &text, &options);
    assert_eq!(
        inv.keys[0].arn,
        "arn:aws:kms:eu-west-1:333333333333:key/aws_kms_key.k"
    );
    assert_eq!(inv.keys[0].origin.state, State::Current);
}

#[test]
fn deleted_resources_are_not_in_the_proposed_world() {
    let text = r#"{"format_version":"1.2","resource_changes":[
        {"address":"aws_kms_key.old","mode":"managed","type":"aws_kms_key","name":"old",
         "change":{"actions":["delete"],"before":{"arn":"arn:aws:kms:us-east-1:111111111111:key/x"},"after":null,"after_unknown":{}}},
        {"address":"aws_kms_key.kept","mode":"managed","type":"aws_kms_key","name":"kept",
         "change":{"actions":["no-op"],"before":{},"after":{"arn":"arn:aws:kms:eu-central-1:444444444444:key/1234","key_id":"1234","policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444444444444:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"},"after_unknown":{}}}]}"#;
    let inv = plan(text);
    assert_eq!(inv.keys.len(), 1);
    let k = &inv.keys[0];
    assert_eq!(
        (k.id.as_str(), k.account.as_str(), k.region.as_str()),
        ("1234", "444444444444", "eu-central-1")
    );
    assert_eq!(k.policy.as_ref().unwrap().policy.statements.len(), 1);
}

#[test]
fn a_malformed_embedded_policy_is_reported_inside_the_string() {
    let text = one_change(
        "aws_iam_policy",
        "p",
        r#"{"name":"p","policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Alow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}"}"#,
        r#"{"arn":true}"#,
        "{}",
    );
    let inv = plan(&text);
    let errs: Vec<_> = inv
        .diagnostics
        .iter()
        .filter(|(_, d)| d.severity == Severity::Error)
        .collect();
    assert_eq!(errs.len(), 1, "{:?}", inv.diagnostics);
    assert_eq!(errs[0].1.code.as_str(), "P107");
    assert_eq!(slice(&text, errs[0].1.primary_span()), r#"\"Alow\""#);
    assert!(inv.managed_policies[0].doc.has_errors);
    assert_eq!(
        inv.managed_policies[0].arn,
        "arn:aws:iam::000000000000:policy/p"
    );

    let broken_json = one_change(
        "aws_iam_policy",
        "p",
        r#"{"name":"p","policy":"{\"Version\":"}"#,
        "{}",
        "{}",
    );
    let inv = plan(&broken_json);
    assert_eq!(codes(&inv), ["P003"]);
    assert!(inv.managed_policies.is_empty());
}

#[test]
fn references_through_module_outputs_and_variables() {
    // A key in module.kms; the root passes its ARN into module.app through a variable, and
    // module.app's role policy attachment refers to the variable.
    let text = r#"{"format_version":"1.2",
      "variables":{"region":{"value":"ap-southeast-2"}},
      "resource_changes":[
        {"address":"module.kms.aws_kms_key.this","module_address":"module.kms","mode":"managed","type":"aws_kms_key","name":"this",
         "change":{"actions":["create"],"after":{"policy":""},"after_unknown":{"arn":true,"key_id":true}}},
        {"address":"module.app.aws_s3_bucket_server_side_encryption_configuration.this","module_address":"module.app","mode":"managed",
         "type":"aws_s3_bucket_server_side_encryption_configuration","name":"this",
         "change":{"actions":["create"],"after":{"bucket":"app-data","rule":[{"apply_server_side_encryption_by_default":[{"sse_algorithm":"aws:kms"}]}]},
                   "after_unknown":{"rule":[{"apply_server_side_encryption_by_default":[{"kms_master_key_id":true}]}]}}}],
      "configuration":{"provider_config":{"aws":{"name":"aws","expressions":{"region":{"references":["var.region"]}}}},
        "root_module":{"module_calls":{
          "kms":{"module":{"outputs":{"key_arn":{"expression":{"references":["aws_kms_key.this.arn","aws_kms_key.this"]}}},
                 "resources":[{"address":"aws_kms_key.this","mode":"managed","type":"aws_kms_key","name":"this","provider_config_key":"aws","expressions":{}}]}},
          "app":{"expressions":{"key_arn":{"references":["module.kms.key_arn","module.kms"]}},
                 "module":{"resources":[{"address":"aws_s3_bucket_server_side_encryption_configuration.this","mode":"managed",
                   "type":"aws_s3_bucket_server_side_encryption_configuration","name":"this","provider_config_key":"aws",
                   "expressions":{"rule":[{"apply_server_side_encryption_by_default":[{"kms_master_key_id":{"references":["var.key_arn"]}}]}]}}]}}}}}}"#;
    let inv = plan(text);
    assert!(errors(&inv).is_empty(), "{:?}", errors(&inv));
    let k = key(&inv, "module.kms.aws_kms_key.this");
    assert_eq!(
        k.arn,
        "arn:aws:kms:ap-southeast-2:000000000000:key/module.kms.aws_kms_key.this"
    );
    let bucket = inv.find_bucket("app-data").unwrap();
    assert_eq!(
        bucket
            .encryption
            .as_ref()
            .unwrap()
            .kms_key
            .as_ref()
            .unwrap()
            .node,
        k.arn
    );
}

#[test]
fn not_a_plan() {
    let inv = read_text(
        Path::new("x.json"),
        "[1, 2]",
        &LoadOptions {
            format: Some(SourceFormat::Terraform),
            ..LoadOptions::default()
        },
    );
    assert_eq!(codes(&inv), ["P401"]);
    let inv = plan(r#"{"format_version":"2.0","resource_changes":{}}"#);
    assert_eq!(codes(&inv), ["P403", "P401"]);
    let inv = plan(r#"{"resource_changes": [1, {"address": 2}"#);
    assert_eq!(codes(&inv), ["P003"]);
}

fn arbitrary_cut(text: &str, at: usize) -> &str {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

fn read_forced(text: &str) -> Inventory {
    read_text(
        Path::new("plan.json"),
        text,
        &LoadOptions {
            format: Some(SourceFormat::Terraform),
            ..LoadOptions::default()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn truncated_plans_never_panic(fixture_index in 0usize..10, cut in 0usize..60_000) {
        let scenario = SCENARIOS[fixture_index / 2];
        let variant = if fixture_index % 2 == 0 { "correct" } else { "broken" };
        let text = std::fs::read_to_string(fixture_path(&format!("{scenario}.{variant}"))).unwrap();
        let _ = read_forced(arbitrary_cut(&text, cut));
    }

    #[test]
    fn mutated_plans_never_panic(
        fixture_index in 0usize..10,
        at in 0usize..60_000,
        len in 0usize..40,
        insert in "[\\[\\]{}\":,0-9a-z_. \\\\]{0,12}",
    ) {
        let scenario = SCENARIOS[fixture_index / 2];
        let variant = if fixture_index % 2 == 0 { "correct" } else { "broken" };
        let text = std::fs::read_to_string(fixture_path(&format!("{scenario}.{variant}"))).unwrap();
        let start = arbitrary_cut(&text, at).len();
        let end = arbitrary_cut(&text, start + len).len();
        let mutated = format!("{}{}{}", &text[..start], insert, &text[end..]);
        let _ = read_forced(&mutated);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = read_forced(&text);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value as J;
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        (-3i64..70_000).prop_map(J::from),
        prop::sample::select(vec![
            "",
            "true",
            "Enabled",
            "aws:kms",
            "*",
            "arn:aws:kms:us-east-1:111111111111:key/k",
            "aws_kms_key.this.arn",
            "var.x",
            "module.kms.key_arn",
            "module.kms",
            "local.y",
            "data.aws_iam_policy_document.d.json",
            "{\"Statement\":[]}",
            "{",
            "\u{27ea}x",
            "aws_kms_key.this[\"a.b\"].arn",
            "module.a[0].module.b",
        ])
        .prop_map(|s| J::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        let key = prop::sample::select(vec![
            "after",
            "after_unknown",
            "references",
            "constant_value",
            "address",
            "policy",
            "rule",
            "destination",
            "statement",
            "resources",
            "module_calls",
            "module",
            "outputs",
            "expression",
            "expressions",
            "key_id",
            "bucket",
            "role",
            "type",
            "mode",
            "change",
            "module_address",
            "value",
            "region",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec((key, inner), 0..4).prop_map(|members| {
                serde_json::Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// Replaces the `n`-th value (in pre-order) of `root` with `with`.
fn replace_nth(root: &mut serde_json::Value, n: &mut usize, with: &serde_json::Value) -> bool {
    if *n == 0 {
        *root = with.clone();
        return true;
    }
    *n -= 1;
    match root {
        serde_json::Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, n, with)),
        serde_json::Value::Object(members) => members.values_mut().any(|v| replace_nth(v, n, with)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Well-formed JSON of the wrong shape anywhere in a plan: `read` reports or ignores it,
    /// never panics, and never reports an error for a value that is merely unknown.
    #[test]
    fn any_value_anywhere_never_panics(fixture_index in 0usize..10, at in 0usize..3_000, with in json_value()) {
        let scenario = SCENARIOS[fixture_index / 2];
        let variant = if fixture_index % 2 == 0 { "correct" } else { "broken" };
        let text = std::fs::read_to_string(fixture_path(&format!("{scenario}.{variant}"))).unwrap();
        let mut root: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut n = at;
        replace_nth(&mut root, &mut n, &with);
        let _ = read_forced(&serde_json::to_string_pretty(&root).unwrap());
    }
}

#[test]
fn an_unknown_value_built_from_known_ones_stays_unknown() {
    // `name = "${var.prefix}-${uuid()}"`: its only reference is known, so it is no copy of it.
    let text = r#"{"format_version":"1.2","variables":{"prefix":{"value":"app"}},
      "resource_changes":[{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r",
        "change":{"actions":["create"],"after":{"path":"/"},"after_unknown":{"name":true,"arn":true}}}],
      "configuration":{"root_module":{"resources":[{"address":"aws_iam_role.r","mode":"managed",
        "type":"aws_iam_role","name":"r","expressions":{"name":{"references":["var.prefix"]}}}]}}}"#;
    let inv = plan(text);
    let role = &inv.identities[0];
    // The name is unknown, so the role is named after its address.
    assert_eq!(role.name, "aws_iam_role.r");
    assert_eq!(role.arn, "arn:aws:iam::000000000000:role/aws_iam_role.r");
}

#[test]
fn a_reference_to_one_of_several_instances_is_ambiguous() {
    let key = |i: u8| {
        format!(
            r#"{{"address":"aws_kms_key.k[{i}]","mode":"managed","type":"aws_kms_key","name":"k","index":{i},
            "change":{{"actions":["create"],"after":{{"policy":""}},"after_unknown":{{"arn":true,"key_id":true}}}}}}"#
        )
    };
    let text = format!(
        r#"{{"format_version":"1.2","resource_changes":[{},{},
          {{"address":"aws_kms_alias.a","mode":"managed","type":"aws_kms_alias","name":"a",
           "change":{{"actions":["create"],"after":{{"name":"alias/a"}},"after_unknown":{{"target_key_id":true}}}}}},
          {{"address":"aws_kms_alias.b","mode":"managed","type":"aws_kms_alias","name":"b",
           "change":{{"actions":["create"],"after":{{"name":"alias/b"}},"after_unknown":{{"target_key_id":true}}}}}}],
          "configuration":{{"root_module":{{"resources":[
            {{"address":"aws_kms_alias.a","mode":"managed","type":"aws_kms_alias","name":"a",
              "expressions":{{"target_key_id":{{"references":["aws_kms_key.k[1].key_id","aws_kms_key.k[1]","aws_kms_key.k"]}}}}}},
            {{"address":"aws_kms_alias.b","mode":"managed","type":"aws_kms_alias","name":"b",
              "expressions":{{"target_key_id":{{"references":["aws_kms_key.k","count.index"]}}}}}}]}}}}}}"#,
        key(0),
        key(1)
    );
    let inv = plan(&text);
    assert_eq!(inv.keys.len(), 2);
    assert_eq!(
        inv.aliases[0].target_key.as_deref(),
        Some("aws_kms_key.k[1]")
    );
    assert_eq!(
        inv.find_key("alias/a").unwrap().arn,
        "arn:aws:kms:us-east-1:000000000000:key/aws_kms_key.k[1]"
    );
    assert!(unknown::contains(
        inv.aliases[1].target_key.as_deref().unwrap()
    ));
}

#[test]
fn inline_blocks_of_older_providers() {
    let text = one_change(
        "aws_s3_bucket",
        "legacy",
        r#"{"bucket":"legacy-bucket","versioning":[{"enabled":true}],
            "server_side_encryption_configuration":[{"rule":[{"apply_server_side_encryption_by_default":[{"sse_algorithm":"aws:kms","kms_master_key_id":"alias/data"}],"bucket_key_enabled":false}]}],
            "replication_configuration":[{"role":"arn:aws:iam::111111111111:role/rep","rules":[{"id":"r","status":"Enabled",
              "destination":[{"bucket":"arn:aws:s3:::dst","replica_kms_key_id":"arn:aws:kms:us-west-2:111111111111:key/r","account_id":""}],
              "source_selection_criteria":[{"sse_kms_encrypted_objects":[{"enabled":true}]}]}]}],
            "policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::legacy-bucket/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"}"#,
        r#"{"arn":true}"#,
        r#"{"bucket":{"constant_value":"legacy-bucket"}}"#,
    );
    let inv = plan(&text);
    assert!(errors(&inv).is_empty(), "{:?}", errors(&inv));
    let b = &inv.buckets[0];
    assert_eq!(b.versioning_enabled, Some(true));
    assert_eq!(
        b.encryption
            .as_ref()
            .unwrap()
            .kms_key
            .as_ref()
            .unwrap()
            .node,
        "alias/data"
    );
    let rule = &b.replication.as_ref().unwrap().rules[0];
    assert_eq!(rule.sse_kms_encrypted_objects.map(|s| s.node), Some(true));
    assert_eq!(
        rule.replica_kms_key.as_ref().unwrap().node,
        "arn:aws:kms:us-west-2:111111111111:key/r"
    );
    assert_eq!(rule.destination_account, None);
    assert_eq!(b.policy.as_ref().unwrap().policy.statements.len(), 1);
}

/// Wrong types in every place a plan value is read (nulls, numbers, objects for strings).
#[test]
fn wrong_types_never_panic() {
    let mut text = std::fs::read_to_string(fixture_path("s3-replication-sse-kms.correct")).unwrap();
    for (from, to) in [
        ("\"Enabled\"", "null"),
        ("true", "{}"),
        ("\"aws:kms\"", "[1]"),
        ("[]", "\"x\""),
    ] {
        text = text.replace(from, to);
        let _ = read_forced(&text);
    }
}

/// A role policy built by a `data.aws_iam_policy_document` read at apply time, with
/// `statement` blocks given as `after` values and the configuration's expressions.
fn document_plan(statement_after: &str, statement_unknown: &str, statement_config: &str) -> String {
    format!(
        r#"{{"format_version":"1.2","resource_changes":[
          {{"address":"aws_kms_key.k","mode":"managed","type":"aws_kms_key","name":"k",
            "change":{{"actions":["create"],"after":{{"policy":""}},"after_unknown":{{"arn":true,"key_id":true}}}}}},
          {{"address":"data.aws_iam_policy_document.d","mode":"data","type":"aws_iam_policy_document","name":"d",
            "change":{{"actions":["read"],"after":{{"version":"2012-10-17","statement":{statement_after}}},
                       "after_unknown":{{"json":true,"statement":{statement_unknown}}}}}}},
          {{"address":"aws_iam_role_policy.a","mode":"managed","type":"aws_iam_role_policy","name":"a",
            "change":{{"actions":["create"],"after":{{"name":"a","role":"r"}},"after_unknown":{{"policy":true}}}}}},
          {{"address":"aws_iam_role_policy.b","mode":"managed","type":"aws_iam_role_policy","name":"b",
            "change":{{"actions":["create"],"after":{{"name":"b","role":"r"}},"after_unknown":{{"policy":true}}}}}}],
          "configuration":{{"root_module":{{"resources":[
            {{"address":"aws_kms_key.k","mode":"managed","type":"aws_kms_key","name":"k","expressions":{{"policy":{{}}}}}},
            {{"address":"data.aws_iam_policy_document.d","mode":"data","type":"aws_iam_policy_document","name":"d",
              "expressions":{{"statement":{statement_config}}}}},
            {{"address":"aws_iam_role_policy.a","mode":"managed","type":"aws_iam_role_policy","name":"a",
              "expressions":{{"policy":{{"references":["data.aws_iam_policy_document.d.json","data.aws_iam_policy_document.d"]}}}}}},
            {{"address":"aws_iam_role_policy.b","mode":"managed","type":"aws_iam_role_policy","name":"b",
              "expressions":{{"policy":{{"references":["data.aws_iam_policy_document.d.json","data.aws_iam_policy_document.d"]}}}}}}]}}}}}}"#
    )
}

#[test]
fn a_rebuilt_document_is_read_once_per_use_and_reported_once() {
    let text = document_plan(
        r#"[{"sid":"Use","effect":"Allow","actions":["kms:Decrypt","kmsDecrypt"]}]"#,
        r#"[{"resources":true}]"#,
        r#"[{"resources":{"references":["aws_kms_key.k.arn","aws_kms_key.k"]}}]"#,
    );
    let inv = plan(&text);
    let role = &inv.identities[0];
    assert_eq!(inv.identities.len(), 1);
    assert_eq!(role.inline_policies.len(), 2);
    for doc in &role.inline_policies {
        assert_eq!(
            resources(statement(doc, "Use")),
            ["arn:aws:kms:us-east-1:000000000000:key/aws_kms_key.k"]
        );
    }
    // The malformed action is reported once although the document is read for both policies.
    assert_eq!(codes(&inv), ["P114"]);
    assert!(role.inline_policies.iter().all(|d| d.has_errors));
    let mut seen = std::collections::HashSet::new();
    for (_, d) in &inv.diagnostics {
        assert!(
            seen.insert((d.code, d.primary_span(), d.message.clone())),
            "{d:?}"
        );
    }
}

#[test]
fn a_document_with_an_unknown_effect_is_not_rebuilt() {
    let text = document_plan(
        r#"[{"sid":"Use","actions":["kms:Decrypt"],"resources":["*"]}]"#,
        r#"[{"effect":true}]"#,
        r#"[{"effect":{"references":["var.effect"]}}]"#,
    );
    let inv = plan(&text);
    assert!(inv.identities.iter().all(|i| i.inline_policies.is_empty()));
    assert!(errors(&inv).is_empty(), "{:?}", errors(&inv));
    assert_eq!(codes(&inv), ["P402", "P402"]);
}

/// The scenario checks find each broken plan's mistake on the model this reader builds, and
/// nothing in the correct plans.
#[test]
fn scenario_checks_find_the_mistakes() {
    // (scenario, the check the broken plan fails). The image-sharing check (S202) is left out
    // while it concludes nothing for a key policy that names the target account's root.
    for (scenario, code) in [("s3-replication-sse-kms", "S105"), ("rotation", "S401")] {
        for variant in ["correct", "broken"] {
            let (inv, text) = fixture(&format!("{scenario}.{variant}"));
            let found: Vec<_> = kmsguard_inventory::scenarios::run(&inv)
                .into_iter()
                .map(|f| {
                    (
                        f.diagnostic.code.as_str(),
                        line(&text, f.diagnostic.primary_span().start),
                    )
                })
                .collect();
            if variant == "broken" {
                assert_eq!(found.len(), 1, "{scenario}: {found:?}");
                assert_eq!(found[0].0, code, "{scenario}: {found:?}");
            } else {
                assert!(found.is_empty(), "{scenario}: {found:?}");
            }
        }
    }
    let (inv, _) = fixture("ami-cross-account.correct");
    assert!(kmsguard_inventory::scenarios::run(&inv).is_empty());
}
