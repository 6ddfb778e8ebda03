//! Parse throughput ratio against `serde_json::from_slice::<serde_json::Value>`, measured by
//! interleaving the two on every round (so that load changes on a shared machine hit both
//! alike) and reporting the median of the per-round ratios. Run with
//! `cargo bench -p kmsguard-syntax --bench parse_ratio`; the criterion bench `parse` gives the
//! absolute figures.
#![allow(
    clippy::panic,
    clippy::print_stdout,
    reason = "a benchmark reports on stdout and fails loudly"
)]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

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

fn time(f: impl Fn()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent; do a short run then.
    let rounds = if std::env::args().any(|a| a == "--bench") {
        60
    } else {
        3
    };
    let files = corpus();
    assert!(files.len() >= 1600, "managed-policy corpus missing");
    let bytes: usize = files.iter().map(Vec::len).sum();
    let options = ParseOptions::default();
    let serde = || {
        for f in &files {
            black_box(serde_json::from_slice::<serde_json::Value>(f).ok());
        }
    };
    let ours = || {
        for f in &files {
            black_box(parse_bytes(f, &options));
        }
    };
    // Warm up both.
    for _ in 0..3 {
        serde();
        ours();
    }
    let (mut ratios, mut serde_t, mut ours_t) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first.
        let (s, o) = if round % 2 == 0 {
            (time(serde), time(ours))
        } else {
            let o = time(ours);
            (time(serde), o)
        };
        ratios.push(s / o);
        serde_t.push(s);
        ours_t.push(o);
    }
    let mib = bytes as f64 / (1024.0 * 1024.0);
    let (s, o) = (median(serde_t), median(ours_t));
    println!(
        "managed policies: {} files, {:.2} MiB, {rounds} interleaved rounds",
        files.len(),
        mib
    );
    println!(
        "  serde_json::Value:              median {:.2} ms ({:.0} MiB/s)",
        s * 1e3,
        mib / s
    );
    println!(
        "  kmsguard reader + AST + diags:  median {:.2} ms ({:.0} MiB/s)",
        o * 1e3,
        mib / o
    );
    println!(
        "  ratio (serde time / kmsguard time), median of rounds: {:.2}",
        median(ratios)
    );
}
