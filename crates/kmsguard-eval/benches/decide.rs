//! Decision throughput over the 823 oracle cases (`fixtures/oracle/public.jsonl`), one thread.
//! `decide`: every case compiled once, outside the timed loop (the library's intended use);
//! `explain`: the same, also recording the reasons. Baseline in the same run: reading and
//! compiling each case's policies for every decision (what a tool without compile-once does).
//! Criterion reports decisions per second (target: ≥ 1,000,000/s for `decide`).
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark without its corpus should fail loudly"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kmsguard_eval::Options;
use kmsguard_eval::case::{Case, parse_case};

fn lines() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/oracle/public.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("oracle cases missing");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn bench(c: &mut Criterion) {
    let lines = lines();
    let cases: Vec<Case> = lines
        .iter()
        .map(|l| parse_case(l, Options::default()).expect("case"))
        .collect();
    assert_eq!(cases.len(), 823, "oracle corpus changed size");
    let mut group = c.benchmark_group("oracle-cases");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("baseline: read + compile + decide per case", |b| {
        b.iter(|| {
            for l in &lines {
                if let Ok(case) = parse_case(black_box(l), Options::default()) {
                    black_box(case.policies.decide(&case.request));
                }
            }
        });
    });
    group.bench_function("decide", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(case.policies.decide(black_box(&case.request)));
            }
        });
    });
    group.bench_function("explain", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(case.policies.explain(black_box(&case.request)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
