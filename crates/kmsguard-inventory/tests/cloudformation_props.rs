//! Reading a template never panics: arbitrary text, YAML-like text, truncated and altered
//! fixtures, deeply nested intrinsics and long reference chains (on the default test thread
//! stack, in debug builds).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use kmsguard_inventory::{Inventory, LoadOptions, read_file};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cloudformation")
        .join(name)
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

use proptest::prelude::*;

const FIXTURES: [&str; 10] = [
    "replication-sse-kms.yaml",
    "replication-sse-kms-broken.yaml",
    "ami-sharing-key.json",
    "ami-sharing-key-broken.json",
    "public-key.yaml",
    "public-key-broken.yaml",
    "rotation-by-key-type.yaml",
    "rotation-by-key-type-broken.yaml",
    "key-admin-separation.yaml",
    "key-admin-separation-broken.yaml",
];

fn fixture_text(i: usize) -> String {
    std::fs::read_to_string(fixture_path(FIXTURES[i % FIXTURES.len()])).unwrap()
}

fn cut(text: &str, at: usize) -> &str {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text(text in ".{0,300}", yaml in any::<bool>()) {
        let name = if yaml { "t.yaml" } else { "t.json" };
        let _ = read_text(name, &text);
    }

    #[test]
    fn yaml_like_text(text in "([A-Za-z:!\\[\\]{}\"'#&*|>, \n-]|  |Fn::Sub|\\$\\{|!Ref |!If |Resources:\n  K:\n    Type: AWS::KMS::Key\n){0,80}") {
        let _ = read_text("t.yaml", &text);
    }

    #[test]
    fn truncated_templates(i in 0usize..10, at in any::<usize>()) {
        let text = fixture_text(i);
        let name = FIXTURES[i];
        let _ = read_text(name, cut(&text, at));
    }

    #[test]
    fn templates_with_a_byte_changed(i in 0usize..10, at in any::<usize>(), c in any::<char>()) {
        let text = fixture_text(i);
        let at = cut(&text, at).len();
        let mut changed = text[..at].to_owned();
        changed.push(c);
        changed.push_str(text[at..].get(1..).unwrap_or(""));
        let _ = read_text(FIXTURES[i], &changed);
    }
}

#[test]
fn deeply_nested_intrinsics() {
    // 60 nested `Fn::Join`s and the template's 4 mappings use 124 of the 128 levels the
    // reader accepts.
    let depth = 60;
    let text = format!(
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: {}x{}\n",
        "!Join ['', [".repeat(depth),
        "]]".repeat(depth)
    );
    let inv = read_text("t.yaml", &text);
    assert_eq!(inv.keys.len(), 1);
    let json = format!(
        "{{\"Resources\": {{\"K\": {{\"Type\": \"AWS::KMS::Key\", \"Properties\": {{\"Description\": {}\"x\"{}}}}}}}}}",
        "{\"Fn::Join\": [\"\", [".repeat(40),
        "]]}".repeat(40)
    );
    let inv = read_text("t.json", &json);
    assert_eq!(inv.keys.len(), 1, "{:?}", inv.diagnostics);
}

#[test]
fn long_reference_chains() {
    // Each role's name refers to the next role's name.
    let mut text = String::from("Resources:\n");
    for i in 0..400 {
        text.push_str(&format!(
            "  R{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub \"${{R{}}}-x\"\n",
            i + 1
        ));
    }
    // The last name is itself deeply nested.
    text.push_str(&format!(
        "  R400:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: {}x{}\n",
        "!Join ['', [".repeat(60),
        "]]".repeat(60)
    ));
    // So are conditions that refer to one another.
    text.push_str("Conditions:\n");
    for i in 0..100 {
        text.push_str(&format!(
            "  C{i}: !And [!Condition C{}, {}!Equals [a, a]{}]\n",
            i + 1,
            "!Not [".repeat(30),
            "]".repeat(30)
        ));
    }
    text.push_str("  C100: !Equals [a, a]\n");
    text = text.replacen("  R0:\n", "  R0:\n    Condition: C0\n", 1);
    let inv = read_text("t.yaml", &text);
    assert_eq!(inv.identities.len(), 401);
}

#[test]
fn every_prefix_of_a_template() {
    let text = fixture_text(0);
    for at in (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .step_by(7)
    {
        let _ = read_text("t.yaml", &text[..at]);
    }
    let text = fixture_text(2);
    for at in (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .step_by(5)
    {
        let _ = read_text("t.json", &text[..at]);
    }
}
