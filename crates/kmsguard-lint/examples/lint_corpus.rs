//! The work of the `lint` bench (parse + lint every managed policy, on mimalloc) run a fixed
//! number of times (the first argument, default 1), for instruction counts that do not depend
//! on the machine's load: `valgrind --tool=callgrind target/release/examples/lint_corpus 3`
//! minus the same run with `1` gives the cost of two passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
use kmsguard_syntax::{ParseOptions, SourceFile, parse_bytes, parse_text};
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/corpus/aws-managed-policies");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let files: Vec<(String, Vec<u8>)> = paths
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    let reps: usize = std::env::args().nth(1).map_or(1, |s| s.parse().unwrap());
    let mut n = 0usize;
    for _ in 0..reps {
        for (name, bytes) in &files {
            let options = ParseOptions::default();
            let (parsed, source) = match std::str::from_utf8(bytes) {
                Ok(text) => (
                    parse_text(text, &options),
                    SourceFile::new(name.as_str(), text),
                ),
                Err(_) => (
                    parse_bytes(bytes, &options),
                    SourceFile::new(name.as_str(), String::from_utf8_lossy(bytes).into_owned()),
                ),
            };
            n += parsed.diagnostics.len()
                + kmsguard_lint::lint_file(&parsed, &source, &|_| true).len();
        }
    }
    println!("{n}");
}
