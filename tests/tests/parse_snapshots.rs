//! Malformed inputs under `fixtures/parse/`: one snapshot of the rendered diagnostics per file
//! (no colour, fixed width). A file named `KIND--name.json` is read as a policy of that kind
//! (`identity--principal.json` is an identity policy); other kinds are inferred.

use kmsguard_syntax::ast::PolicyKind;
use kmsguard_syntax::render::{RenderOptions, render};
use kmsguard_syntax::{ParseOptions, Severity, SourceFile, parse_bytes};

fn render_file(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).expect("read fixture");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name")
        .to_owned();
    let kind = name
        .split_once("--")
        .and_then(|(k, _)| PolicyKind::from_name(k));
    let parsed = parse_bytes(
        &bytes,
        &ParseOptions {
            kind,
            ..ParseOptions::default()
        },
    );
    let source = SourceFile::new(name, String::from_utf8_lossy(&bytes).into_owned());
    let mut out = format!(
        "format: {}\ndocuments: {}\n\n",
        parsed.format.map_or("(none)", |f| f.name()),
        parsed.documents.len()
    );
    for d in &parsed.diagnostics {
        out.push_str(&render(
            d,
            &source,
            RenderOptions {
                color: false,
                width: 100,
            },
        ));
        out.push('\n');
    }
    out
}

#[test]
fn malformed_inputs() {
    insta::glob!("../../fixtures/parse", "*.json", |path| {
        insta::assert_snapshot!(render_file(path));
    });
}

/// Every malformed fixture yields at least one finding, and every fixture except the
/// warning-only ones yields an error: no malformed input passes silently.
#[test]
fn every_malformed_input_is_reported() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/parse");
    let warning_only = [
        "principal-placeholder.json",
        "condition-operator-case.json",
        "variable-malformed.json",
        "variable-escaped-text.json",
    ];
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/parse") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let kind = name
            .split_once("--")
            .and_then(|(k, _)| PolicyKind::from_name(k));
        let parsed = parse_bytes(
            &std::fs::read(&path).expect("read"),
            &ParseOptions {
                kind,
                ..ParseOptions::default()
            },
        );
        assert!(!parsed.diagnostics.is_empty(), "{name}: no diagnostic");
        let has_error = parsed
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error);
        assert_eq!(
            has_error,
            !warning_only.contains(&name.as_str()),
            "{name}: {:?}",
            parsed.diagnostics
        );
        count += 1;
    }
    assert!(count >= 40, "only {count} malformed fixtures");
}
