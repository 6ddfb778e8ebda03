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
    // S104, S105 (×3), S202 (×5), S203: the missing-permission findings all carry a fix.
    assert!(fixed >= 10, "only {fixed} findings had a fix");
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
