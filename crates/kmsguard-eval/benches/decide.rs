//! Decision throughput over the 823 oracle cases (`fixtures/oracle/public.jsonl`): every case
//! is compiled once, outside the timed loop; one iteration decides all 823 requests on one
//! thread. `decide` is the allocation-free path; `explain` also records the reasons. Criterion
//! reports decisions per second (target: ≥ 1,000,000/s for `decide`).
// A benchmark without its corpus should fail loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::{Options, PolicySet, PolicySource, Request};
use kmsguard_syntax::ast::PolicyKind;
use serde_json::Value;

// Loading copied from tests/oracle.rs.

fn policy(label: &str, v: &Value, kind: PolicyKind) -> PolicySource {
    let text = serde_json::to_string(v).unwrap();
    let mut diags = Vec::new();
    PolicySource::parse(label, &text, kind, &mut diags).unwrap()
}

fn context(v: &Value) -> RequestContext {
    let mut ctx = RequestContext::new();
    for (k, v) in v.as_object().unwrap() {
        let value = match v {
            Value::String(s) => ContextValue::Single(s.clone()),
            Value::Array(a) => ContextValue::Multi(
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                    .collect(),
            ),
            other => ContextValue::Single(other.to_string()),
        };
        ctx.insert(k, value);
    }
    ctx
}

fn build(case: &Value) -> (PolicySet, Request) {
    let mut b = PolicySet::builder().options(Options::default());
    if !case["key_policy"].is_null() {
        b = b.resource_policy(&policy("key policy", &case["key_policy"], PolicyKind::Key));
    }
    for (i, p) in case["identity_policies"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        b = b.identity_policy(&policy(&format!("identity[{i}]"), p, PolicyKind::Identity));
    }
    if !case["permission_boundary"].is_null() {
        b = b.boundary(&policy(
            "boundary",
            &case["permission_boundary"],
            PolicyKind::Boundary,
        ));
    }
    if !case["session_policy"].is_null() {
        b = b.session_policy(&policy(
            "session",
            &case["session_policy"],
            PolicyKind::Session,
        ));
    }
    for (l, level) in case["scps"].as_array().unwrap().iter().enumerate() {
        let ps: Vec<_> = level
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, p)| policy(&format!("scp[{l}][{i}]"), p, PolicyKind::Scp))
            .collect();
        b = b.scp_level(&ps);
    }
    for (l, level) in case["rcps"].as_array().unwrap().iter().enumerate() {
        let ps: Vec<_> = level
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, p)| policy(&format!("rcp[{l}][{i}]"), p, PolicyKind::Rcp))
            .collect();
        b = b.rcp_level(&ps);
    }
    let r = &case["request"];
    let req = Request::new(
        r["principal"].as_str().unwrap(),
        r["action"].as_str().unwrap(),
        r["resource"].as_str().unwrap(),
        r["resource_account"].as_str(),
        context(&r["context"]),
    )
    .unwrap();
    (b.build(), req)
}

fn cases() -> Vec<(PolicySet, Request)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/oracle/public.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("oracle cases missing");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| build(&serde_json::from_str(l).unwrap()))
        .collect()
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    assert_eq!(cases.len(), 823, "oracle corpus changed size");
    let mut group = c.benchmark_group("oracle-cases");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("decide", |b| {
        b.iter(|| {
            for (set, req) in &cases {
                black_box(set.decide(black_box(req)));
            }
        });
    });
    group.bench_function("explain", |b| {
        b.iter(|| {
            for (set, req) in &cases {
                black_box(set.explain(black_box(req)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
