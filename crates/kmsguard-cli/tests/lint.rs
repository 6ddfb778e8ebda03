//! `kmsguard lint`, `rules` and `explain` end to end: outputs (SARIF validated against the
//! OASIS schema), `--fail-on`, configuration, suppressions and baselines.

// Test code reports failures by panicking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmsguard"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kmsguard")
}

fn kmsguard(args: &[&str]) -> Output {
    run_in(&root(), args)
}

/// A scratch directory with a public key policy (one K201 finding) and a clean one.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kmsguard-lint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    std::fs::copy(
        root().join("fixtures/rules/K201-public-key/invalid-negated-condition.json"),
        dir.join("keys/public.json"),
    )
    .unwrap();
    std::fs::copy(
        root().join("policies/key-policies/default-console.json"),
        dir.join("keys/console.json"),
    )
    .unwrap();
    dir
}

/// The correct examples in `policies/` give no warning or error (the cross-account examples
/// carry K209 external-access information, which is their point).
#[test]
fn bundled_examples_lint_clean() {
    for dir in [
        "policies/key-policies",
        "policies/identity-policies",
        "policies/grants",
        "policies/cli",
    ] {
        let out = kmsguard(&["lint", "--no-config", "--fail-on", "warning", dir]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{dir}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Each broken example in `policies/broken/` gives exactly its intended finding: the code its
/// file name starts with, once, and nothing else.
#[test]
fn broken_examples_give_exactly_their_finding() {
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("policies/broken")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let code = name.split('-').next().unwrap();
        let out = kmsguard(&[
            "lint",
            "--no-config",
            "--format",
            "json",
            path.to_str().unwrap(),
        ]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let codes: Vec<&str> = v["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, [code], "{name}");
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} broken examples");
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let out = kmsguard(&[
        "lint",
        "--no-config",
        "--format",
        "sarif",
        "fixtures/rules",
        "fixtures/parse/get-key-policy-embedded-error.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema_text =
        std::fs::read_to_string(root().join("fixtures/sarif-schema-2.1.0.json")).unwrap();
    // The OASIS schema's `run.language` pattern has a stray `]` (`...[a-zA-Z]{2}]?$`) that
    // strict (Unicode-mode) regex engines reject while compiling the schema. Escape it, which
    // keeps its meaning (a literal `]`) in the engines that accept it; kmsguard never writes
    // `language` anyway.
    let schema_text = schema_text.replace(r#"[a-zA-Z]{2}]?$"#, r#"[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject a broken log.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::Value::from("loud");
    assert!(!validator.is_valid(&broken));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "K201"));
    // Every result points at a rule of the driver, by id and index.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    // The embedded-policy finding points into the `Policy` string on line 2.
    let p107 = results.iter().find(|r| r["ruleId"] == "P107").unwrap();
    assert_eq!(
        p107["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn github_annotations() {
    let dir = scratch("github");
    let out = run_in(&dir, &["lint", "--format", "github", "keys"]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail by default"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.contains("K201")).unwrap();
    assert!(
        line.starts_with("::warning file=keys/public.json,line="),
        "{line}"
    );
    assert!(line.contains(",title=K201 public-key::"), "{line}");
}

#[test]
fn fail_on_warning() {
    let dir = scratch("failon");
    assert_eq!(run_in(&dir, &["lint", "keys"]).status.code(), Some(0));
    assert_eq!(
        run_in(&dir, &["lint", "--fail-on", "warning", "keys"])
            .status
            .code(),
        Some(1)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn config_overrides_suppresses_and_excludes() {
    let dir = scratch("config");
    // Raise K201 to an error: the run fails.
    std::fs::write(dir.join("kmsguard.toml"), "[rules]\nK201 = \"error\"\n").unwrap();
    let out = run_in(&dir, &["lint", "keys"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("× statement `NotThisAccount`"));
    // Turn it off by name.
    std::fs::write(dir.join("kmsguard.toml"), "[rules]\npublic-key = \"off\"\n").unwrap();
    assert!(
        run_in(&dir, &["lint", "--fail-on", "info", "keys"])
            .status
            .success()
    );
    // A suppression needs a reason.
    std::fs::write(
        dir.join("kmsguard.toml"),
        "[[suppress]]\npath = \"keys/*.json\"\ncode = \"K201\"\n",
    )
    .unwrap();
    let out = run_in(&dir, &["lint", "keys"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a `reason`"));
    // Scoped to another Sid, it does not apply; to the right Sid, it does.
    std::fs::write(dir.join("kmsguard.toml"), "[[suppress]]\npath = \"keys/*.json\"\ncode = \"K201\"\nsid = \"Other\"\nreason = \"test\"\n").unwrap();
    assert_eq!(
        run_in(&dir, &["lint", "--fail-on", "warning", "keys"])
            .status
            .code(),
        Some(1)
    );
    std::fs::write(dir.join("kmsguard.toml"), "[[suppress]]\npath = \"keys/*.json\"\ncode = \"K201\"\nsid = \"NotThisAccount\"\nreason = \"shared on purpose\"\n").unwrap();
    assert_eq!(
        run_in(&dir, &["lint", "--fail-on", "warning", "keys"])
            .status
            .code(),
        Some(0)
    );
    // Excluded paths are not linted.
    std::fs::write(
        dir.join("kmsguard.toml"),
        "[files]\nexclude = [\"keys/public.json\"]\n",
    )
    .unwrap();
    assert_eq!(
        run_in(&dir, &["lint", "--fail-on", "warning", "keys"])
            .status
            .code(),
        Some(0)
    );
    // Unknown rules and bad values are configuration errors.
    std::fs::write(dir.join("kmsguard.toml"), "[rules]\nK999 = \"off\"\n").unwrap();
    assert_eq!(run_in(&dir, &["lint", "keys"]).status.code(), Some(2));
    std::fs::write(dir.join("kmsguard.toml"), "[rules]\nK201 = \"loud\"\n").unwrap();
    assert_eq!(run_in(&dir, &["lint", "keys"]).status.code(), Some(2));
    // `--no-config` ignores the file; the config is also found from a subdirectory.
    assert_eq!(
        run_in(&dir, &["lint", "--no-config", "keys"]).status.code(),
        Some(0)
    );
    std::fs::write(dir.join("kmsguard.toml"), "[rules]\nK201 = \"error\"\n").unwrap();
    assert_eq!(
        run_in(&dir.join("keys"), &["lint", "."]).status.code(),
        Some(1)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = scratch("baseline");
    let out = run_in(
        &dir,
        &[
            "lint",
            "--fail-on",
            "warning",
            "--baseline",
            "baseline.json",
            "keys",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "first run records the baseline");
    assert!(String::from_utf8_lossy(&out.stderr).contains("recorded 1 finding"));
    assert_eq!(
        run_in(
            &dir,
            &[
                "lint",
                "--fail-on",
                "warning",
                "--baseline",
                "baseline.json",
                "keys"
            ]
        )
        .status
        .code(),
        Some(0)
    );
    // A new public key is a new finding.
    std::fs::copy(dir.join("keys/public.json"), dir.join("keys/public2.json")).unwrap();
    let out = run_in(
        &dir,
        &[
            "lint",
            "--fail-on",
            "warning",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "keys",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["warnings"], 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rules_and_explain() {
    let out = kmsguard(&["rules"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("K201  public-key"));
    let out = kmsguard(&["explain", "K201"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# K201 public-key"));
    assert!(text.contains("## Why it matters"));
    assert_eq!(kmsguard(&["explain", "K999"]).status.code(), Some(2));
}

/// `docs/rules/<CODE>.md` is `kmsguard explain CODE` for every rule, and `docs/rules/README.md`
/// is `kmsguard rules`; run with `UPDATE_DOCS=1` to regenerate after changing a rule's docs.
#[test]
fn rule_docs_are_current() {
    let dir = root().join("docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let table = String::from_utf8(kmsguard(&["rules"]).stdout).unwrap();
    let mut expected = vec![(
        dir.join("README.md"),
        format!(
            "# kmsguard lint rules\n\nGenerated from `kmsguard rules`; each rule's page is `kmsguard explain CODE`.\n\n```\n{table}```\n"
        ),
    )];
    for line in table.lines().skip(1) {
        let code = line.split_whitespace().next().unwrap();
        let page = String::from_utf8(kmsguard(&["explain", code]).stdout).unwrap();
        expected.push((dir.join(format!("{code}.md")), page));
    }
    let mut stale = Vec::new();
    for (path, text) in &expected {
        if update {
            std::fs::write(path, text).unwrap();
        } else if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs (regenerate with UPDATE_DOCS=1 cargo test -p kmsguard-cli --test lint): {stale:?}"
    );
}
