//! Every document of the public corpus parses with no error-level diagnostic: AWS accepted all
//! 1,645 managed policies, and the key policies, identity policies and grants are published,
//! working documents (see `fixtures/corpus/*/SOURCE.md`).

use std::path::{Path, PathBuf};

use kmsguard_syntax::{ParseOptions, Severity, SourceFile, parse_bytes, render};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/corpus")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Published documents that AWS rejects when they are written. Each stays in the corpus count
/// and must produce exactly this error (and no other): they are true positives, not parser
/// bugs. Evidence is the AWS rule cited beside each (see also evaluation.md A13).
const KNOWN_INVALID: &[(&str, &str)] = &[
    // `instanceprofile/...` is not a principal type (A7.2); cfn-lint ships it as a *bad* template.
    ("cfnlint-resources-circular-dependency-mykms.json", "P116"),
    // 11-digit account id `01234567890` in a principal ARN (documentation typo).
    ("eventbridgedoc-eb-pipes-error-troubleshooting.json", "P116"),
    // `arn:aws::iam:123456789123:...`: the service and region segments are swapped (typo).
    ("guardduty-upload-lists-2.json", "P116"),
    // `arn:aws:iam::*:root`: partial wildcards are not allowed in principals (A7.2 [DOC]);
    // the source repository ships it as an insecure-policy test case.
    ("iam-policy-validator-kms-key-policy-insecure.json", "P116"),
    // `"aws:RequestedRegion": []`: a Control Tower template whose Region list is left for the
    // reader to fill in; a condition with no values is rejected (conditions.md §1).
    ("controltowerdoc-data-residency-controls.json", "P122"),
    // Sid with spaces in an IAM identity policy: IAM accepts only A-Z, a-z, 0-9 (A5 [DOC]).
    ("rdsdoc-user-exportsnapshot-7.json", "P123"),
    // A single statement from the SageMaker guide with no `Resource`; identity policies
    // require one (A9, A11).
    ("sagemakerdoc-sagemaker-roles-19.json", "P112"),
    // `"Condition": {"Condition": {...}}`: `Condition` is not an operator (conditions.md §7).
    (
        "terraform-dxw-dalmat-kms-key-policy-cloudtrail.json",
        "P119",
    ),
];

/// Parses every file under `dir`; returns (files, documents) and fails listing every error
/// other than the known, expected rejections.
fn parse_all(dir: &Path) -> (usize, usize) {
    let files = json_files(dir);
    let mut documents = 0;
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read corpus file");
        let parsed = parse_bytes(&bytes, &ParseOptions::default());
        documents += parsed.documents.len();
        let source = SourceFile::new(
            path.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        );
        let errors: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some((_, code)) = KNOWN_INVALID
            .iter()
            .find(|(suffix, _)| name.ends_with(suffix))
        {
            let codes: Vec<&str> = errors.iter().map(|d| d.code.as_str()).collect();
            if codes != [*code] {
                failures.push(format!(
                    "{}: expected exactly one {code}, got {codes:?}",
                    path.display()
                ));
            }
            continue;
        }
        for d in errors {
            failures.push(render::render(d, &source, render::RenderOptions::default()));
        }
        if parsed.documents.is_empty() {
            failures.push(format!("{}: no document read", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
    (files.len(), documents)
}

#[test]
fn aws_managed_policies_have_no_errors() {
    let (files, docs) = parse_all(&corpus().join("aws-managed-policies"));
    assert_eq!(files, 1645);
    assert_eq!(docs, 1645);
}

#[test]
fn key_policies_identity_policies_and_grants_have_no_errors() {
    let dir = corpus().join("key-policies");
    let (files, docs) = parse_all(&dir);
    assert_eq!(files, 121 + 93 + 8);
    assert_eq!(docs, files);
    let known = KNOWN_INVALID
        .iter()
        .filter(|(f, _)| {
            json_files(&dir)
                .iter()
                .any(|p| p.to_string_lossy().ends_with(f))
        })
        .count();
    assert_eq!(
        known,
        KNOWN_INVALID.len(),
        "every known-invalid entry names a corpus file"
    );
    assert_eq!(json_files(&dir.join("identity")).len(), 93);
    assert_eq!(json_files(&dir.join("grants")).len(), 8);
}
