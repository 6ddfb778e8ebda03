//! The YAML reader: spans, short forms, scalar types, aliases, malformed input.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::scalars::is_json_number;
use super::*;

fn read(text: &str) -> (Option<Node<'_>>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let node = parse(text, &Limits::default(), &mut diags);
    (node, diags)
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.range()]
}

#[test]
fn spans_are_bytes_after_non_ascii_text() {
    let text = "# héllo wörld ⟪⟫\nA: \"ü\"\nB: !Ref Thing\nC: plain ✓ text\n";
    let (root, diags) = read(text);
    assert!(diags.is_empty(), "{diags:?}");
    let root = root.unwrap();
    let a = root.get("A").unwrap();
    assert_eq!(slice(text, a.span), "\"ü\"");
    let b = root.get("B").unwrap();
    assert_eq!(slice(text, b.span), "!Ref Thing");
    let inner = b.get("Ref").unwrap();
    assert_eq!(slice(text, inner.span), "Thing");
    assert_eq!(inner.as_str(), Some("Thing"));
    let key = &b.as_object().unwrap()[0];
    assert_eq!(slice(text, key.key_span), "!Ref");
    assert_eq!(slice(text, root.get("C").unwrap().span), "plain ✓ text");
}

#[test]
fn short_forms_become_long_forms() {
    let text = "A: !GetAtt [Key, Arn]\nB: !GetAtt Key.Arn\nC: !Sub\n  - x${V}\n  - V: 1\nD: !Condition IsProd\n";
    let (root, diags) = read(text);
    assert!(diags.is_empty(), "{diags:?}");
    let root = root.unwrap();
    let a = root.get("A").unwrap();
    assert_eq!(slice(text, a.span), "!GetAtt [Key, Arn]");
    assert_eq!(slice(text, a.get("Fn::GetAtt").unwrap().span), "[Key, Arn]");
    assert_eq!(
        root.get("B").unwrap().get("Fn::GetAtt").unwrap().as_str(),
        Some("Key.Arn")
    );
    let c = root.get("C").unwrap().get("Fn::Sub").unwrap();
    assert_eq!(c.as_array().unwrap().len(), 2);
    assert_eq!(slice(text, c.span), "- x${V}\n  - V: 1");
    assert!(root.get("D").unwrap().get("Condition").is_some());
}

#[test]
fn scalars_are_typed_like_json() {
    let text =
        "a: true\nb: 'true'\nc: 12\nd: 012345678901\ne:\nf: 2012-10-17\ng: !!str 5\nh: 1.5e3\n";
    let (root, _) = read(text);
    let root = root.unwrap();
    assert_eq!(root.get("a").unwrap().value, Value::Bool(true));
    assert_eq!(root.get("b").unwrap().as_str(), Some("true"));
    assert_eq!(root.get("c").unwrap().value, Value::Number("12"));
    assert_eq!(root.get("d").unwrap().as_str(), Some("012345678901"));
    assert_eq!(root.get("e").unwrap().value, Value::Null);
    assert_eq!(root.get("f").unwrap().as_str(), Some("2012-10-17"));
    assert_eq!(root.get("g").unwrap().as_str(), Some("5"));
    assert_eq!(root.get("h").unwrap().value, Value::Number("1.5e3"));
}

#[test]
fn block_collections_end_at_their_last_child() {
    let text = "Outer:\n  List:\n    - a\n    - b\n\n# trailing\nNext: 1\n";
    let (root, _) = read(text);
    let root = root.unwrap();
    let outer = root.get("Outer").unwrap();
    assert_eq!(slice(text, outer.span), "List:\n    - a\n    - b");
    assert_eq!(slice(text, root.span).lines().last(), Some("Next: 1"));
}

#[test]
fn aliases_are_refused() {
    let text = "A: &x 1\nB: *x\n";
    let (root, diags) = read(text);
    assert!(root.is_some());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, codes::P302);
    assert_eq!(slice(text, diags[0].primary_span()), "*x");
}

#[test]
fn malformed_yaml_gives_one_positioned_diagnostic() {
    let text = "A:\n  - b\n c: d\n";
    let (root, diags) = read(text);
    assert!(root.is_none());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, codes::P301);
    let lc = kmsguard_syntax::source::line_col(text, diags[0].primary_span().start as usize);
    assert_eq!((lc.line, lc.column), (3, 2));
}

#[test]
fn unknown_tags_and_multiple_documents() {
    let (_, diags) = read("a: !Foo b\n");
    assert_eq!(diags[0].code, codes::P303);
    let (root, diags) = read("--- {a: 1}\n--- {b: 2}\n");
    assert!(root.is_some());
    assert_eq!(diags[0].code, codes::P304);
}

#[test]
fn deep_nesting_is_refused() {
    let text = "[".repeat(200);
    let (root, diags) = read(&text);
    assert!(root.is_none());
    assert_eq!(diags[0].code, Code::P004);
    // Deeper still, the YAML reader's own limit answers first.
    let text = "[".repeat(5000);
    let (root, diags) = read(&text);
    assert!(root.is_none());
    assert_eq!(diags.len(), 1);
}

#[test]
fn json_numbers() {
    for ok in ["0", "-1", "12", "1.5", "1e5", "-0.5E-3"] {
        assert!(is_json_number(ok), "{ok}");
    }
    for bad in ["", "-", "01", "1.", ".5", "1e", "0x1F", "+1", "1_000"] {
        assert!(!is_json_number(bad), "{bad}");
    }
}
