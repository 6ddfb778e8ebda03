//! Every finding (`Debug`, so codes, messages, spans, labels, notes and helps) of every file
//! under a directory (default `fixtures/`), for checking that a change to the linter leaves its
//! findings byte-identical: `target/release/examples/lint_dump [DIR] > before.txt`, change,
//! run again, `cmp`. Pass a directory of mutated policies to reach the rarer rules.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
use kmsguard_syntax::{ParseOptions, SourceFile, parse_bytes};
fn main() {
    let root = std::env::args().nth(1).map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"),
        std::path::PathBuf::from,
    );
    let mut stack = vec![root];
    let mut paths = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p)
            } else {
                paths.push(p)
            }
        }
    }
    paths.sort();
    for p in paths {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.display().to_string();
        let parsed = parse_bytes(&bytes, &ParseOptions::default());
        let source = SourceFile::new(name.as_str(), String::from_utf8_lossy(&bytes).into_owned());
        for d in kmsguard_lint::lint_file(&parsed, &source, &|_| true) {
            println!("{name}: {d:?}");
        }
    }
}
