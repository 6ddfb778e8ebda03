//! `kmsguard.inventory.toml`, directory loading, proposed-over-current, and the fixture
//! inventories.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod aws_cli_support;

use std::path::{Path, PathBuf};

use aws_cli_support::{A, B, TempDir, codes, fixtures};
use kmsguard_inventory::aws_cli::{DocKind, Manifest};
use kmsguard_inventory::{IdentityKind, Inventory, LoadOptions, State, load_paths};
use kmsguard_syntax::Severity;

const KS: &str = "arn:aws:kms:eu-west-1:111111111111:key/5c3a1f0e-2b7d-4e61-9a8c-7f0d1e2b3c4d";

fn load(dir: &Path) -> Inventory {
    load_paths(&[dir.to_path_buf()], &LoadOptions::default()).unwrap()
}

fn key_policy(sid: &str) -> String {
    format!(
        r#"{{"Policy": "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Sid\":\"{sid}\",\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"arn:aws:iam::111111111111:root\"}},\"Action\":\"kms:*\",\"Resource\":\"*\"}}]}}"}}"#
    )
}

fn first_sid(inv: &Inventory) -> String {
    let doc = inv.keys[0].policy.as_ref().unwrap();
    doc.policy.statements[0].sid.as_ref().unwrap().node.clone()
}

// ---- the manifest ------------------------------------------------------------------------

#[test]
fn manifest_reads_every_key() {
    let dir = TempDir::new("manifest-all");
    for f in [
        "p.json",
        "s3/enc.json",
        "iam/role.json",
        "pv.json",
        "scp.json",
        "t.json",
        "par.json",
    ] {
        dir.write(f, "{}");
    }
    let text = format!(
        r#"account = "{A}"
region = "eu-west-1"
state = "proposed"

[[file]]
path = "p.json"
kind = "key-policy"
key = "{KS}"
state = "current"
account = "{B}"
region = "us-east-1"

[[file]]
path = "./s3/enc.json"
bucket = "orders-src-euw1"
kind = "bucket-encryption"

[[file]]
path = "iam/role.json"
role = "orders-crr"
name = "kms"

[[file]]
path = "pv.json"
policy_arn = "arn:aws:iam::111111111111:policy/KmsRead"

[[file]]
path = "scp.json"
kind = "scp"
name = "DenyKmsDeletion"
targets = ["r-ab12", "ou-ab12-prod", "{B}"]

[[file]]
path = "t.json"
policy = "p-abcd1234"

[[file]]
path = "par.json"
child = "{A}"

[[organization.account]]
id = "{A}"
path = ["r-ab12", "ou-ab12-prod"]
management = true
"#
    );
    let path = dir.write("kmsguard.inventory.toml", &text);
    let m = Manifest::parse(&text, &path).unwrap();
    assert_eq!(m.account.as_deref(), Some(A));
    assert_eq!(m.region.as_deref(), Some("eu-west-1"));
    assert_eq!(m.state, Some(State::Proposed));
    assert_eq!(m.files.len(), 7);
    let p = m.entry(&dir.path().join("p.json")).unwrap();
    assert_eq!(p.line, 6);
    assert_eq!(p.hints.kind, Some(DocKind::KeyPolicy));
    assert_eq!(p.hints.key.as_deref(), Some(KS));
    assert_eq!(p.state, Some(State::Current));
    assert_eq!(p.account.as_deref(), Some(B));
    assert_eq!(p.region.as_deref(), Some("us-east-1"));
    let enc = m.entry(&dir.path().join("s3").join("enc.json")).unwrap();
    assert_eq!(enc.hints.bucket.as_deref(), Some("orders-src-euw1"));
    let role = m.entry(&dir.path().join("iam/role.json")).unwrap();
    assert_eq!(
        (role.hints.role.as_deref(), role.hints.name.as_deref()),
        (Some("orders-crr"), Some("kms"))
    );
    let scp = m.entry(&dir.path().join("scp.json")).unwrap();
    assert_eq!(scp.hints.targets, ["r-ab12", "ou-ab12-prod", B]);
    assert_eq!(
        m.entry(&dir.path().join("t.json"))
            .unwrap()
            .hints
            .policy
            .as_deref(),
        Some("p-abcd1234")
    );
    assert_eq!(
        m.entry(&dir.path().join("par.json"))
            .unwrap()
            .hints
            .child
            .as_deref(),
        Some(A)
    );
    assert_eq!(m.organization.len(), 1);
    assert!(m.organization[0].management);
    assert_eq!(m.organization[0].path, ["r-ab12", "ou-ab12-prod"]);
}

/// The manifest error for `text` in a directory holding `a.json`.
fn manifest_error(text: &str) -> String {
    let dir = TempDir::new("manifest-err");
    dir.write("a.json", "{}");
    let path = dir.write("kmsguard.inventory.toml", text);
    let err = Manifest::parse(text, &path).unwrap_err();
    // The same error stops a load.
    let load_err = load_paths(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap_err();
    assert_eq!(load_err, err.to_string());
    let shown = err.to_string();
    let prefix = format!("{}:{}: ", path.display(), err.line);
    assert!(shown.starts_with(&prefix), "{shown}");
    format!("{}: {}", err.line, err.message)
}

#[test]
fn unknown_keys_are_errors_with_their_line() {
    let e = manifest_error("account = \"111111111111\"\nacount = \"1\"\n");
    assert!(e.starts_with("2: unknown field `acount`"), "{e}");
    let e = manifest_error("[[file]]\npath = \"a.json\"\n\nkey_arn = \"x\"\n");
    assert!(e.starts_with("4: unknown field `key_arn`"), "{e}");
    let e = manifest_error(
        "[[organization.account]]\nid = \"111111111111\"\npath = [\"r-ab12\"]\nmgmt = true\n",
    );
    assert!(e.starts_with("4: unknown field `mgmt`"), "{e}");
    let e = manifest_error("[org]\n");
    assert!(e.starts_with("1: unknown field `org`"), "{e}");
}

#[test]
fn malformed_values_are_errors_with_their_line() {
    let cases = [
        ("account = \"1111\"\n", "1: `1111` is not an account id"),
        ("state = \"future\"\n", "1: unknown variant `future`"),
        (
            "[[file]]\npath = \"a.json\"\nkind = \"describe-everything\"\n",
            "3: unknown variant `describe-everything`",
        ),
        (
            "[[file]]\npath = \"missing.json\"\n",
            "2: `missing.json` does not exist",
        ),
        (
            "[[file]]\npath = \"a.json\"\nkey = \"alias/orders\"\n",
            "3: `key` must be a key ARN",
        ),
        (
            "[[file]]\npath = \"a.json\"\npolicy_arn = \"arn:aws:iam::111111111111:role/x\"\n",
            "3: `policy_arn` must be an IAM policy ARN",
        ),
        (
            "[[file]]\npath = \"a.json\"\nrole = \"r\"\nbucket = \"b\"\n",
            "2: `a.json` names more than one of",
        ),
        (
            "[[file]]\npath = \"a.json\"\ntargets = [\"p-1\"]\n",
            "3: target `p-1` is not a root",
        ),
        (
            "[[file]]\npath = \"a.json\"\n\n[[file]]\npath = \"./a.json\"\n",
            "5: `",
        ),
        (
            "[[organization.account]]\nid = \"111111111111\"\npath = [\"ou-ab12-x\"]\n",
            "3: `path` must start with the root id",
        ),
        (
            "[[organization.account]]\nid = \"111111111111\"\npath = [\"r-ab12\", \"111111111111\"]\n",
            "3: `path` lists OU ids",
        ),
        (
            "[[file]]\npath = \"a.json\"\naccount = \"abc\"\n",
            "3: `abc` is not an account id",
        ),
        ("account = 111111111111\n", "1: invalid type"),
        ("account = \"111111111111\n", "1: "),
    ];
    for (text, expected) in cases {
        let e = manifest_error(text);
        assert!(e.starts_with(expected), "{text:?}: {e}");
    }
}

const LEDGER_MRK: &str =
    "arn:aws:kms:eu-west-1:111111111111:key/mrk-8d3e1b7c5a2f4e6d9b0c1a2e3f4d5c6b";

#[test]
fn client_side_encryption_entries_are_read_with_their_line() {
    let dir = TempDir::new("manifest-cse");
    let text = format!(
        r#"account = "{A}"

[[client_side_encryption]]
data = "arn:aws:dynamodb:eu-west-1:{A}:table/ledger"
key = "{LEDGER_MRK}"
roles = ["arn:aws:iam::{A}:role/ledger-app"]
region_roles = {{ us-east-1 = ["arn:aws:iam::{A}:role/ledger-app-use1"] }}
encryption_context = {{ app = "ledger", tier = "gold" }}

[[client_side_encryption]]
data = "arn:aws:rds::{A}:global-cluster:ledger-global"
key = "mrk-8d3e1b7c5a2f4e6d9b0c1a2e3f4d5c6b"
region_roles = {{ eu-west-1 = ["arn:aws:iam::{A}:user/batch"] }}
"#
    );
    let path = dir.write("kmsguard.inventory.toml", &text);
    let m = Manifest::parse(&text, &path).unwrap();
    assert_eq!(m.client_side_encryption.len(), 2);
    let c = &m.client_side_encryption[0];
    assert_eq!(
        c.data,
        format!("arn:aws:dynamodb:eu-west-1:{A}:table/ledger")
    );
    assert_eq!(c.key, LEDGER_MRK);
    assert_eq!(
        c.roles_in("us-east-1"),
        [
            format!("arn:aws:iam::{A}:role/ledger-app"),
            format!("arn:aws:iam::{A}:role/ledger-app-use1")
        ]
    );
    assert_eq!(
        c.roles_in("eu-west-1"),
        [format!("arn:aws:iam::{A}:role/ledger-app")]
    );
    assert_eq!(
        c.encryption_context,
        [
            ("app".to_owned(), "ledger".to_owned()),
            ("tier".to_owned(), "gold".to_owned())
        ]
    );
    assert_eq!(c.declared_at, format!("{}:4", path.display()));
    let c = &m.client_side_encryption[1];
    assert!(c.roles.is_empty() && c.encryption_context.is_empty());
    assert_eq!(c.declared_at, format!("{}:11", path.display()));
    // A load hands them to the inventory.
    let inv = load(dir.path());
    assert_eq!(inv.client_side_encryption, m.client_side_encryption);
}

#[test]
fn invalid_client_side_encryption_entries_are_errors_with_their_line() {
    let table = "data = \"arn:aws:dynamodb:eu-west-1:111111111111:table/ledger\"\n";
    let key = "key = \"mrk-8d3e1b7c5a2f4e6d9b0c1a2e3f4d5c6b\"\n";
    let roles = "roles = [\"arn:aws:iam::111111111111:role/ledger-app\"]\n";
    let head = "[[client_side_encryption]]\n";
    let cases = [
        (
            format!("{head}data = \"arn:aws:s3:::ledger\"\n{key}{roles}"),
            "2: `data` must be a DynamoDB table ARN",
        ),
        (
            format!("{head}{table}key = \"alias/ledger\"\n{roles}"),
            "3: `key` must be a key ARN or a key id",
        ),
        (
            format!("{head}{table}key = \"mrk-123\"\n{roles}"),
            "3: `key` must be a key ARN or a key id",
        ),
        (
            format!("{head}{table}{key}roles = [\"ledger-app\"]\n"),
            "4: application roles must be IAM role or user ARNs",
        ),
        (
            format!(
                "{head}{table}{key}region_roles = {{ europe = [\"arn:aws:iam::111111111111:role/a\"] }}\n"
            ),
            "4: `region_roles` keys must be Region names",
        ),
        (
            format!("{head}{table}{key}"),
            "2: `[[client_side_encryption]]` names no application role",
        ),
        (
            format!("{head}{table}{key}{roles}encryption_context = {{ \"\" = \"x\" }}\n"),
            "5: `encryption_context` keys must not be empty",
        ),
        (
            format!("{head}{table}{key}{roles}context = {{ app = \"x\" }}\n"),
            "5: unknown field `context`",
        ),
        (format!("{head}{table}{roles}"), "1: missing field `key`"),
    ];
    for (text, expected) in cases {
        let e = manifest_error(&text);
        assert!(e.starts_with(expected), "{text:?}: {e}");
    }
}

#[test]
fn manifest_defaults_and_entries_apply_to_the_files_below() {
    let dir = TempDir::new("nested");
    dir.write(
        "kmsguard.inventory.toml",
        &format!("account = \"{A}\"\nregion = \"eu-west-1\"\n\n[[file]]\npath = \"sub/policy.json\"\nkey = \"{KS}\"\n"),
    );
    dir.write("sub/policy.json", &key_policy("FromParentManifest"));
    dir.write(
        "sub/kmsguard.inventory.toml",
        &format!("account = \"{B}\"\n"),
    );
    dir.write("sub/role-policy.json", r#"{"RoleName": "app", "PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}}"#);
    dir.write("role-policy.json", r#"{"RoleName": "app", "PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}}"#);
    dir.write("notes.txt", "not read");
    dir.write(".hidden/x.json", "not read");
    let inv = load(dir.path());
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.files.len(), 3);
    assert_eq!(first_sid(&inv), "FromParentManifest");
    let accounts: Vec<_> = inv.identities.iter().map(|i| i.account.as_str()).collect();
    // `role-policy.json` sorts before `sub/`; the nested manifest's account wins below it.
    assert_eq!(accounts, [A, B]);

    // A file given on its own gets its directory's manifest.
    let inv = load_paths(
        &[dir.path().join("sub/role-policy.json")],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(inv.identities[0].account, B);
    // And the options give what no manifest says.
    let alone = TempDir::new("alone");
    let f = alone.write("role-policy.json", r#"{"RoleName": "app", "PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}}"#);
    let opts = LoadOptions {
        account: Some(A.to_owned()),
        ..LoadOptions::default()
    };
    let inv = load_paths(&[f.clone(), f], &opts).unwrap();
    assert_eq!(inv.files.len(), 1, "a path given twice is read once");
    assert_eq!(inv.identities[0].account, A);
}

#[test]
fn organization_accounts_from_the_manifest_win_over_list_parents() {
    let dir = TempDir::new("org");
    dir.write(
        "parents.json",
        r#"{"Parents": [{"Id": "ou-ab12-old", "Type": "ORGANIZATIONAL_UNIT"}]}"#,
    );
    dir.write(
        "kmsguard.inventory.toml",
        &format!("[[file]]\npath = \"parents.json\"\nchild = \"{A}\"\n\n[[organization.account]]\nid = \"{A}\"\npath = [\"r-ab12\", \"ou-ab12-prod\"]\n\n[[organization.account]]\nid = \"{B}\"\npath = [\"r-ab12\"]\nmanagement = true\n"),
    );
    let inv = load(dir.path());
    assert_eq!(inv.org_accounts.len(), 2);
    assert_eq!(inv.org_accounts[0].path, ["r-ab12", "ou-ab12-prod"]);
    assert!(inv.org_accounts[1].management);
}

// ---- proposed replaces current -----------------------------------------------------------

/// A directory with two key policies for the same key, `first` and `second` in path order,
/// the one named `proposed` marked so.
fn two_policies(first_proposed: bool) -> Inventory {
    let dir = TempDir::new("proposed");
    dir.write(
        "a.json",
        &key_policy(if first_proposed {
            "Proposed"
        } else {
            "Current"
        }),
    );
    dir.write(
        "b.json",
        &key_policy(if first_proposed {
            "Current"
        } else {
            "Proposed"
        }),
    );
    let (p, c) = if first_proposed {
        ("a", "b")
    } else {
        ("b", "a")
    };
    dir.write(
        "kmsguard.inventory.toml",
        &format!("[[file]]\npath = \"{p}.json\"\nkey = \"{KS}\"\nstate = \"proposed\"\n\n[[file]]\npath = \"{c}.json\"\nkey = \"{KS}\"\n"),
    );
    load(dir.path())
}

#[test]
fn proposed_key_policy_replaces_the_current_one_in_either_order() {
    for first_proposed in [true, false] {
        let inv = two_policies(first_proposed);
        assert_eq!(inv.keys.len(), 1);
        assert_eq!(first_sid(&inv), "Proposed");
        assert_eq!(
            inv.keys[0].policy.as_ref().unwrap().origin.state,
            State::Proposed
        );
    }
}

#[test]
fn proposed_items_replace_current_ones_facet_by_facet() {
    let dir = TempDir::new("facets");
    let meta = |state: &str| {
        format!(
            r#"{{"KeyMetadata": {{"Arn": "{KS}", "KeyState": "{state}", "KeySpec": "SYMMETRIC_DEFAULT"}}}}"#
        )
    };
    let grants = |id: &str| {
        format!(
            r#"{{"Grants": [{{"KeyId": "{KS}", "GrantId": "{id}", "GranteePrincipal": "arn:aws:iam::111111111111:role/app", "Operations": ["Decrypt"]}}]}}"#
        )
    };
    let auth = |policies: &str| {
        format!(
            r#"{{"RoleDetailList": [{{"RoleName": "app", "RoleId": "AROAEXAMPLEAPP", "Arn": "arn:aws:iam::111111111111:role/app",
            "RolePolicyList": [{policies}], "AttachedManagedPolicies": []}}]}}"#
        )
    };
    let inline = |name: &str| {
        format!(
            r#"{{"PolicyName": "{name}", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Sid": "{}", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}}]}}}}"#,
            name.replace('-', "")
        )
    };
    // Current: in `current/`; proposed: in `proposed/`, which sorts after, and in `a-proposed/`,
    // which sorts before.
    dir.write("current/key.json", &meta("Enabled"));
    dir.write("current/grants.json", &grants("current-grant"));
    dir.write(
        "current/iam.json",
        &auth(&format!("{}, {}", inline("kms"), inline("s3"))),
    );
    dir.write(
        "current/enc.json",
        r#"{"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}"#,
    );
    dir.write(
        "current/kmsguard.inventory.toml",
        "[[file]]\npath = \"enc.json\"\nbucket = \"b\"\n",
    );
    dir.write("proposed/key.json", &meta("Disabled"));
    dir.write("proposed/iam.json", &auth(&inline("kms-v2")));
    dir.write(
        "proposed/enc.json",
        &format!(r#"{{"ServerSideEncryptionConfiguration": {{"Rules": [{{"ApplyServerSideEncryptionByDefault": {{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "{KS}"}}}}]}}}}"#),
    );
    dir.write(
        "proposed/kmsguard.inventory.toml",
        "state = \"proposed\"\n\n[[file]]\npath = \"enc.json\"\nbucket = \"b\"\n",
    );
    dir.write("a-proposed/grants.json", &grants("proposed-grant"));
    dir.write(
        "a-proposed/kmsguard.inventory.toml",
        "state = \"proposed\"\n",
    );
    let inv = load(dir.path());
    assert!(codes(&inv).is_empty(), "{:?}", inv.diagnostics);
    let key = &inv.keys[0];
    assert_eq!(key.state.as_deref(), Some("Disabled"));
    let grant_ids: Vec<_> = key
        .grants
        .iter()
        .map(|g| g.grant.grant_id.as_ref().unwrap().node.as_str())
        .collect();
    assert_eq!(grant_ids, ["proposed-grant"]);
    let role = &inv.identities[0];
    assert_eq!(role.origin.state, State::Proposed);
    let names: Vec<_> = role
        .inline_policies
        .iter()
        .map(|d| d.label.as_str())
        .collect();
    assert_eq!(
        names,
        ["role/app inline policy kms-v2"],
        "the proposed role is complete"
    );
    let enc = inv.buckets[0].encryption.as_ref().unwrap();
    assert_eq!(enc.algorithm.node, "aws:kms");
}

// ---- fixture inventories -----------------------------------------------------------------

fn fixture_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_inventory_loads_without_findings() {
    let dirs = fixture_dirs(&fixtures());
    assert!(dirs.len() >= 30, "{} fixture inventories", dirs.len());
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/inventories");
    for dir in dirs.iter().chain(fixture_dirs(&samples).iter()) {
        let inv = load(dir);
        let errors: Vec<_> = inv
            .diagnostics
            .iter()
            .filter(|(_, d)| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
        // Every file is recognised and attached: no warning either.
        assert!(
            inv.diagnostics.is_empty(),
            "{}: {:?}",
            dir.display(),
            inv.diagnostics
        );
        assert!(!inv.keys.is_empty(), "{}", dir.display());
        for k in &inv.keys {
            assert!(
                k.policy.is_some() && k.spec.is_some() && k.rotation_enabled.is_some(),
                "{}: {}",
                dir.display(),
                k.arn
            );
        }
    }
}

#[test]
fn every_broken_fixture_has_a_correct_base_and_a_readme_line() {
    let root = fixtures();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for dir in fixture_dirs(&root) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("`{name}`")),
            "README.md does not list {name}"
        );
        if !name.contains("-broken-") {
            continue;
        }
        // The first line of each account's manifest names the correct base.
        let sub = fixture_dirs(&dir).remove(0);
        let manifest = std::fs::read_to_string(sub.join("kmsguard.inventory.toml")).unwrap();
        let first = manifest.lines().next().unwrap();
        let base = first.rsplit("from ").next().unwrap();
        assert!(
            base.contains("-ok-") && root.join(base).is_dir(),
            "{name}: {first}"
        );
    }
}

#[test]
fn replication_fixture_models_both_accounts() {
    let inv = load(&fixtures().join("s3rep-ok-cross-account"));
    let src = inv.find_bucket("orders-src-euw1").unwrap();
    assert_eq!(
        (src.account.as_deref(), src.region.as_deref()),
        (Some(A), Some("eu-west-1"))
    );
    let rule = &src.replication.as_ref().unwrap().rules[0];
    let replica = rule.replica_kms_key.as_ref().unwrap();
    let kd = inv.find_key(replica).unwrap();
    assert_eq!((kd.account.as_str(), kd.region.as_str()), (B, "us-east-1"));
    let dst = inv.find_bucket(&rule.destination_bucket).unwrap();
    assert_eq!(
        (dst.account.as_deref(), dst.region.as_deref()),
        (Some(B), Some("us-east-1"))
    );
    assert!(dst.policy.is_some());
    let role = inv
        .identities
        .iter()
        .find(|i| i.kind == IdentityKind::Role && i.name == "orders-crr")
        .unwrap();
    assert_eq!(role.inline_policies.len(), 2);
    assert!(inv.find_key("alias/orders-source").is_some());
}

#[test]
fn ami_fixture_models_image_snapshot_key_and_consumer() {
    let inv = load(&fixtures().join("ami-ok-account-share"));
    let img = &inv.images[0];
    assert_eq!(img.launch_permissions.accounts[0].node, B);
    let snap = &inv.snapshots[0];
    assert_eq!(img.snapshots[0].snapshot_id, snap.id);
    let key = inv.find_key(snap.kms_key.as_ref().unwrap()).unwrap();
    assert_eq!(key.manager, Some(kmsguard_inventory::KeyManager::Customer));
    assert!(
        inv.find_identity("arn:aws:iam::222222222222:role/ImageConsumer")
            .is_some()
    );

    let broken = load(&fixtures().join("ami-broken-aws-managed-key"));
    let key = broken
        .find_key(broken.snapshots[0].kms_key.as_ref().unwrap())
        .unwrap();
    assert_eq!(key.manager, Some(kmsguard_inventory::KeyManager::Aws));

    let org = load(&fixtures().join("ami-ok-org-share"));
    assert_eq!(org.org_accounts.len(), 2);
}

#[test]
fn rotation_and_mrk_fixtures() {
    let inv = load(&fixtures().join("rotation-ok-key-types"));
    let specs: Vec<_> = inv
        .keys
        .iter()
        .map(|k| {
            (
                k.spec.as_deref().unwrap(),
                k.key_origin.as_deref().unwrap(),
                k.rotation_enabled.unwrap().node,
            )
        })
        .collect();
    assert!(specs.contains(&("SYMMETRIC_DEFAULT", "AWS_KMS", true)));
    assert!(specs.contains(&("RSA_2048", "AWS_KMS", false)));
    assert!(specs.contains(&("HMAC_256", "AWS_KMS", false)));
    assert!(specs.contains(&("SYMMETRIC_DEFAULT", "EXTERNAL", false)));
    assert!(inv.keys.iter().any(|k| k.custom_key_store.is_some()));

    let inv = load(&fixtures().join("mrk-broken-replica-policy-differs"));
    let (primary, replica) = (&inv.keys[0], &inv.keys[1]);
    assert_eq!(replica.primary_arn.as_deref(), Some(primary.arn.as_str()));
    assert_ne!(
        primary.policy.as_ref().unwrap().policy.statements.len(),
        replica.policy.as_ref().unwrap().policy.statements.len()
    );

    let inv = load(&fixtures().join("svc-ok-ebs-default-key"));
    assert_eq!(inv.ebs_defaults[0].kms_key.node, inv.keys[0].arn);
    assert_eq!(inv.keys[0].grants.len(), 1);
}

#[test]
fn global_data_fixtures() {
    use kmsguard_inventory::GlobalDataKind;
    let inv = load(&fixtures().join("global-ok-dynamodb-client-side"));
    // One description per Region, each listing the other Region's replica.
    assert_eq!(inv.global_data.len(), 2);
    for g in &inv.global_data {
        assert_eq!(g.kind, GlobalDataKind::DynamoDbGlobalTable);
        assert_eq!((g.name.as_str(), g.account.as_deref()), ("ledger", Some(A)));
        let regions: Vec<&str> = g.regions.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(regions.len(), 2);
        assert!(g.lives_in("eu-west-1") && g.lives_in("us-east-1"));
    }
    for k in &inv.keys {
        assert_eq!(k.multi_region_set, ["eu-west-1", "us-east-1"]);
    }
    assert_eq!(inv.client_side_encryption.len(), 1);
    assert_eq!(inv.client_side_encryption[0].key, LEDGER_MRK);

    let inv = load(&fixtures().join("global-ok-aurora-client-side"));
    let g = &inv.global_data[0];
    assert_eq!(g.kind, GlobalDataKind::AuroraGlobalDatabase);
    assert_eq!(
        g.arn,
        format!("arn:aws:rds::{A}:global-cluster:ledger-global")
    );
    assert_eq!(g.storage_encrypted, Some(true));
    let members: Vec<_> = g
        .regions
        .iter()
        .map(|r| (r.region.as_str(), r.writer, r.member.as_deref().unwrap()))
        .collect();
    assert_eq!(
        members,
        [
            (
                "eu-west-1",
                Some(true),
                "arn:aws:rds:eu-west-1:111111111111:cluster:ledger-eu-west-1"
            ),
            (
                "us-east-1",
                Some(false),
                "arn:aws:rds:us-east-1:111111111111:cluster:ledger-us-east-1"
            )
        ]
    );

    let inv = load(&fixtures().join("global-broken-no-replica-in-region"));
    assert_eq!(inv.keys.len(), 1);
    assert_eq!(inv.keys[0].multi_region_set, ["eu-west-1"]);
}
