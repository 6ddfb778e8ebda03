//! Queries and scenario checks over a generated inventory of 5,000 roles and 500 keys (the
//! acceptance size of the inventory issue). `who_can` for one key is measured beside the same
//! questions asked with a policy set compiled per principal (the naive baseline).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kmsguard_eval::context::RequestContext;
use kmsguard_eval::{Caller, PolicySet, PolicySource, Request, derive_caller_keys};
use kmsguard_inventory::access::World;
use kmsguard_inventory::query::who_can;
use kmsguard_inventory::scenarios;
use kmsguard_inventory::synthetic::generate;

fn bench(c: &mut Criterion) {
    let inv = generate(5_000, 500, 42);
    let Some(key) = inv.keys.first() else {
        return;
    };
    let mut g = c.benchmark_group("inventory-5000-roles-500-keys");
    g.sample_size(20);
    g.bench_function("world-new", |b| b.iter(|| black_box(World::new(&inv))));
    g.bench_function("who-can-one-key", |b| {
        let world = World::new(&inv);
        b.iter(|| black_box(who_can(&world, "kms:Decrypt", key, &[])));
    });
    g.bench_function("baseline-compile-per-principal", |b| {
        b.iter(|| {
            let mut n = 0;
            for r in &inv.identities {
                let mut sb = PolicySet::builder();
                if let Some(d) = &key.policy {
                    sb = sb.resource_policy(&PolicySource::new(&d.label, d.policy.clone(), false));
                }
                for d in &r.inline_policies {
                    sb = sb.identity_policy(&PolicySource::new(&d.label, d.policy.clone(), false));
                }
                let caller = format!("arn:aws:sts::{}:assumed-role/{}/s", r.account, r.name);
                let mut ctx = RequestContext::new();
                if let Ok(c) = Caller::parse(&caller, &ctx) {
                    derive_caller_keys(&c, &mut ctx);
                }
                if let Ok(req) = Request::new(&caller, "kms:Decrypt", &key.arn, None, ctx) {
                    n += usize::from(sb.build().decide(&req).is_allowed());
                }
            }
            black_box(n)
        });
    });
    g.bench_function("scenarios-run", |b| {
        b.iter(|| black_box(scenarios::run(&inv)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
