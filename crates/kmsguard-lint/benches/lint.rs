//! Lint throughput over the 1,645 AWS managed policies: read (from memory), parse and lint
//! every policy, on the machine's threads (rayon) and on one thread. Baseline in the same run:
//! `serde_json::from_slice::<serde_json::Value>` over the same bytes on one thread.
//!
//! Every function runs on mimalloc, the global allocator of the `kmsguard` binary, so that the
//! figures are those of the CLI's allocator (the serde baseline included, to keep it fair).
#![allow(
    clippy::panic,
    reason = "a benchmark without its corpus should fail loudly"
)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kmsguard_syntax::{ParseOptions, SourceFile, parse_bytes, parse_text};
use rayon::prelude::*;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/corpus/aws-managed-policies");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read(p).ok()?)))
        .collect()
}

/// What `kmsguard lint` does with a file of JSON: check the UTF-8 once, read the text, keep it
/// as the source for reports, lint. (Bytes that are not UTF-8 go through `parse_bytes`, which
/// reports them.)
fn lint_one(name: &str, bytes: &[u8]) -> usize {
    let options = ParseOptions::default();
    let (parsed, source) = match std::str::from_utf8(bytes) {
        Ok(text) => (parse_text(text, &options), SourceFile::new(name, text)),
        Err(_) => (
            parse_bytes(bytes, &options),
            SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned()),
        ),
    };
    parsed.diagnostics.len() + kmsguard_lint::lint_file(&parsed, &source, &|_| true).len()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    assert!(files.len() >= 1600, "managed-policy corpus missing");
    let mut group = c.benchmark_group("lint-managed-policies");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function("baseline: serde_json::Value, 1 thread", |b| {
        b.iter(|| {
            for (_, f) in &files {
                black_box(serde_json::from_slice::<serde_json::Value>(f).ok());
            }
        });
    });
    group.bench_function("kmsguard parse + lint, 1 thread", |b| {
        b.iter(|| files.iter().map(|(n, f)| lint_one(n, f)).sum::<usize>());
    });
    group.bench_function("kmsguard parse + lint, all threads", |b| {
        b.iter(|| files.par_iter().map(|(n, f)| lint_one(n, f)).sum::<usize>());
    });
    // The same with each file read from disk in the worker, as the CLI does (without the
    // process start, the directory walk and the output): what the file system adds.
    group.bench_function("kmsguard read + parse + lint, all threads", |b| {
        b.iter(|| {
            files
                .par_iter()
                .map(|(n, _)| std::fs::read(n).map_or(0, |f| lint_one(n, &f)))
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
