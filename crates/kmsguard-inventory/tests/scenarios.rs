//! Scenario checks over the fixture inventories, templates and plans: every correct
//! configuration gives no scenario finding; every broken one gives exactly its intended
//! finding, in the file where the change is due (the key policy, the IAM side, the replication
//! rule …); and applying a finding's fix to the inventory makes it go away.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use kmsguard_inventory::scenarios::{self, Finding, apply_fix};
use kmsguard_inventory::{Inventory, LoadOptions, load_paths};
use kmsguard_syntax::Severity;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn load(rel: &str) -> Inventory {
    let inv = load_paths(&[root().join(rel)], &LoadOptions::default()).unwrap();
    let errors: Vec<_> = inv
        .diagnostics
        .iter()
        .filter(|(_, d)| d.severity == Severity::Error)
        .map(|(_, d)| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{rel}: {errors:?}");
    inv
}

/// `(code, file name)` of every finding.
fn found(inv: &Inventory, findings: &[Finding]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            let name = inv.file(f.file).unwrap().name().to_owned();
            let base = Path::new(&name)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (f.diagnostic.code.as_str().to_owned(), base)
        })
        .collect();
    v.sort();
    v
}

/// Every fixture with the scenario findings it must give (the lint rules' findings are
/// checked end to end by the `kmsguard scan` tests of the CLI).
const EXPECTED: &[(&str, &[(&str, &str)])] = &[
    ("inventories/s3rep-ok-same-account", &[]),
    ("inventories/s3rep-ok-cross-account", &[]),
    (
        "inventories/s3rep-broken-no-sse-kms-opt-in",
        &[("S101", "get-bucket-replication.json")],
    ),
    (
        "inventories/s3rep-broken-no-replica-key",
        &[("S102", "get-bucket-replication.json")],
    ),
    (
        "inventories/s3rep-broken-replica-key-alias",
        &[("S103", "get-bucket-replication.json")],
    ),
    (
        "inventories/s3rep-broken-replica-key-wrong-region",
        &[("S103", "get-bucket-replication.json")],
    ),
    (
        "inventories/s3rep-broken-replica-key-disabled",
        &[("S103", "get-bucket-replication.json")],
    ),
    (
        "inventories/s3rep-broken-replica-key-asymmetric",
        &[("S103", "get-bucket-replication.json")],
    ),
    (
        "inventories/s3rep-broken-role-no-decrypt-source",
        &[("S104", "get-account-authorization-details.json")],
    ),
    (
        "inventories/s3rep-broken-bucket-key-context",
        &[("S104", "get-account-authorization-details.json")],
    ),
    (
        "inventories/s3rep-broken-role-no-encrypt-replica",
        &[("S105", "get-account-authorization-details.json")],
    ),
    (
        "inventories/s3rep-broken-cross-account-key-policy",
        &[(
            "S105",
            "get-key-policy-8e9f0a1b-3c4d-4e5f-8a6b-9c0d1e2f3a4b.json",
        )],
    ),
    (
        "inventories/s3rep-broken-viaservice-region",
        &[("S501", "get-account-authorization-details.json")],
    ),
    (
        "inventories/s3rep-broken-destination-blocks-sse-c",
        &[("S106", "get-bucket-encryption.json")],
    ),
    ("inventories/ami-ok-account-share", &[]),
    ("inventories/ami-ok-org-share", &[]),
    (
        "inventories/ami-broken-aws-managed-key",
        &[("S201", "describe-images.json")],
    ),
    (
        "inventories/ami-broken-key-policy-omits-b",
        &[(
            "S202",
            "get-key-policy-3d2c1b0a-9f8e-4d7c-a6b5-4c3d2e1f0a9b.json",
        )],
    ),
    (
        "inventories/ami-broken-no-iam-in-b",
        &[("S203", "get-account-authorization-details.json")],
    ),
    (
        "inventories/ami-broken-no-create-grant",
        &[(
            "S202",
            "get-key-policy-3d2c1b0a-9f8e-4d7c-a6b5-4c3d2e1f0a9b.json",
        )],
    ),
    (
        "inventories/ami-broken-no-decrypt",
        &[(
            "S202",
            "get-key-policy-3d2c1b0a-9f8e-4d7c-a6b5-4c3d2e1f0a9b.json",
        )],
    ),
    (
        "inventories/ami-broken-no-reencrypt",
        &[(
            "S202",
            "get-key-policy-3d2c1b0a-9f8e-4d7c-a6b5-4c3d2e1f0a9b.json",
        )],
    ),
    (
        "inventories/ami-broken-public-encrypted",
        &[("S204", "describe-images.json")],
    ),
    ("inventories/rotation-ok-key-types", &[]),
    ("inventories/rotation-ok-bucket-default-key", &[]),
    (
        "inventories/rotation-broken-rotation-off",
        &[(
            "S401",
            "get-key-rotation-status-1b2c3d4e-5f60-4718-89a0-b1c2d3e4f506.json",
        )],
    ),
    (
        "inventories/rotation-broken-disabled-default-key",
        &[("S402", "get-bucket-encryption.json")],
    ),
    (
        "inventories/rotation-broken-pending-deletion-replica-key",
        &[("S103", "get-bucket-replication.json")],
    ),
    ("inventories/mrk-ok-primary-replica", &[]),
    ("inventories/mrk-ok-three-regions", &[]),
    (
        "inventories/mrk-broken-replica-policy-differs",
        &[(
            "S301",
            "get-key-policy-mrk-4f2a9c1d7e3b4a6f8c0d2e4f6a8b0c1d.json",
        )],
    ),
    (
        "inventories/mrk-broken-grant-only-on-primary",
        &[(
            "S302",
            "list-grants-mrk-4f2a9c1d7e3b4a6f8c0d2e4f6a8b0c1d.json",
        )],
    ),
    ("inventories/global-ok-dynamodb-client-side", &[]),
    ("inventories/global-ok-aurora-client-side", &[]),
    (
        "inventories/global-broken-no-replica-in-region",
        &[("S303", "describe-table-ledger.json")],
    ),
    (
        "inventories/global-broken-single-region-key",
        &[(
            "S303",
            "describe-key-c4d5e6f7-0819-4a2b-9c3d-4e5f60718293.json",
        )],
    ),
    (
        "inventories/global-broken-replica-disabled",
        &[(
            "S303",
            "describe-key-mrk-8d3e1b7c5a2f4e6d9b0c1a2e3f4d5c6b.json",
        )],
    ),
    (
        "inventories/global-broken-role-not-in-replica-policy",
        &[("S304", "get-account-authorization-details.json")],
    ),
    ("inventories/svc-ok-ebs-key", &[]),
    ("inventories/svc-ok-ebs-default-key", &[]),
    (
        "inventories/svc-broken-viaservice-region",
        &[(
            "S501",
            "get-key-policy-7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d.json",
        )],
    ),
    ("cloudformation/replication-sse-kms.yaml", &[]),
    (
        "cloudformation/replication-sse-kms-broken.yaml",
        &[("S105", "replication-sse-kms-broken.yaml")],
    ),
    ("cloudformation/ami-sharing-key.json", &[]),
    (
        "cloudformation/ami-sharing-key-broken.json",
        &[("S202", "ami-sharing-key-broken.json")],
    ),
    ("cloudformation/rotation-by-key-type.yaml", &[]),
    (
        "cloudformation/rotation-by-key-type-broken.yaml",
        &[("S401", "rotation-by-key-type-broken.yaml")],
    ),
    ("cloudformation/public-key.yaml", &[]),
    ("cloudformation/public-key-broken.yaml", &[]),
    ("cloudformation/key-admin-separation.yaml", &[]),
    ("cloudformation/key-admin-separation-broken.yaml", &[]),
    ("terraform/s3-replication-sse-kms.correct.json", &[]),
    (
        "terraform/s3-replication-sse-kms.broken.json",
        &[("S105", "s3-replication-sse-kms.broken.json")],
    ),
    ("terraform/ami-cross-account.correct.json", &[]),
    (
        "terraform/ami-cross-account.broken.json",
        &[("S202", "ami-cross-account.broken.json")],
    ),
    ("terraform/rotation.correct.json", &[]),
    (
        "terraform/rotation.broken.json",
        &[("S401", "rotation.broken.json")],
    ),
    ("terraform/public-key.correct.json", &[]),
    ("terraform/public-key.broken.json", &[]),
    ("terraform/key-admin.correct.json", &[]),
    ("terraform/key-admin.broken.json", &[]),
];

#[test]
fn every_fixture_gives_exactly_its_intended_findings() {
    let mut wrong = Vec::new();
    for (rel, expected) in EXPECTED {
        let inv = load(rel);
        let got = found(&inv, &scenarios::run(&inv));
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(c, f)| ((*c).to_owned(), (*f).to_owned()))
            .collect();
        if got != want {
            wrong.push(format!("{rel}: got {got:?}, want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_inventory_fixture_is_listed() {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("inventories"))
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            e.file_type()
                .unwrap()
                .is_dir()
                .then(|| format!("inventories/{}", e.file_name().to_string_lossy()))
        })
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = EXPECTED
        .iter()
        .map(|(r, _)| (*r).to_owned())
        .filter(|r| r.starts_with("inventories/"))
        .collect();
    listed.sort();
    assert_eq!(dirs, listed);
}

/// Findings that a statement fixes carry it; applying every fix of a finding to the
/// inventory makes that finding disappear (and adds no other).
#[test]
fn fixes_make_their_findings_go_away() {
    let mut fixed = 0;
    for (rel, _) in EXPECTED {
        let mut inv = load(rel);
        let before = scenarios::run(&inv);
        for f in before.iter().filter(|f| !f.fixes.is_empty()) {
            for fix in &f.fixes {
                apply_fix(&mut inv, fix).unwrap();
            }
            fixed += 1;
        }
        if before.iter().all(|f| f.fixes.is_empty()) {
            continue;
        }
        let after = scenarios::run(&inv);
        let remaining: Vec<_> = after
            .iter()
            .filter(|a| {
                before.iter().any(|b| {
                    !b.fixes.is_empty()
                        && b.diagnostic.code == a.diagnostic.code
                        && b.diagnostic.message == a.diagnostic.message
                })
            })
            .map(|a| a.diagnostic.message.clone())
            .collect();
        assert!(
            remaining.is_empty(),
            "{rel}: fix did not help: {remaining:?}"
        );
        let before_codes: Vec<_> = before.iter().map(|f| f.diagnostic.code).collect();
        let new: Vec<_> = after
            .iter()
            .filter(|a| !before_codes.contains(&a.diagnostic.code))
            .map(|a| a.diagnostic.message.clone())
            .collect();
        assert!(new.is_empty(), "{rel}: fix caused {new:?}");
    }
    // S104, S105 (×3), S202 (×5), S203, S304: the missing-permission findings all carry a fix.
    assert!(fixed >= 11, "only {fixed} findings had a fix");
}

#[test]
fn findings_name_principal_key_actions_and_side() {
    let inv = load("inventories/s3rep-broken-role-no-encrypt-replica");
    let f = scenarios::run(&inv);
    let d = &f[0].diagnostic;
    assert!(
        d.message
            .contains("arn:aws:iam::111111111111:role/orders-crr"),
        "{}",
        d.message
    );
    assert!(d.message.contains("kms:Encrypt"), "{}", d.message);
    assert!(
        d.message
            .contains(":key/8e9f0a1b-3c4d-4e5f-8a6b-9c0d1e2f3a4b"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("no IAM policy of the principal allows it"),
        "{}",
        d.message
    );
    let help = d.help.as_deref().unwrap();
    assert!(help.contains("\"Action\": \"kms:Encrypt\""), "{help}");
    assert!(
        help.contains("\"kms:ViaService\": \"s3.us-east-1.amazonaws.com\""),
        "{help}"
    );

    let inv = load("inventories/s3rep-broken-cross-account-key-policy");
    let f = scenarios::run(&inv);
    let d = &f[0].diagnostic;
    assert!(
        d.message.contains("the key policy does not allow it"),
        "{}",
        d.message
    );
    assert!(
        f[0].fixes[0]
            .statement
            .contains("\"Principal\": { \"AWS\": \"arn:aws:iam::111111111111:role/orders-crr\" }")
    );
}

const MRK: &str = "mrk-8d3e1b7c5a2f4e6d9b0c1a2e3f4d5c6b";

fn global_key(region: &str) -> String {
    format!("arn:aws:kms:{region}:111111111111:key/{MRK}")
}

/// The only finding of `rel`, which must have code `code`.
fn only(inv: &Inventory, code: &str) -> Finding {
    let f = scenarios::run(inv);
    assert_eq!(
        f.len(),
        1,
        "{:?}",
        f.iter().map(|f| &f.diagnostic.message).collect::<Vec<_>>()
    );
    assert_eq!(f[0].diagnostic.code.as_str(), code);
    f[0].clone()
}

/// S303's fixes are AWS commands (replicate the key, enable it), not policy statements: the
/// help gives the exact command, and doing what it does to the inventory clears the finding.
#[test]
fn missing_replica_is_fixed_by_the_replicate_key_command() {
    let mut inv = load("inventories/global-broken-no-replica-in-region");
    let f = only(&inv, "S303");
    let d = &f.diagnostic;
    assert!(f.fixes.is_empty());
    assert!(
        d.message
            .contains("DynamoDB global table `ledger` keeps data in `us-east-1`")
            && d.message.contains(&global_key("eu-west-1"))
            && d.message.contains("its keys are in `eu-west-1`"),
        "{}",
        d.message
    );
    let help = d.help.as_deref().unwrap();
    let command = format!(
        "aws kms replicate-key --key-id {} --replica-region us-east-1 --policy file://key-policy-us-east-1.json",
        global_key("eu-west-1")
    );
    assert!(help.contains(&command), "{help}");
    assert!(
        d.note
            .as_deref()
            .unwrap()
            .contains("kmsguard.inventory.toml:5")
    );
    // What `replicate-key` does: a replica in us-east-1 with the policy passed (the primary's),
    // and the set's configuration on every key.
    let primary = inv.keys.iter().find(|k| k.id == MRK).unwrap().clone();
    let mut replica = primary.clone();
    replica.arn = global_key("us-east-1");
    replica.region = "us-east-1".to_owned();
    replica.primary_arn = Some(primary.arn.clone());
    for k in inv.keys.iter_mut().filter(|k| k.id == MRK) {
        k.multi_region_set.push("us-east-1".to_owned());
    }
    replica.multi_region_set = inv.keys[0].multi_region_set.clone();
    inv.keys.push(replica);
    assert!(scenarios::run(&inv).is_empty());
}

#[test]
fn disabled_replica_is_fixed_by_enabling_it() {
    let mut inv = load("inventories/global-broken-replica-disabled");
    let f = only(&inv, "S303");
    assert!(f.fixes.is_empty());
    assert!(
        f.diagnostic.message.contains(&format!(
            "the multi-Region key there, `{}`, is `Disabled`",
            global_key("us-east-1")
        )),
        "{}",
        f.diagnostic.message
    );
    let help = f.diagnostic.help.as_deref().unwrap();
    assert!(
        help.contains(&format!(
            "aws kms enable-key --key-id {}",
            global_key("us-east-1")
        )),
        "{help}"
    );
    let replica = inv
        .keys
        .iter_mut()
        .find(|k| k.arn == global_key("us-east-1"))
        .unwrap();
    replica.state = Some("Enabled".to_owned());
    assert!(scenarios::run(&inv).is_empty());
    // Pending deletion: cancel, then enable.
    let mut inv = load("inventories/global-broken-replica-disabled");
    let replica = inv
        .keys
        .iter_mut()
        .find(|k| k.arn == global_key("us-east-1"))
        .unwrap();
    replica.state = Some("PendingDeletion".to_owned());
    let f = only(&inv, "S303");
    assert!(
        f.diagnostic
            .help
            .as_deref()
            .unwrap()
            .contains("aws kms cancel-key-deletion --key-id arn:aws:kms:us-east-1:")
    );
}

#[test]
fn single_region_key_names_the_regions_it_cannot_serve() {
    let inv = load("inventories/global-broken-single-region-key");
    let f = only(&inv, "S303");
    assert!(f.fixes.is_empty());
    let d = &f.diagnostic;
    assert!(
        d.message.contains(
            "`arn:aws:kms:eu-west-1:111111111111:key/c4d5e6f7-0819-4a2b-9c3d-4e5f60718293`, a single-Region key in `eu-west-1`, but its data also lives in `us-east-1`"
        ),
        "{}",
        d.message
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("aws kms create-key --multi-region --region eu-west-1")
    );
}

/// MRK-02: the IAM side is missing (the replica's key policy delegates to the account), and
/// the fix is an IAM statement naming the replica's Regional ARN.
#[test]
fn role_without_the_replica_arn_gets_an_iam_statement_for_it() {
    let mut inv = load("inventories/global-broken-role-not-in-replica-policy");
    let f = only(&inv, "S304");
    let d = &f.diagnostic;
    assert!(
        d.message.starts_with(&format!(
            "`arn:aws:iam::111111111111:role/ledger-app-us-east-1` cannot call `kms:GenerateDataKey`, `kms:Decrypt`, `kms:DescribeKey` on key `{}`",
            global_key("us-east-1")
        )),
        "{}",
        d.message
    );
    assert!(d.message.contains("in `us-east-1`"));
    assert!(
        d.message
            .contains("no IAM policy of the principal allows it")
    );
    assert_eq!(f.fixes.len(), 1);
    let fix = &f.fixes[0];
    assert_eq!(
        fix.target,
        scenarios::FixTarget::Identity(
            "arn:aws:iam::111111111111:role/ledger-app-us-east-1".to_owned()
        )
    );
    assert!(
        fix.statement
            .contains(&format!("\"Resource\": \"{}\"", global_key("us-east-1"))),
        "{}",
        fix.statement
    );
    apply_fix(&mut inv, fix).unwrap();
    assert!(scenarios::run(&inv).is_empty());
}

/// What the inventory does not know gives no finding: a role whose IAM policies were not
/// collected, or a Region whose key was not described and whose set nobody lists.
#[test]
fn unknowns_give_no_global_data_finding() {
    let mut inv = load("inventories/global-broken-role-not-in-replica-policy");
    inv.identities
        .retain(|i| i.arn != "arn:aws:iam::111111111111:role/ledger-app-us-east-1");
    assert!(scenarios::run(&inv).is_empty());

    let mut inv = load("inventories/global-broken-no-replica-in-region");
    for k in &mut inv.keys {
        k.multi_region_set.clear();
    }
    assert!(scenarios::run(&inv).is_empty());

    // Without the declaration there is nothing to check.
    let mut inv = load("inventories/global-broken-single-region-key");
    inv.client_side_encryption.clear();
    assert!(scenarios::run(&inv).is_empty());

    // Without the data set's description its Regions are unknown.
    let mut inv = load("inventories/global-broken-replica-disabled");
    inv.global_data.clear();
    assert!(scenarios::run(&inv).is_empty());
}

/// The encryption context the manifest declares is what the key policy's condition sees: with
/// another context, the role of the correct DynamoDB fixture is refused by both keys.
#[test]
fn declared_encryption_context_is_evaluated() {
    let mut inv = load("inventories/global-ok-dynamodb-client-side");
    inv.client_side_encryption[0].encryption_context =
        vec![("app".to_owned(), "payroll".to_owned())];
    let f = scenarios::run(&inv);
    let got: Vec<_> = f.iter().map(|f| f.diagnostic.code.as_str()).collect();
    assert_eq!(
        got,
        ["S304", "S304"],
        "{:?}",
        f.iter().map(|f| &f.diagnostic.message).collect::<Vec<_>>()
    );
    for f in &f {
        assert!(
            f.diagnostic
                .message
                .contains("`kms:GenerateDataKey`, `kms:Decrypt` on key"),
            "{}",
            f.diagnostic.message
        );
    }
}

/// S302's help is the `create-grant` command that makes the same grant on the replica.
#[test]
fn grant_drift_help_is_the_create_grant_command() {
    let mut inv = load("inventories/mrk-broken-grant-only-on-primary");
    let f = only(&inv, "S302");
    let help = f.diagnostic.help.as_deref().unwrap();
    assert!(
        help.contains(
            "aws kms create-grant --region us-east-1 --key-id arn:aws:kms:us-east-1:111111111111:key/mrk-4f2a9c1d7e3b4a6f8c0d2e4f6a8b0c1d --grantee-principal arn:aws:iam::111111111111:role/ledger-app --operations Decrypt GenerateDataKey --retiring-principal arn:aws:iam::111111111111:role/ledger-app --constraints '{\"EncryptionContextSubset\":{\"app\":\"ledger\"}}' --name ledger-nightly-batch"
        ),
        "{help}"
    );
    // What the command does: the same grant on the replica.
    let grant = inv.keys[0].grants[0].clone();
    let replica = inv
        .keys
        .iter_mut()
        .find(|k| k.primary_arn.is_some())
        .unwrap();
    replica.grants.push(grant);
    assert!(scenarios::run(&inv).is_empty());
}

/// MRK-01 seen twice: the replica's key policy lacks the primary's statement for the role
/// (S301) and so the role cannot use the replica (S304). One finding stays, S304, with the
/// key-policy statement to add and the drift in its note.
#[test]
fn policy_drift_that_denies_the_application_is_one_finding() {
    let mut inv = load("inventories/global-ok-dynamodb-client-side");
    // Only the key policies admit the role.
    for i in &mut inv.identities {
        i.inline_policies.clear();
    }
    assert!(scenarios::run(&inv).is_empty());
    let replica = inv
        .keys
        .iter_mut()
        .find(|k| k.arn == global_key("us-east-1"))
        .unwrap();
    let doc = replica.policy.as_mut().unwrap();
    doc.policy
        .statements
        .retain(|s| s.node.sid.as_ref().unwrap().node != "LedgerAppUsesSharedMrk");
    let f = only(&inv, "S304");
    // The replica's policy still delegates to the account, so an IAM statement is enough.
    assert!(
        f.diagnostic.message.contains(
            "`kms:GenerateDataKey`, `kms:Decrypt` on key `arn:aws:kms:us-east-1:111111111111:key/mrk-8d3e1b7c5a2f4e6d9b0c1a2e3f4d5c6b`"
        ) && f.diagnostic.message.contains("no IAM policy of the principal allows it"),
        "{}",
        f.diagnostic.message
    );
    let note = f.diagnostic.note.as_deref().unwrap();
    assert!(
        note.contains("drift in the multi-Region set (S301)"),
        "{note}"
    );
    assert!(note.contains("`LedgerAppUsesSharedMrk`"), "{note}");
    assert_eq!(
        f.fixes[0].target,
        scenarios::FixTarget::Identity("arn:aws:iam::111111111111:role/ledger-app".to_owned())
    );
    apply_fix(&mut inv, &f.fixes[0]).unwrap();
    let after: Vec<_> = scenarios::run(&inv)
        .iter()
        .map(|f| f.diagnostic.code.as_str().to_owned())
        .collect();
    // The role may now use the replica; the policies still differ.
    assert_eq!(after, ["S301"]);
    // A role that may not use the primary either is not denied by the drift: both stay.
    let mut inv = load("inventories/global-ok-dynamodb-client-side");
    for i in &mut inv.identities {
        i.inline_policies.clear();
    }
    for k in &mut inv.keys {
        let doc = k.policy.as_mut().unwrap();
        doc.policy.statements.retain(|s| {
            let sid = &s.node.sid.as_ref().unwrap().node;
            sid != "LedgerAppUsesSharedMrk" || k.region == "eu-west-1"
        });
        if k.region == "eu-west-1" {
            doc.policy
                .statements
                .retain(|s| s.node.sid.as_ref().unwrap().node != "LedgerAppDescribesSharedMrk");
        }
    }
    let mut codes: Vec<_> = scenarios::run(&inv)
        .iter()
        .map(|f| f.diagnostic.code.as_str().to_owned())
        .collect();
    codes.sort();
    assert_eq!(codes, ["S301", "S304", "S304"]);
}
