//! The direct reader of bare identity policies against the tree path: the same file, spans
//! and diagnostics for every input (compared through `Debug`, which shows the spans that
//! `PartialEq` ignores).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::{InputFormat, ParseOptions, parse_text, parse_text_via_tree};
use crate::ast::PolicyKind;
use crate::lower;

fn option_sets() -> [ParseOptions; 4] {
    let mut shallow = ParseOptions::default();
    shallow.limits.max_depth = 4;
    [
        ParseOptions::default(),
        ParseOptions {
            kind: Some(PolicyKind::Identity),
            ..ParseOptions::default()
        },
        ParseOptions {
            format: Some(InputFormat::Policy),
            ..ParseOptions::default()
        },
        shallow,
    ]
}

/// Asserts both paths agree on `text` under every option set; whether the direct reader
/// took it with the default options.
fn same(text: &str) -> bool {
    for options in option_sets() {
        let direct = format!("{:#?}", parse_text(text, &options));
        let tree = format!("{:#?}", parse_text_via_tree(text, &options));
        assert_eq!(direct, tree, "{options:?} on {text:?}");
    }
    lower::identity_policy(text, &ParseOptions::default().limits).is_some()
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn repo_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    json_files(&root.join("fixtures"), &mut files);
    json_files(&root.join("policies"), &mut files);
    files.sort();
    files
}

#[test]
fn every_repository_json_file_reads_the_same() {
    let (mut total, mut direct, mut managed, mut managed_direct) = (0, 0, 0, 0);
    for path in repo_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let took = same(&text);
        total += 1;
        direct += usize::from(took);
        if path.to_string_lossy().contains("aws-managed-policies") {
            managed += 1;
            managed_direct += usize::from(took);
        }
    }
    assert!(total > 2000, "{total} files");
    // The reader must pay where it is meant to: nearly every managed policy takes it.
    assert!(
        managed_direct * 10 > managed * 9,
        "{managed_direct} of {managed}"
    );
    assert!(direct > 0);
}

#[test]
fn edge_cases_read_the_same() {
    let cases = [
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":["s3:Get*"],"Resource":["*"]}],"Version":"2012-10-17"}"#,
        "\u{feff}{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::b/${aws:username}\"}}",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username"}}"#,
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/x":"${aws:username}"}}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"stringequals":{"kms:ViaService":["a","b"]}}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":[[[["x"]]]]}}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{}}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]} x"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*",}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[]}"#,
        r#"{"Version":"2012-10-17","Statement":[{}]}"#,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"},"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"k*s:x","Resource":"arn:aws"}]}"#,
        r#"{"Ver\u0073ion":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:\u0044ecrypt","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Sid":1}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}],"Extra":1}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"{{resolve:x}}","Resource":"${Token[TOKEN.1]}"}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}], "PolicyVersion": 1}"#,
        "",
        "[]",
        "{}",
    ];
    for text in cases {
        same(text);
    }
    assert!(same(cases[0]) && same(cases[1]) && same(cases[2]));
}

/// `Condition` objects read without the tree: the shapes taken, and each way out.
#[test]
fn condition_edge_cases_read_the_same() {
    let wrap = |c: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{c}}}]}}"#
        )
    };
    let taken = [
        r#"{"StringEquals":{"kms:ViaService":"s3.amazonaws.com"}}"#,
        r#"{"StringEquals":{"a:b":["x","y"],"c:d":"z"},"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"t*"}}"#,
        r#"{ "Bool" : { "aws:SecureTransport" : [ true , false ] } , "Null" : { "aws:x" : "true" } }"#,
        r#"{"Bool":{"aws:SecureTransport":false}}"#,
        r#"{"ForAllValues:StringEquals":{"kms:EncryptionContext:a":"b","aws:RequestTag/x":"y"}}"#,
        r#"{"StringEquals":{"aws:PrincipalTag/t":"${aws:username}","k\u0041":"\u0041${aws:userid}"}}"#,
        "{\n  \"StringEquals\": {\n    \"a:b\": [\n      \"x\"\n    ]\n  }\n}",
    ];
    for c in taken {
        assert!(same(&wrap(c)), "{c}");
    }
    let left = [
        "{}",
        r#"{"StringEquals":{}}"#,
        r#"{"StringEquals":{"a:b":[]}}"#,
        r#"{"StringEquals":{"a:b":1}}"#,
        r#"{"NumericLessThan":{"a:b":[1,"2"]}}"#,
        r#"{"StringEquals":{"a:b":null}}"#,
        r#"{"StringEquals":{"a:b":[["x"]]}}"#,
        r#"{"StringEquals":{"a:b":{"x":"y"}}}"#,
        r#"{"StringEquals":"x"}"#,
        r#"{"StringEquals":{"a:b":"x","a:b":"y"}}"#,
        r#"{"StringEquals":{"a:b":"x"},"StringEquals":{"c:d":"y"}}"#,
        r#"{"StringEquals":{"a:b":"x"},"stringEquals":{"c:d":"y"}}"#,
        r#"{"stringequals":{"a:b":"x"}}"#,
        r#"{"StringEqualsifexists":{"a:b":"x"}}"#,
        r#"{"forallvalues:StringEquals":{"a:b":"x"}}"#,
        r#"{"ForSomeValues:StringEquals":{"a:b":"x"}}"#,
        r#"{"ForAllValues:Null":{"a:b":"x"}}"#,
        r#"{"NullIfExists":{"a:b":"x"}}"#,
        r#"{"StringEquals:IfExists":{"a:b":"x"}}"#,
        r#"{"Nope":{"a:b":"x"}}"#,
        r#"{"StringLike":{"a:b":"${aws:username"}}"#,
        r#"{"Bool":{"a:b":tru}}"#,
        r#"{"Bool":{"a:b":truex}}"#,
        r#"{"StringEquals":{"a:b":"x",}}"#,
        r#"["x"]"#,
        r#""x""#,
    ];
    for c in left {
        assert!(!same(&wrap(c)), "{c}");
    }
    // Too deep for the tree reader only when a value list is read.
    for depth in 4..8 {
        let mut options = ParseOptions::default();
        options.limits.max_depth = depth;
        for c in [taken[0], taken[1]] {
            let text = wrap(c);
            let direct = format!("{:#?}", parse_text(&text, &options));
            let tree = format!("{:#?}", parse_text_via_tree(&text, &options));
            assert_eq!(direct, tree, "{depth} {c}");
        }
    }
}

/// Text pieces that steer the direct reader into each of its exits.
const TOKENS: [&str; 32] = [
    "\"Principal\": \"*\", ",
    "\"Condition\": {\"Bool\": {\"aws:SecureTransport\": [true, \"false\"]}}, ",
    "\"StringEquals\": {\"a:b\": \"x\"}, ",
    "\"ForAllValues:StringEquals\"",
    "true",
    "\"NotAction\": \"s3:*\", ",
    "\"NotResource\": \"*\", ",
    "\"Sid\": \"x y\", ",
    "\"Sid\": \"Ok\", ",
    "\"Effect\": \"Deny\", ",
    "\"Condition\": {\"StringLike\": {\"aws:userid\": \"${aws:userid\"}}, ",
    "\"Condition\": {}, ",
    "\"Id\": \"p\", ",
    "\"Version\": \"2008-10-17\", ",
    "\\u0041",
    "\\\"",
    ",",
    "]",
    "}",
    "[",
    "{",
    "\"",
    "*",
    ":",
    "null",
    "1",
    "[]",
    " ",
    "\n",
    "${aws:username}",
    "\u{e9}",
    "\u{1}",
];

fn seeds() -> Vec<String> {
    let mut out: Vec<String> = repo_files()
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            s.contains("aws-managed-policies") || s.contains("identity-policies")
        })
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| t.len() < 3000)
        .take(60)
        .collect();
    out.push(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/${aws:username}","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}"#
            .to_owned(),
    );
    out
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Replace(usize, u8),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::Delete(at, len) => {
                let at = at % n;
                let end = (at + len % 8).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Edit::Insert(at, token) => {
                let at = (at % (bytes.len() + 1)).min(bytes.len());
                let t = TOKENS[token % TOKENS.len()].as_bytes();
                bytes.splice(at..at, t.iter().copied());
            }
            Edit::Replace(at, b) => {
                if let Some(slot) = bytes.get_mut(at % n) {
                    *slot = b" ,:[]{}\"\\*x0"[usize::from(b) % 12];
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, l)| Edit::Delete(a, l)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, t)| Edit::Insert(a, t)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Edit::Replace(a, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn mutated_policies_read_the_same(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let text = SEEDS.with(|s| apply(&s[seed.index(s.len())], &edits));
        same(&text);
    }
}

thread_local! {
    static SEEDS: Vec<String> = seeds();
}
