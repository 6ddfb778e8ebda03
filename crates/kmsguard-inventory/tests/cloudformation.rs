//! CloudFormation templates to the inventory: the fixtures of `fixtures/cloudformation` give
//! the expected keys, policies, roles, buckets and replication rules, with spans on the lines
//! a finding should land on; malformed input gives a positioned diagnostic, never a panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use kmsguard_inventory::cloudformation::{self, codes};
use kmsguard_inventory::{
    IdentityKind, Inventory, Key, LoadOptions, SourceFormat, State, read_file,
};
use kmsguard_syntax::ast::{Effect, PolicyKind, PrincipalEntry, Principals, Statement};
use kmsguard_syntax::{Diagnostic, Severity, Span, Spanned, unknown};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cloudformation")
        .join(name)
}

fn load_with(name: &str, options: &LoadOptions) -> Inventory {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut inv = Inventory::default();
    read_file(&mut inv, &path, text, options);
    inv
}

fn load(name: &str) -> Inventory {
    load_with(name, &LoadOptions::default())
}

/// Reads `text` as the file `name`.
fn read_text(name: &str, text: &str) -> Inventory {
    let mut inv = Inventory::default();
    read_file(
        &mut inv,
        Path::new(name),
        text.to_owned(),
        &LoadOptions::default(),
    );
    inv
}

/// The 1-based line a span starts on.
fn line(inv: &Inventory, span: Span) -> usize {
    inv.files[0].line_col(span.start).line
}

/// The text a span covers.
fn slice(inv: &Inventory, span: Span) -> &str {
    inv.files[0].slice(span)
}

fn diagnostics(inv: &Inventory) -> Vec<&Diagnostic> {
    inv.diagnostics.iter().map(|(_, d)| d).collect()
}

fn assert_clean(inv: &Inventory) {
    let ds = diagnostics(inv);
    assert!(ds.is_empty(), "unexpected diagnostics: {ds:#?}");
}

fn key<'i>(inv: &'i Inventory, id: &str) -> &'i Key {
    inv.keys.iter().find(|k| k.id == id).unwrap()
}

fn statement<'k>(key: &'k Key, sid: &str) -> &'k Spanned<Statement> {
    key.policy
        .as_ref()
        .unwrap()
        .policy
        .statements
        .iter()
        .find(|s| s.node.sid.as_ref().is_some_and(|x| x.node == sid))
        .unwrap()
}

fn actions(s: &Statement) -> Vec<String> {
    s.action
        .as_ref()
        .unwrap()
        .patterns()
        .node
        .iter()
        .map(|a| a.node.text().to_owned())
        .collect()
}

fn resources(s: &Statement) -> Vec<String> {
    s.resource
        .as_ref()
        .unwrap()
        .patterns()
        .node
        .iter()
        .map(|r| r.node.template.raw.clone())
        .collect()
}

/// The `AWS` principal values of a statement (`*` for `Principal: "*"`).
fn aws_principals(s: &Statement) -> Vec<(String, Span)> {
    let p = s.principal.as_ref().unwrap().principals();
    match &p.node {
        Principals::Any => vec![("*".to_owned(), p.span)],
        Principals::Map(entries) => entries
            .iter()
            .filter_map(|e| match e {
                PrincipalEntry::Aws(list) => Some(list),
                _ => None,
            })
            .flat_map(|list| list.node.iter().map(|a| (a.node.text.clone(), a.span)))
            .collect(),
    }
}

const ACCOUNT: &str = cloudformation::STAND_IN_ACCOUNT;

#[test]
fn replication_template_gives_keys_role_buckets_and_rules() {
    let inv = load("replication-sse-kms.yaml");
    assert_clean(&inv);
    let source_key_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/SourceKey");
    let replica_key_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/DestinationKey");

    assert_eq!(inv.keys.len(), 2);
    let source = key(&inv, "SourceKey");
    assert_eq!(source.arn, source_key_arn);
    assert_eq!(source.account, ACCOUNT);
    assert_eq!(source.spec.as_deref(), Some("SYMMETRIC_DEFAULT"));
    assert_eq!(source.state.as_deref(), Some("Enabled"));
    assert_eq!(source.origin.location, "Resources.SourceKey");
    assert_eq!(source.origin.state, State::Proposed);
    assert_eq!(line(&inv, source.origin.span), 13);
    let rotation = source.rotation_enabled.unwrap();
    assert!(rotation.node);
    assert_eq!(line(&inv, rotation.span), 17);
    let policy = source.policy.as_ref().unwrap();
    assert_eq!(policy.kind(), PolicyKind::Key);
    assert!(!policy.has_errors);
    assert_eq!(policy.label, "SourceKey (AWS::KMS::Key) KeyPolicy");
    assert_eq!(
        policy.origin.location,
        "Resources.SourceKey.Properties.KeyPolicy"
    );
    assert_eq!(line(&inv, policy.origin.span), 19);
    let root = statement(source, "EnableIamPolicies");
    assert_eq!(
        aws_principals(&root.node)[0].0,
        format!("arn:aws:iam::{ACCOUNT}:root")
    );
    assert_eq!(line(&inv, aws_principals(&root.node)[0].1), 24);

    let role = inv
        .identities
        .iter()
        .find(|i| i.name == "ReplicationRole")
        .unwrap();
    assert_eq!(role.kind, IdentityKind::Role);
    assert_eq!(
        role.arn,
        format!("arn:aws:iam::{ACCOUNT}:role/ReplicationRole")
    );
    let trust = role.trust_policy.as_ref().unwrap();
    assert_eq!(trust.kind(), PolicyKind::Trust);
    assert_eq!(role.inline_policies.len(), 1);
    let inline = &role.inline_policies[0];
    assert_eq!(inline.kind(), PolicyKind::Identity);
    assert_eq!(
        inline.label,
        "ReplicationRole (AWS::IAM::Role) policy replication"
    );
    assert_eq!(
        inline.origin.location,
        "Resources.ReplicationRole.Properties.Policies[0].PolicyDocument"
    );
    let statements = &inline.policy.statements;
    assert_eq!(statements.len(), 5);
    let encrypt = statements
        .iter()
        .find(|s| s.node.sid.as_ref().unwrap().node == "EncryptReplicas")
        .unwrap();
    assert_eq!(line(&inv, encrypt.span), 102);
    assert_eq!(
        actions(&encrypt.node),
        ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    );
    assert_eq!(
        resources(&encrypt.node),
        std::slice::from_ref(&replica_key_arn)
    );
    let write = statements
        .iter()
        .find(|s| s.node.sid.as_ref().unwrap().node == "WriteReplicas")
        .unwrap();
    assert_eq!(
        resources(&write.node),
        [format!("arn:aws:s3:::prod-replica-{ACCOUNT}/*")]
    );

    let source_bucket = inv.find_bucket(&format!("prod-source-{ACCOUNT}")).unwrap();
    assert_eq!(source_bucket.versioning_enabled, Some(true));
    let enc = source_bucket.encryption.as_ref().unwrap();
    assert_eq!(enc.algorithm.node, "aws:kms");
    assert_eq!(enc.kms_key.as_ref().unwrap().node, source_key_arn);
    assert!(enc.bucket_key_enabled);
    let replication = source_bucket.replication.as_ref().unwrap();
    assert_eq!(replication.role.node, role.arn);
    assert_eq!(replication.rules.len(), 1);
    let rule = &replication.rules[0];
    assert!(rule.enabled);
    assert_eq!(rule.id.as_deref(), Some("replicate-all"));
    assert_eq!(rule.sse_kms_encrypted_objects.map(|s| s.node), Some(true));
    assert_eq!(
        rule.destination_bucket.node,
        format!("arn:aws:s3:::prod-replica-{ACCOUNT}")
    );
    let replica_key = rule.replica_kms_key.as_ref().unwrap();
    assert_eq!(replica_key.node, replica_key_arn);
    assert_eq!(line(&inv, replica_key.span), 140);
    assert_eq!(slice(&inv, replica_key.span), "!GetAtt DestinationKey.Arn");
    assert!(inv.find_key(&replica_key.node).is_some());
    let destination = inv.find_bucket(&rule.destination_bucket.node).unwrap();
    assert_eq!(destination.versioning_enabled, Some(true));
}

#[test]
fn broken_replication_role_lacks_encrypt_on_the_replica_key() {
    let inv = load("replication-sse-kms-broken.yaml");
    assert_clean(&inv);
    let role = inv
        .identities
        .iter()
        .find(|i| i.name == "ReplicationRole")
        .unwrap();
    let encrypt = role.inline_policies[0]
        .policy
        .statements
        .iter()
        .find(|s| s.node.sid.as_ref().unwrap().node == "EncryptReplicas")
        .unwrap();
    assert_eq!(line(&inv, encrypt.span), 104);
    assert_eq!(actions(&encrypt.node), ["kms:Decrypt"]);
    let rule = &inv
        .buckets
        .iter()
        .find_map(|b| b.replication.as_ref())
        .unwrap()
        .rules[0];
    assert_eq!(line(&inv, rule.replica_kms_key.as_ref().unwrap().span), 139);
}

#[test]
fn ami_sharing_json_template() {
    let inv = load("ami-sharing-key.json");
    assert_clean(&inv);
    let k = key(&inv, "AmiKey");
    assert_eq!(k.rotation_enabled.map(|r| r.node), Some(true));
    let share = statement(k, "AllowTargetAccountToUseTheKey");
    assert_eq!(line(&inv, share.span), 29);
    let (principal, span) = &aws_principals(&share.node)[0];
    assert_eq!(principal, "arn:aws:iam::222222222222:root");
    assert_eq!(line(&inv, *span), 32);
    let grant = statement(k, "AllowTargetAccountToCreateGrantsForEc2");
    assert_eq!(actions(&grant.node), ["kms:CreateGrant"]);
    assert_eq!(grant.node.conditions.len(), 1);
    assert_eq!(line(&inv, grant.span), 42);
    // The alias resolves to the key.
    assert_eq!(inv.aliases[0].name, "alias/shared-ami");
    assert_eq!(inv.aliases[0].target_key.as_deref(), Some("AmiKey"));
    assert_eq!(inv.find_key("alias/shared-ami").unwrap().arn, k.arn);

    let broken = load("ami-sharing-key-broken.json");
    assert_clean(&broken);
    let k = key(&broken, "AmiKey");
    let statements = &k.policy.as_ref().unwrap().policy.statements;
    assert_eq!(statements.len(), 2);
    assert!(
        statements
            .iter()
            .all(|s| !actions(&s.node).iter().any(|a| a == "kms:CreateGrant"))
    );
    assert_eq!(line(&broken, statements[1].span), 29);
}

#[test]
fn public_key_is_conditioned_in_the_correct_template() {
    let inv = load("public-key.yaml");
    assert_clean(&inv);
    let k = key(&inv, "SharedDataKey");
    let org = statement(k, "AllowDecryptFromTheOrganization");
    assert_eq!(aws_principals(&org.node)[0].0, "*");
    assert_eq!(org.node.conditions.len(), 1);
    assert_eq!(
        org.node.conditions[0].values.node[0].node.template.raw,
        "o-a1b2c3d4e5"
    );
    let caller = statement(k, "AllowDescribeFromThisAccount");
    assert_eq!(
        caller.node.conditions[0].values.node[0].node.template.raw,
        ACCOUNT
    );

    let broken = load("public-key-broken.yaml");
    assert_clean(&broken);
    let k = key(&broken, "SharedDataKey");
    let open = statement(k, "AllowDecryptFromTheOrganization");
    assert_eq!(open.node.effect.node, Effect::Allow);
    assert!(open.node.conditions.is_empty());
    assert_eq!(line(&broken, open.span), 19);
    let (principal, span) = &aws_principals(&open.node)[0];
    assert_eq!(principal, "*");
    assert_eq!(line(&broken, *span), 22);
    assert_eq!(slice(&broken, *span), "\"*\"");
}

#[test]
fn rotation_follows_the_key_type() {
    let inv = load("rotation-by-key-type.yaml");
    assert_clean(&inv);
    let data = key(&inv, "DataKey");
    assert_eq!(data.spec.as_deref(), Some("SYMMETRIC_DEFAULT"));
    assert_eq!(data.rotation_enabled.map(|r| r.node), Some(true));
    let signing = key(&inv, "SigningKey");
    assert_eq!(signing.spec.as_deref(), Some("RSA_2048"));
    assert_eq!(signing.usage.as_deref(), Some("SIGN_VERIFY"));
    assert_eq!(signing.rotation_enabled.map(|r| r.node), Some(false));
    let mac = key(&inv, "TokenMacKey");
    assert_eq!(mac.spec.as_deref(), Some("HMAC_256"));
    assert_eq!(mac.usage.as_deref(), Some("GENERATE_VERIFY_MAC"));
    assert_eq!(mac.rotation_enabled.map(|r| r.node), Some(false));

    let broken = load("rotation-by-key-type-broken.yaml");
    assert_clean(&broken);
    let data = key(&broken, "DataKey");
    assert_eq!(data.key_origin.as_deref(), Some("AWS_KMS"));
    let rotation = data.rotation_enabled.unwrap();
    assert!(!rotation.node);
    // No `EnableKeyRotation`: the finding lands on the key's logical id.
    assert_eq!(line(&broken, rotation.span), 5);
    assert_eq!(slice(&broken, rotation.span), "DataKey");
}

#[test]
fn key_admin_statement() {
    let inv = load("key-admin-separation.yaml");
    assert_clean(&inv);
    let k = key(&inv, "OrdersKey");
    let admin = statement(k, "AllowKeyAdministration");
    assert_eq!(
        aws_principals(&admin.node)[0].0,
        format!("arn:aws:iam::{ACCOUNT}:role/KeyAdmin")
    );
    let acts = actions(&admin.node);
    assert!(acts.contains(&"kms:PutKeyPolicy".to_owned()));
    assert!(!acts.iter().any(|a| a == "kms:*" || a == "kms:Decrypt"));
    assert!(
        inv.find_identity(&aws_principals(&admin.node)[0].0)
            .is_some()
    );
    let app = statement(k, "AllowUseByTheApplication");
    assert_eq!(
        aws_principals(&app.node)[0].0,
        format!("arn:aws:iam::{ACCOUNT}:role/OrdersService")
    );

    let broken = load("key-admin-separation-broken.yaml");
    assert_clean(&broken);
    let admin = statement(key(&broken, "OrdersKey"), "AllowKeyAdministration");
    assert_eq!(actions(&admin.node), ["kms:*"]);
    let action_span = admin.node.action.as_ref().unwrap().patterns().node[0].span;
    assert_eq!(line(&broken, action_span), 48);
}

#[test]
fn account_region_and_state_options() {
    let options = LoadOptions {
        account: Some("111122223333".into()),
        region: Some("eu-west-1".into()),
        state: Some(State::Current),
        format: None,
    };
    let inv = load_with("rotation-by-key-type.yaml", &options);
    let k = key(&inv, "DataKey");
    assert_eq!(k.arn, "arn:aws:kms:eu-west-1:111122223333:key/DataKey");
    assert_eq!(k.region, "eu-west-1");
    assert_eq!(k.origin.state, State::Current);
    let root = statement(k, "EnableIamPolicies");
    assert_eq!(
        aws_principals(&root.node)[0].0,
        "arn:aws:iam::111122223333:root"
    );
}

#[test]
fn templates_are_recognised() {
    for name in [
        "replication-sse-kms.yaml",
        "ami-sharing-key.json",
        "public-key.yaml",
    ] {
        let path = fixture_path(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            SourceFormat::detect(&path, &text),
            SourceFormat::CloudFormation
        );
        assert!(cloudformation::looks_like_template(&text), "{name}");
    }
    assert!(!cloudformation::looks_like_template(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#
    ));
    assert!(cloudformation::looks_like_template(
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n"
    ));
}

#[test]
fn malformed_yaml_gives_one_positioned_diagnostic() {
    let text = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n   Properties: {}\n";
    let inv = read_text("t.yaml", text);
    let ds = diagnostics(&inv);
    assert_eq!(ds.len(), 1, "{ds:#?}");
    assert_eq!(ds[0].code, codes::P301);
    let at = inv.files[0].line_col(ds[0].primary_span().start);
    assert_eq!((at.line, at.column), (4, 4));
    assert!(inv.keys.is_empty());

    // Non-ASCII text before the error: the column counts characters, the span is in bytes.
    let text = "# ключ ✓\nResources: {Key: [\n";
    let inv = read_text("t.yaml", text);
    let ds = diagnostics(&inv);
    assert_eq!(ds.len(), 1);
    let span = ds[0].primary_span();
    assert!(text.is_char_boundary(span.start as usize));
    let at = inv.files[0].line_col(span.start);
    assert_eq!(at.line, 3);
}

#[test]
fn malformed_json_gives_one_positioned_diagnostic() {
    let text = "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Key\": {\"Type\": \"AWS::KMS::Key\",}\n  }\n}\n";
    let inv = read_text("t.json", text);
    let ds = diagnostics(&inv);
    assert_eq!(ds.len(), 1, "{ds:#?}");
    assert_eq!(ds[0].code.as_str(), "P003");
    let at = inv.files[0].line_col(ds[0].primary_span().start);
    // The `}` after the trailing comma.
    assert_eq!((at.line, at.column), (4, 37));
}

#[test]
fn yaml_spans_after_non_ascii_text_land_on_the_right_place() {
    let text = "# Schlüssel für Bestellungen — ключ ✓\nDescription: \"Größe ≥ 1\"\nResources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: Ünïcode\n            Effect: Alow\n            Principal: {AWS: \"*\"}\n            Action: kms:Decrypt\n            Resource: \"*\"\n";
    let inv = read_text("t.yaml", text);
    let ds = diagnostics(&inv);
    let effect = ds.iter().find(|d| d.code.as_str() == "P107").unwrap();
    assert_eq!(slice(&inv, effect.primary_span()), "Alow");
    assert_eq!(line(&inv, effect.primary_span()), 11);
    assert!(inv.keys[0].policy.as_ref().unwrap().has_errors);
}

#[test]
fn policies_written_as_json_strings_map_into_the_template() {
    // A YAML block scalar with `Fn::Sub`.
    let text = r#"Resources:
  K:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !Sub |
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
            "Action": "kms:*",
            "Resource": "*"
          }, {
            "Effect": "Alow",
            "Principal": {"AWS": "*"},
            "Action": "kms:Decrypt",
            "Resource": "*"
          }]
        }
"#;
    let inv = read_text("t.yaml", text);
    let policy = &inv.keys[0].policy.as_ref().unwrap().policy;
    assert_eq!(policy.statements.len(), 1);
    let (principal, span) = &aws_principals(&policy.statements[0].node)[0];
    assert_eq!(principal, &format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(line(&inv, *span), 10);
    let effect = diagnostics(&inv)
        .into_iter()
        .find(|d| d.code.as_str() == "P107")
        .unwrap();
    assert_eq!(slice(&inv, effect.primary_span()), "\"Alow\"");
    assert_eq!(line(&inv, effect.primary_span()), 14);

    // A JSON string in a JSON template.
    let text = "{\"Resources\": {\"K\": {\"Type\": \"AWS::KMS::Key\", \"Properties\": {\n\"KeyPolicy\": \"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": {\\\"Effect\\\": \\\"Alow\\\"}}\"}}}}";
    let inv = read_text("t.json", text);
    let effect = diagnostics(&inv)
        .into_iter()
        .find(|d| d.code.as_str() == "P107")
        .unwrap();
    assert_eq!(slice(&inv, effect.primary_span()), "\\\"Alow\\\"");
    assert_eq!(line(&inv, effect.primary_span()), 2);
}

#[test]
fn key_without_policy_gets_the_default_key_policy() {
    let inv = read_text(
        "t.yaml",
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Enabled: false\n",
    );
    assert_clean(&inv);
    let k = &inv.keys[0];
    assert_eq!(k.state.as_deref(), Some("Disabled"));
    let doc = k.policy.as_ref().unwrap();
    assert_eq!(doc.label, "K (AWS::KMS::Key) default key policy");
    let s = &doc.policy.statements[0];
    assert_eq!(actions(&s.node), ["kms:*"]);
    assert_eq!(
        aws_principals(&s.node)[0].0,
        format!("arn:aws:iam::{ACCOUNT}:root")
    );
    assert_eq!(line(&inv, s.span), 2);
}

#[test]
fn policies_attach_to_roles_users_groups_and_buckets() {
    let text = r#"
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Never: !Equals [a, b]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      MultiRegion: true
      KeySpec: RSA_4096
      KeyUsage: ENCRYPT_DECRYPT
      EnableKeyRotation: false
  Replica:
    Type: AWS::KMS::ReplicaKey
    Properties:
      PrimaryKeyArn: !GetAtt Key.Arn
      KeyPolicy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}, Action: "kms:*", Resource: "*"}]}
  App:
    Type: AWS::IAM::Role
    Properties:
      Path: /apps/
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [!Ref Use]
      PermissionsBoundary: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundary
  Dev:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Devs]
  Devs:
    Type: AWS::IAM::Group
  Use:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: key-use
      Users: [!Ref Dev]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: !GetAtt Key.Arn}]
  Inline:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref App, ExternalRole]
      Groups: [!Ref Devs]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: kms:Encrypt, Resource: "*"}]
  Data:
    Type: AWS::S3::Bucket
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: !Sub "${Data.Arn}/*", Condition: {Bool: {aws:SecureTransport: false}}}]
  Disk:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: !Select [0, !GetAZs ""]
      Size: 10
      Encrypted: true
      KmsKeyId: !GetAtt Key.Arn
  Skipped:
    Type: AWS::KMS::Key
    Condition: Never
  Table:
    Type: AWS::DynamoDB::GlobalTable
"#;
    let inv = read_text("t.yaml", text);
    assert_clean(&inv);
    assert_eq!(
        inv.keys.len(),
        2,
        "the key with a false condition is skipped"
    );
    let replica = key(&inv, "Replica");
    assert_eq!(
        replica.primary_arn.as_deref(),
        Some(key(&inv, "Key").arn.as_str())
    );
    assert_eq!(replica.spec.as_deref(), Some("RSA_4096"));
    assert_eq!(replica.multi_region, Some(true));
    assert_eq!(replica.rotation_enabled.map(|r| r.node), Some(false));

    let app = inv.identities.iter().find(|i| i.name == "App").unwrap();
    assert_eq!(app.arn, format!("arn:aws:iam::{ACCOUNT}:role/apps/App"));
    let use_arn = format!("arn:aws:iam::{ACCOUNT}:policy/key-use");
    assert_eq!(app.attached_policies[0].node, use_arn);
    assert_eq!(
        app.boundary.as_ref().unwrap().node,
        format!("arn:aws:iam::{ACCOUNT}:policy/boundary")
    );
    assert_eq!(app.inline_policies.len(), 1);
    assert_eq!(
        app.inline_policies[0].label,
        "Inline (AWS::IAM::Policy) policy extra"
    );

    let external = inv
        .identities
        .iter()
        .find(|i| i.name == "ExternalRole")
        .unwrap();
    assert_eq!(
        external.arn,
        format!("arn:aws:iam::{ACCOUNT}:role/ExternalRole")
    );
    assert_eq!(external.inline_policies.len(), 1);
    assert_eq!(
        external.origin.location,
        "Resources.Inline.Properties.PolicyDocument"
    );

    let dev = inv.identities.iter().find(|i| i.name == "Dev").unwrap();
    assert_eq!(dev.kind, IdentityKind::User);
    assert_eq!(dev.groups, ["Devs"]);
    assert_eq!(dev.attached_policies[0].node, use_arn);
    let devs = inv.identities.iter().find(|i| i.name == "Devs").unwrap();
    assert_eq!(devs.kind, IdentityKind::Group);
    assert_eq!(devs.inline_policies.len(), 1);
    assert_eq!(
        inv.find_managed_policy(&use_arn).unwrap().doc.kind(),
        PolicyKind::Identity
    );

    let bucket = inv.find_bucket("data").unwrap();
    let policy = bucket.policy.as_ref().unwrap();
    assert_eq!(policy.kind(), PolicyKind::Resource);
    assert_eq!(
        resources(&policy.policy.statements[0].node),
        ["arn:aws:s3:::data/*"]
    );
    assert_eq!(bucket.versioning_enabled, Some(false));

    let disk = &inv.volumes[0];
    assert_eq!(disk.encrypted, Some(true));
    assert_eq!(disk.kms_key.as_ref().unwrap().node, key(&inv, "Key").arn);
}

#[test]
fn unknown_values_are_placeholders_not_guesses() {
    let text = r#"
Parameters:
  AdminArn: {Type: String}
Resources:
  K:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Ref AdminArn}
            Action: kms:*
            Resource: "*"
          - Effect: Allow
            Principal: {AWS: !ImportValue shared-role-arn}
            Action: kms:Decrypt
            Resource: "*"
"#;
    let inv = read_text("t.yaml", text);
    assert_clean(&inv);
    let statements = &inv.keys[0].policy.as_ref().unwrap().policy.statements;
    let admin = &aws_principals(&statements[0].node)[0].0;
    assert_eq!(unknown::describe(admin), Some("Ref AdminArn"));
    let imported = &aws_principals(&statements[1].node)[0].0;
    assert_eq!(
        unknown::describe(imported),
        Some("ImportValue shared-role-arn")
    );
}

#[test]
fn template_errors_are_reported_on_their_line() {
    let text = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: !GetAtt Missing.Arn}\n            Action: kms:*\n            Resource: \"*\"\n  Bad: {Properties: {}}\n";
    let inv = read_text("t.yaml", text);
    let ds = diagnostics(&inv);
    let unresolved = ds.iter().find(|d| d.code == codes::P305).unwrap();
    assert_eq!(line(&inv, unresolved.primary_span()), 8);
    assert_eq!(
        slice(&inv, unresolved.primary_span()),
        "!GetAtt Missing.Arn"
    );
    let no_type = ds.iter().find(|d| d.code == codes::P304).unwrap();
    assert_eq!(line(&inv, no_type.primary_span()), 11);
    assert_eq!(no_type.severity, Severity::Error);
}

#[test]
fn yaml_that_is_not_a_template_reads_nothing() {
    let inv = read_text("workflow.yaml", "name: ci\non: [push]\njobs: {}\n");
    let ds = diagnostics(&inv);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].severity, Severity::Info);
    assert!(inv.keys.is_empty());
}

#[test]
fn undecidable_conditions_make_unknown_values_not_errors() {
    let text = r#"
Parameters:
  Env: {Type: String}
  Admin: {Type: String, Default: ""}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  HasAdmin: !Not [!Equals [!Ref Admin, ""]]
Resources:
  K:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
          - !If
            - IsProd
            - Effect: Allow
              Principal: !If [IsProd, {AWS: "*"}, {Service: s3.amazonaws.com}]
              Action: kms:Decrypt
              Resource: "*"
            - !Ref AWS::NoValue
          - !If
            - HasAdmin
            - {Effect: Allow, Principal: {AWS: !Ref Admin}, Action: "kms:*", Resource: "*"}
            - !Ref AWS::NoValue
"#;
    let inv = read_text("t.yaml", text);
    let ds = diagnostics(&inv);
    assert!(ds.iter().all(|d| d.severity == Severity::Info), "{ds:#?}");
    let undecided: Vec<usize> = ds
        .iter()
        .filter(|d| d.code == codes::P310)
        .map(|d| line(&inv, d.primary_span()))
        .collect();
    assert_eq!(undecided, [19, 22]);
    let doc = inv.keys[0].policy.as_ref().unwrap();
    // The admin statement's condition is decided (the default is empty); the other is unknown.
    assert_eq!(doc.policy.statements.len(), 1);
    assert!(
        doc.has_errors,
        "an uncertain document never yields a confident Allow"
    );
}

#[test]
fn a_problem_in_a_resource_name_is_reported_once() {
    let text = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref Missing\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: !GetAtt R.Arn}, Action: kms:*, Resource: \"*\"}]}\n";
    let inv = read_text("t.yaml", text);
    let ds = diagnostics(&inv);
    assert_eq!(
        ds.iter().filter(|d| d.code == codes::P305).count(),
        1,
        "{ds:#?}"
    );
}
