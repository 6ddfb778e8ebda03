//! The `kmsguard` binary end to end: exit codes, output formats, hostile inputs.

// Test code reports failures by panicking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kmsguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmsguard"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run kmsguard")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kmsguard-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn bundled_examples_check_clean() {
    let out = kmsguard(&["check", "policies/"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 errors, 0 warnings"));
}

#[test]
fn errors_exit_1_and_render_snippets() {
    let out = kmsguard(&["check", "fixtures/parse/effect-lowercase.json"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("P107(invalid-effect)"), "{text}");
    assert!(
        text.contains("\"Effect\": \"allow\""),
        "snippet shows the line: {text}"
    );
}

#[test]
fn missing_path_and_bad_flags_exit_2() {
    assert_eq!(
        kmsguard(&["check", "no/such/file.json"]).status.code(),
        Some(2)
    );
    assert_eq!(
        kmsguard(&["check", "policies/", "--kind", "bucket"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(kmsguard(&["check"]).status.code(), Some(2));
    assert_eq!(kmsguard(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn json_output_is_one_document_with_positions() {
    let out = kmsguard(&[
        "check",
        "--format",
        "json",
        "fixtures/parse/get-key-policy-embedded-error.json",
        "policies/cli",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 3);
    let broken = &files[0];
    assert_eq!(broken["format"], "get-key-policy");
    let d = &broken["diagnostics"][0];
    assert_eq!(d["code"], "P107");
    assert_eq!(d["name"], "invalid-effect");
    assert_eq!(d["severity"], "error");
    // The span points at the escaped `\"Alow\"` inside the `Policy` string on line 2.
    let text =
        std::fs::read_to_string(root().join("fixtures/parse/get-key-policy-embedded-error.json"))
            .expect("read");
    let (start, end) = (
        d["span"]["start"].as_u64().expect("start") as usize,
        d["span"]["end"].as_u64().expect("end") as usize,
    );
    assert_eq!(&text[start..end], "\\\"Alow\\\"");
    assert_eq!(d["span"]["line"], 2);
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn output_order_is_deterministic() {
    let a = kmsguard(&["check", "--format", "json", "fixtures/parse"]);
    let b = kmsguard(&["check", "--format", "json", "fixtures/parse"]);
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).expect("json");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);
}

/// A 100 MB file is refused from its size, before it is read: one error, and the process stays
/// within a 256 MiB address space (it would need several times that to read and parse it).
#[test]
fn hundred_megabyte_file_gives_one_error_with_bounded_memory() {
    let dir = temp_dir("large");
    let path = dir.join("large.json");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(100 * 1024 * 1024).expect("sparse 100 MB file");
    drop(f);
    let script = format!(
        "ulimit -v 262144; exec '{}' check --format json '{}'",
        env!("CARGO_BIN_EXE_kmsguard"),
        path.display()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("MALLOC_ARENA_MAX", "2")
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("sh");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "P005");
}

/// 100,000 levels of nesting: one clear error, no stack overflow.
#[test]
fn deep_nesting_gives_one_error() {
    let dir = temp_dir("deep");
    let path = dir.join("deep.json");
    let mut text = "[".repeat(100_000);
    text.push_str(&"]".repeat(100_000));
    std::fs::write(&path, &text).expect("write");
    let path_str = path.display().to_string();
    let out = kmsguard(&["check", "--format", "json", &path_str]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "P004");
    assert_eq!(
        diags[0]["message"],
        "arrays and objects nested deeper than 128 levels"
    );
}

#[test]
fn forced_input_format_and_kind() {
    // Read as a policy, a `get-key-policy` wrapper has no `Statement`.
    let out = kmsguard(&[
        "check",
        "--input-format",
        "policy",
        "policies/cli/get-key-policy.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("P104"));
    // A key policy read as an identity policy: `Principal` is prohibited.
    let out = kmsguard(&[
        "check",
        "--kind",
        "identity",
        "policies/key-policies/default-api.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("P110"));
}

#[test]
fn version_names_the_service_catalog() {
    let out = kmsguard(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("kmsguard 0.1.0 (AWS service catalog "),
        "{text}"
    );
    assert!(text.contains("data of 20"), "{text}");
}

/// A policy read from a pipe arrives in pieces (a pipe holds 64 KiB): the reader reads on to
/// the end instead of taking a short read for the end of the input, and a file larger than its
/// first buffer is read whole. Both give the same result as the file itself.
#[test]
fn pipes_and_large_files_are_read_whole() {
    let dir = temp_dir("pipe");
    // One statement per action name: about 300 KiB, past the pipe size and the first buffer.
    let statements: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"Sid": "S{i}", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-1:111122223333:key/{i:08}-0000-4000-8000-000000000000"}}"#
            )
        })
        .collect();
    let policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}\n",
        statements.join(",\n")
    );
    assert!(policy.len() > 256 * 1024);
    let path = dir.join("large-policy.json");
    std::fs::write(&path, &policy).expect("write");
    let from_file = kmsguard(&["check", "--format", "json", path.to_str().expect("path")]);
    let script = format!(
        "cat '{}' | exec '{}' check --format json /dev/stdin",
        path.display(),
        env!("CARGO_BIN_EXE_kmsguard"),
    );
    let from_pipe = Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .expect("sh");
    std::fs::remove_dir_all(&dir).ok();
    let documents = |out: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
        (
            v["summary"].clone(),
            v["files"][0]["documents"][0]["statements"].clone(),
        )
    };
    assert_eq!(from_file.status.code(), Some(0));
    assert_eq!(from_pipe.status.code(), Some(0));
    assert_eq!(documents(&from_file).1, serde_json::json!(3000));
    assert_eq!(documents(&from_file), documents(&from_pipe));
}

/// Files are reported in `Path` order (component by component), whatever the directory's own
/// order and however `-`, `.` and `/` compare as bytes: `d/a/x.json` comes before
/// `d/a-b.json`, which a plain string sort of the paths would put first. Hidden directories
/// and other extensions are left out.
#[test]
fn directory_files_in_path_order() {
    let dir = temp_dir("order");
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let names = [
        "a.json",
        "a-b.json",
        "a/x.json",
        "a/b/y.YML",
        "A.json",
        "b.json",
        ".git/c.json",
        "a/notes.txt",
        "ab/z.json",
    ];
    for name in names {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, policy).expect("write");
    }
    let dir_str = dir.display().to_string();
    let out = kmsguard(&["check", "--format", "json", &dir_str]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    std::fs::remove_dir_all(&dir).ok();
    let listed: Vec<PathBuf> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| PathBuf::from(f["path"].as_str().expect("path")))
        .collect();
    let mut expected: Vec<PathBuf> = [
        "A.json",
        "a/b/y.YML",
        "a/x.json",
        "a-b.json",
        "a.json",
        "ab/z.json",
        "b.json",
    ]
    .iter()
    .map(|n| dir.join(n))
    .collect();
    assert_eq!(listed, expected);
    expected.sort();
    assert_eq!(listed, expected, "the order is `Path`'s own");
}
