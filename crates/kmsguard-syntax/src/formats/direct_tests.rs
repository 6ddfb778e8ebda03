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
    lower::bare_policy(text, &ParseOptions::default().limits, true).is_some()
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
    let (mut keys, mut keys_direct) = (0, 0);
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
        if path.to_string_lossy().contains("corpus/key-policies") {
            keys += 1;
            keys_direct += usize::from(took);
        }
    }
    eprintln!(
        "direct: {direct} of {total} files, {managed_direct} of {managed} managed policies, {keys_direct} of {keys} key policies"
    );
    assert!(total > 2000, "{total} files");
    // The reader must pay where it is meant to: nearly every managed policy takes it.
    assert!(
        managed_direct * 10 > managed * 9,
        "{managed_direct} of {managed}"
    );
    assert!(direct > 0);
    // Key policies too (196 of 222 when written), apart from the ones with findings or
    // shapes the reader leaves alone.
    assert!(keys > 100, "{keys} key policies");
    assert!(keys_direct * 100 >= keys * 85, "{keys_direct} of {keys}");
}

/// Sids the one-pass scan takes (plain ASCII) and those it leaves to the ordinary string
/// reader (escapes, `$`, control and non-ASCII characters), short and longer than its
/// 32-byte blocks, and a Sid that is not a string: both paths read the same.
#[test]
fn sids_read_the_same() {
    let long = "S".repeat(40);
    let sids = [
        "",
        "A",
        "Allow1",
        "a b",
        "x$y",
        "${aws:username}",
        "caf\\u00e9",
        "caf\u{e9}",
        "tab\\t",
        "q\\\\\\\"",
        "\\u0041B",
        "a\u{1}b",
        long.as_str(),
        "0123456789abcdefghijklmnopqrstuv",
        "0123456789abcdefghijklmnopqrstu",
        "0123456789abcdefghijklmnopqrstuvw",
    ];
    let mut direct = 0;
    for sid in sids {
        for value in [format!(r#""{sid}""#), format!(r#" "{sid}" "#)] {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":{value},"Effect":"Allow","Action":"s3:*","Resource":"*"}},{{"Sid":"Other","Effect":"Deny","Action":"s3:*","Resource":"*"}}]}}"#
            );
            direct += usize::from(same(&text));
        }
    }
    assert!(direct > 10, "{direct}");
    same(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":7,"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
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
        // Resources: plain ARNs the one-pass scan takes, and truncated, escaped, non-ASCII,
        // variable and malformed ones it leaves to the ordinary way.
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:kms:us-east-1:111122223333:key/k:x","arn:aws:sqs:*","arn:aws:sqs:a:b","arn:aws:s3:::\u0062","arn:aws:s3:::é","arn:aws:s3:::b/${aws:userid}","arn:aws:s3:::b/$","Arn:aws:s3:::b","arn:aws:s3:::${x"]}]}"#,
        // Resource lists laid out every way around their items, empty ones, and a second
        // statement whose list must not hold the first one's items.
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":[ \"*\" ,\n\t\"arn:aws:s3:::b\"\r\n,\"arn:aws:s3:::c\" ]},{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"NotResource\":[\n  \"arn:aws:s3:::d\",\n  \"*\"\n]}]}",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[ ]}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["*",]}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["*" "*"]}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[1]}]}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["*",xarn:aws:s3:::b:c"]}]}"#,
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
        // Operators the quick match knows, with qualifiers and `IfExists`, and one it leaves
        // to the general parse.
        r#"{"ForAllValues:StringNotLikeIfExists":{"a:b":"x"},"ArnNotEquals":{"c:d":"y"}}"#,
        r#"{"ForAnyValue:ArnLikeIfExists":{"a:b":"x"},"StringEqualsIgnoreCase":{"c:d":"y"}}"#,
        r#"{"BoolIfExists":{"a:b":"true"},"ArnEquals":{"c:d":"y"},"ArnNotLike":{"e:f":"z"}}"#,
        r#"{"DateLessThanIfExists":{"a:b":"2020-01-01T00:00:00Z"},"StringNotEquals":{"c:d":"y"}}"#,
        // Values the one-pass scan takes, and ones it leaves to the ordinary way.
        r#"{"StringLike":{"a:b":["plain text long enough to span words","x","","é","$x","a\"b"]}}"#,
        r#"{"StringLike":{"a:b":["${aws:username}/*","$","\u0024{aws:userid}"]}}"#,
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
        r#"{"ForAnyValue:Null":{"a:b":"x"}}"#,
        r#"{"StringLikeIfExistsIfExists":{"a:b":"x"}}"#,
        r#"{"ForAnyValue:ForAllValues:StringLike":{"a:b":"x"}}"#,
        r#"{"StringLikeIfExists":{"a:b":"x"},"StringLikeIfExists":{"c:d":"y"}}"#,
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

/// `Principal` blocks and the kind they make, read without the tree: the shapes taken, and
/// each way out.
#[test]
fn principal_edge_cases_read_the_same() {
    let doc =
        |statements: &str| format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    let key = |principal: &str| {
        doc(&format!(
            r#"{{"Sid":"a b","Effect":"Allow","Principal":{principal},"Action":"kms:*","Resource":"*"}}"#
        ))
    };
    let taken = [
        key(r#""*""#),
        key(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#),
        key(r#"{"AWS":["111122223333","*"],"Service":"logs.amazonaws.com"}"#),
        key(r#"{"Federated":["cognito-identity.amazonaws.com"],"CanonicalUser":"abc"}"#),
        key(
            r#"{"Service":["a.amazonaws.com","b.amazonaws.com"],"AWS":"arn:aws:iam::111122223333:role/R"}"#,
        ),
        // No resource, and `NotPrincipal`, in a key policy.
        doc(
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*"}"#,
        ),
        // A resource policy: no `kms:` action and no `*`.
        doc(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"ForAllValues:StringEquals":{"aws:RequestTag/x":"y"}}}"#,
        ),
        doc(
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":"*","Action":"Kms:Decrypt"}"#,
        ),
        doc(
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":"*","Action":"*"}"#,
        ),
    ];
    for text in &taken {
        assert!(same(text), "{text}");
    }
    let left = [
        key(r#""arn:aws:iam::111122223333:root""#),
        key(r#""x""#),
        key("{}"),
        key(r#"{"AWS":[]}"#),
        key(r#"{"AWS":1}"#),
        key(r#"{"AWS":["a",1]}"#),
        key(r#"{"AWS":"arn:aws:iam::*:root"}"#),
        key(r#"{"AWS":"arn:aws:iam::111122223333:group/G"}"#),
        key(r#"{"AWS":"ACCOUNT_ID"}"#),
        key(r#"{"aws":"111122223333"}"#),
        key(r#"{"Other":"111122223333"}"#),
        key(r#"{"AWS":"111122223333","AWS":"111122223333"}"#),
        key(r#"[{"AWS":"111122223333"}]"#),
        key("null"),
        // Both blocks, or a repeated one.
        doc(r#"{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"kms:*"}"#),
        doc(r#"{"Effect":"Allow","Principal":"*","Principal":"*","Action":"kms:*"}"#),
        // A statement without a principal beside one with it.
        doc(
            r#"{"Effect":"Allow","Principal":"*","Action":"kms:*"},{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#,
        ),
        // A trust policy.
        doc(
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
        ),
        doc(r#"{"Effect":"Allow","Principal":"*","Action":["STS:AssumeRole","sts:TagSession"]}"#),
        // A key policy with a single-valued key under `ForAllValues`.
        doc(
            r#"{"Effect":"Allow","Principal":"*","Action":"kms:*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContext:a":"b"}}}"#,
        ),
        // No action (taken by the tree path only).
        doc(r#"{"Effect":"Allow","Principal":"*","Resource":"*"}"#),
        // An identity statement without a resource.
        doc(r#"{"Effect":"Allow","Action":"kms:*"}"#),
    ];
    for text in &left {
        assert!(!same(text), "{text}");
    }
    // Too deep for the tree reader only when a value list is read.
    for depth in 3..7 {
        let mut options = ParseOptions::default();
        options.limits.max_depth = depth;
        for text in [&taken[1], &taken[2]] {
            let direct = format!("{:#?}", parse_text(text, &options));
            let tree = format!("{:#?}", parse_text_via_tree(text, &options));
            assert_eq!(direct, tree, "{depth} {text}");
        }
    }
}

/// Text pieces that steer the direct reader into each of its exits.
const TOKENS: [&str; 36] = [
    "\"Principal\": \"*\", ",
    "\"Principal\": {\"AWS\": [\"111122223333\", \"arn:aws:iam::111122223333:role/R\"]}, ",
    "\"NotPrincipal\": {\"Service\": \"logs.amazonaws.com\"}, ",
    "\"Action\": \"sts:AssumeRole\", ",
    "\"AWS\"",
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
    let small = |dirs: &[&str], n: usize| {
        repo_files()
            .into_iter()
            .filter(|p| {
                let s = p.to_string_lossy();
                dirs.iter().any(|d| s.contains(d))
            })
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|t| t.len() < 3000)
            .take(n)
            .collect::<Vec<_>>()
    };
    let mut out = small(&["aws-managed-policies", "identity-policies"], 60);
    out.extend(small(&["corpus/key-policies"], 30));
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

/// Sid findings against a plain reference: each Sid that is not all ASCII letters and
/// digits, and each that repeats an earlier one (pointing at the first), in order.
#[test]
fn sid_findings_match_a_plain_reference() {
    let sids = [
        "Statement1",
        "Statement2",
        "Statement1",
        "AAAAAAAAAAStatement1",
        "xStatement1",
        "Statement1",
        "\u{e9}",
        "a-b",
        "abcdefgh",
        "abcdefgh",
        "",
        "",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "abcdefghijklmnopq!",
        "abcdefghijklmnopq!",
        "Z[",
        "`z",
        "09:",
        // Past the first sixteen, repeats of Sids before and after that point.
        "Z[",
        "09:",
        "Statement2",
        "ab",
        "ab",
    ];
    let statements: Vec<String> = sids
        .iter()
        .map(|s| format!(r#"{{"Sid":"{s}","Effect":"Allow","Action":"kms:*","Resource":"*"}}"#))
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let mut want = Vec::new();
    for (i, s) in sids.iter().enumerate() {
        if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            want.push(format!("Sid `{s}` has characters IAM does not accept"));
        }
        if let Some(first) = sids[..i].iter().position(|e| e == s) {
            want.push(format!("duplicate Sid `{s}` after {first}"));
        }
    }
    let file = parse_text(&text, &ParseOptions::default());
    // The Sid spans in statement order, to name the first use by its index.
    let spans: Vec<_> = sids
        .iter()
        .scan(0, |from, s| {
            let quoted = format!(r#""Sid":"{s}""#);
            let at = *from + text[*from..].find(&quoted).unwrap() + 6;
            *from = at;
            Some((at, at + s.len() + 2))
        })
        .collect();
    let got: Vec<String> = file
        .diagnostics
        .iter()
        .map(|d| match d.labels.iter().find(|l| !l.primary) {
            Some(l) => {
                let first = spans
                    .iter()
                    .position(|&(a, b)| (a, b) == (l.span.start as usize, l.span.end as usize))
                    .unwrap();
                format!("{} after {first}", d.message)
            }
            None => d.message.clone(),
        })
        .collect();
    assert_eq!(got, want);
    same(&text);
}
