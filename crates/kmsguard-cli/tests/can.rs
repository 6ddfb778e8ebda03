//! `kmsguard can`: batch mode over the oracle cases (agreeing with the library case by case,
//! and with AWS except for the listed known disagreements), single questions with their exit
//! codes and explanations.

// Test code reports failures by panicking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kmsguard_eval::Options;
use kmsguard_eval::case::parse_case;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kmsguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmsguard"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run kmsguard")
}

fn known_disagreements() -> BTreeSet<String> {
    std::fs::read_to_string(root().join("fixtures/oracle/known-disagreements.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect()
}

/// The batch CLI answers every case, in input order, in parallel; each answer equals the
/// library's serial answer, and agrees with AWS except for the listed known disagreements.
#[test]
fn batch_over_oracle_cases() {
    let out = kmsguard(&["can", "--cases", "fixtures/oracle/public.jsonl"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(root().join("fixtures/oracle/public.jsonl")).unwrap();
    let cases: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let answers: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), cases.len());
    assert_eq!(answers.len(), 823);
    let mut disagreeing = BTreeSet::new();
    for (line, answer) in cases.iter().zip(&answers) {
        let case = parse_case(line, Options::default()).unwrap();
        assert_eq!(
            answer["id"],
            case.id.as_str(),
            "output order follows input order"
        );
        assert_eq!(
            answer["decision"],
            case.policies.decide(&case.request).name(),
            "{}: CLI vs library",
            case.id
        );
        assert_eq!(answer["expected"], case.expected.as_deref().unwrap());
        if answer["agrees"] == false {
            disagreeing.insert(case.id.clone());
        }
    }
    assert_eq!(disagreeing, known_disagreements());
    println!(
        "batch CLI: {}/{} agree with AWS",
        answers.len() - disagreeing.len(),
        answers.len()
    );
}

#[test]
fn batch_compatibility_flag_reproduces_every_case() {
    let out = kmsguard(&[
        "can",
        "--cases",
        "fixtures/oracle/public.jsonl",
        "--allow-any-cross-account-action",
    ]);
    let disagreeing: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["agrees"] == false)
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(disagreeing.is_empty(), "{disagreeing:?}");
}

#[test]
fn batch_reports_unreadable_lines_in_place() {
    let dir = std::env::temp_dir().join(format!("kmsguard-can-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cases.jsonl");
    let good = std::fs::read_to_string(root().join("fixtures/oracle/public.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    std::fs::write(&path, format!("{good}\n{{not json\n{{\"id\": \"x-1\"}}\n")).unwrap();
    let out = kmsguard(&["can", "--cases", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["error"].is_null());
    assert_eq!(lines[1]["decision"], "Indeterminate");
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .starts_with("line 2: invalid JSON")
    );
    assert_eq!(lines[2]["id"], "x-1");
    assert_eq!(lines[2]["decision"], "Indeterminate");
}

const SOURCE_KEY: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/s3-replication-role/s3-session";

fn replication(extra: &[&str]) -> Output {
    let mut args = vec![
        "can",
        "--principal",
        ROLE_SESSION,
        "--action",
        "kms:Decrypt",
        "--resource",
        SOURCE_KEY,
        "--key-policy",
        "policies/key-policies/s3-replication-source.json",
        "--identity-policy",
        "policies/identity-policies/s3-replication-role.json",
        "--context",
        "kms:ViaService=s3.us-east-1.amazonaws.com",
    ];
    args.extend_from_slice(extra);
    kmsguard(&args)
}

#[test]
fn single_question_allow_exits_0() {
    let out = replication(&[
        "--context",
        "kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::amzn-s3-demo-source-bucket/a.txt",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Allow: "), "{text}");
    assert!(
        text.contains("applies: Allow statement `DecryptSourceObjectsWithSourceKey`"),
        "{text}"
    );
}

/// Without the encryption context the role's own key-policy statement fails on its condition,
/// and the explanation shows what the condition expects and what the request has.
#[test]
fn single_question_denied_exits_1_and_names_the_failed_condition() {
    let out = kmsguard(&[
        "can",
        "--principal",
        ROLE_SESSION,
        "--action",
        "kms:Decrypt",
        "--resource",
        SOURCE_KEY,
        "--key-policy",
        "policies/key-policies/s3-replication-source.json",
        "--context",
        "kms:ViaService=s3.us-east-1.amazonaws.com",
        "--context",
        "kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::other-bucket/a.txt",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "ImplicitDeny");
    let misses = v["layers"][0]["near_misses"].as_array().unwrap();
    let cond = misses
        .iter()
        .find_map(|m| m["condition"].as_object())
        .expect("a condition near miss");
    assert_eq!(cond["operator"], "StringLike");
    assert_eq!(cond["key"], "kms:EncryptionContext:aws:s3:arn");
    assert_eq!(cond["actual"], "arn:aws:s3:::other-bucket/a.txt");
    assert!(
        cond["expected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "arn:aws:s3:::amzn-s3-demo-source-bucket/*")
    );
}

/// A key policy AWS would reject is not trusted: where it would allow, the answer is
/// Indeterminate (exit 3), and its diagnostics are printed. (KMS rejects `ForAllValues` on an
/// encryption-context key; read literally it would allow a request with no context.)
#[test]
fn invalid_policy_gives_indeterminate_exit_3() {
    let out = kmsguard(&[
        "can",
        "--principal",
        "arn:aws:iam::111122223333:root",
        "--action",
        "kms:Decrypt",
        "--resource",
        SOURCE_KEY,
        "--key-policy",
        "fixtures/parse/key--forallvalues-encryption-context.json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Indeterminate: "));
    assert!(String::from_utf8_lossy(&out.stderr).contains("P126"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        kmsguard(&["can", "--principal", ROLE_SESSION])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        replication(&["--context", "no-equals-sign"]).status.code(),
        Some(2)
    );
    assert_eq!(
        replication(&["--key-policy", "no/such/file.json"])
            .status
            .code(),
        Some(2)
    );
    let bad_principal = kmsguard(&[
        "can",
        "--principal",
        "bob",
        "--action",
        "kms:Decrypt",
        "--resource",
        SOURCE_KEY,
    ]);
    assert_eq!(bad_principal.status.code(), Some(2));
}

#[test]
fn non_key_actions_are_decided_by_iam_alone() {
    let out = kmsguard(&[
        "can",
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/KeyAdmin/alice",
        "--action",
        "kms:CreateKey",
        "--resource",
        "*",
        "--identity-policy",
        "policies/identity-policies/key-admin.json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The explanation says which path to the key was used or is missing (D11).
#[test]
fn explanation_names_the_key_path() {
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let out = kmsguard(&[
        "can",
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/AppRole/s",
        "--action",
        "kms:Decrypt",
        "--resource",
        key,
        "--key-policy",
        "policies/key-policies/default-api.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("delegates to account 111122223333"), "{text}");
    assert!(
        text.contains("none of the caller's identity policies allows it"),
        "{text}"
    );
    let out = kmsguard(&[
        "can",
        "--principal",
        "arn:aws:sts::444455556666:assumed-role/PartnerAppRole/s",
        "--action",
        "kms:Decrypt",
        "--resource",
        key,
        "--key-policy",
        "policies/key-policies/default-api.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("path missing: cross-account"));
}
