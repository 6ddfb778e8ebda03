//! Parse throughput over the 1,645 AWS managed policies: kmsguard's reader alone, the reader
//! plus lowering to the typed AST (what `kmsguard check` does per file), and
//! `serde_json::from_slice::<serde_json::Value>` on the same bytes as the baseline.

#![allow(
    clippy::panic,
    reason = "a benchmark without its corpus should fail loudly"
)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kmsguard_syntax::json::{self, Limits};
use kmsguard_syntax::{ParseOptions, parse_bytes};

fn corpus() -> Vec<Vec<u8>> {
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
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let bytes: usize = files.iter().map(Vec::len).sum();
    assert!(files.len() >= 1600, "managed-policy corpus missing");
    let mut group = c.benchmark_group("managed-policies");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| {
            for f in &files {
                black_box(serde_json::from_slice::<serde_json::Value>(f).ok());
            }
        });
    });
    group.bench_function("kmsguard reader (spanned JSON)", |b| {
        let limits = Limits::default();
        b.iter(|| {
            for f in &files {
                black_box(json::parse_bytes(f, &limits).ok());
            }
        });
    });
    group.bench_function("kmsguard reader + typed AST + diagnostics", |b| {
        let options = ParseOptions::default();
        b.iter(|| {
            for f in &files {
                black_box(parse_bytes(f, &options));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
