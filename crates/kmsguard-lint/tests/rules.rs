//! Rule tests: the registry is complete and codes are unique; every rule's documented examples
//! behave as documented; every rule's fixtures under `fixtures/rules/<CODE>-<name>/` give at
//! least one finding of that rule for `invalid-*` files and none for `valid-*` files, with one
//! snapshot per file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::Path;

use kmsguard_lint::{RuleMeta, lint_file, registry};
use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::render::{RenderOptions, render};
use kmsguard_syntax::{Diagnostic, ParseOptions, SourceFile, parse_text};

fn lint(name: &str, text: &str, kind: Option<PolicyKind>) -> (SourceFile, Vec<Diagnostic>) {
    let parsed = parse_text(
        text,
        &ParseOptions {
            kind,
            ..ParseOptions::default()
        },
    );
    let source = SourceFile::new(name, text);
    let mut all = parsed.diagnostics.clone();
    all.extend(lint_file(&parsed, &source, &|_| true));
    kmsguard_syntax::diagnostic::sort(&mut all);
    (source, all)
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for r in registry::RULES {
        let m: &RuleMeta = r.meta();
        let code = m.code.as_str();
        assert!(seen.insert(code), "duplicate code {code}");
        assert!(
            matches!(code.as_bytes()[0], b'I' | b'K' | b'G'),
            "{code}: family letter"
        );
        assert!(
            code.len() == 4 && code[1..].bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        assert!(
            m.code
                .name()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{code}: kebab-case name"
        );
        assert!(!m.summary().is_empty(), "{code}: docs");
        assert!(registry::find(code).is_some() && registry::find(m.code.name()).is_some());
    }
}

/// Every rule file under `src/rules/` is listed in the registry (and nothing else is).
#[test]
fn registry_lists_every_rule_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut files = 0;
    for category in std::fs::read_dir(&dir).unwrap() {
        let category = category.unwrap().path();
        if !category.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&category).unwrap() {
            let f = f.unwrap().path();
            if f.file_name().unwrap() != "mod.rs" {
                files += 1;
            }
        }
    }
    assert_eq!(
        files,
        registry::RULES.len(),
        "rule files vs registry entries"
    );
}

/// Examples in the docs: ```json,invalid fires the rule at least once, ```json,valid never.
#[test]
fn documented_examples_behave() {
    for r in registry::RULES {
        let m = r.meta();
        let mut examples = 0;
        let mut rest = m.docs;
        while let Some(start) = rest.find("```json,") {
            let after = &rest[start + "```json,".len()..];
            let (tag, body) = after.split_once('\n').unwrap();
            let end = body.find("```").unwrap();
            let text = &body[..end];
            rest = &body[end + 3..];
            let kind = m.applies_first_kind();
            let (_, findings) = lint(m.code.as_str(), text, kind);
            let hits = findings.iter().filter(|d| d.code == m.code).count();
            match tag.trim() {
                "invalid" => assert!(hits >= 1, "{}: invalid example did not fire", m.code),
                "valid" => assert_eq!(hits, 0, "{}: valid example fired: {findings:?}", m.code),
                other => panic!("{}: unknown example tag {other}", m.code),
            }
            examples += 1;
        }
        assert!(examples >= 1, "{}: no documented example", m.code);
    }
}

fn rule_fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules")
}

/// `fixtures/rules/<CODE>-<name>/{valid,invalid}-*.json`: at least one valid and one invalid
/// file per rule; valid files give no finding of the rule, invalid ones at least one.
/// A file named `KIND--...` inside is read as that policy kind.
#[test]
fn rule_fixtures() {
    let mut missing = Vec::new();
    for r in registry::RULES {
        let m = r.meta();
        let dir = rule_fixture_dir().join(format!("{}-{}", m.code.as_str(), m.code.name()));
        let Ok(entries) = std::fs::read_dir(&dir) else {
            missing.push(format!("{} (no {})", m.code, dir.display()));
            continue;
        };
        let (mut valid, mut invalid) = (0, 0);
        let mut names: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        names.sort();
        for path in names {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let kind = name.split_once("--").and_then(|(k, _)| {
                PolicyKind::from_name(
                    k.trim_start_matches("valid-")
                        .trim_start_matches("invalid-"),
                )
            });
            let (source, findings) = lint(&name, &text, kind);
            let hits = findings.iter().filter(|d| d.code == m.code).count();
            if name.starts_with("valid-") {
                valid += 1;
                assert_eq!(hits, 0, "{}/{name}: {findings:?}", m.code);
            } else if name.starts_with("invalid-") {
                invalid += 1;
                assert!(hits >= 1, "{}/{name}: rule did not fire", m.code);
            } else {
                panic!(
                    "{}/{name}: fixture names start with valid- or invalid-",
                    m.code
                );
            }
            let mut snap = String::new();
            for d in &findings {
                snap.push_str(&render(
                    d,
                    &source,
                    RenderOptions {
                        color: false,
                        width: 100,
                    },
                ));
                snap.push('\n');
            }
            insta::with_settings!({ snapshot_suffix => format!("{}-{}", m.code.as_str(), name), prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!("rule", snap);
            });
        }
        if valid == 0 || invalid == 0 {
            missing.push(format!(
                "{}: {valid} valid, {invalid} invalid fixtures",
                m.code
            ));
        }
    }
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
}
