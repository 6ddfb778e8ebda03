//! `who-can` agrees with the evaluator asked principal by principal: over generated
//! inventories, the principals `who_can` lists for a key and action are exactly those for
//! which a policy set built directly from their documents answers Allow or Indeterminate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmsguard_eval::context::RequestContext;
use kmsguard_eval::{Caller, Decision, PolicySet, PolicySource, Request, derive_caller_keys};
use kmsguard_inventory::access::World;
use kmsguard_inventory::query::who_can;
use kmsguard_inventory::synthetic::generate;
use proptest::prelude::*;

const ACTIONS: [&str; 4] = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:CreateGrant",
    "kms:DescribeKey",
];

fn direct(inv: &kmsguard_inventory::Inventory, key: usize, role: usize, action: &str) -> Decision {
    let k = &inv.keys[key];
    let r = &inv.identities[role];
    let mut b = PolicySet::builder();
    if let Some(d) = &k.policy {
        b = b.resource_policy(&PolicySource::new(&d.label, d.policy.clone(), d.has_errors));
    }
    for d in &r.inline_policies {
        b = b.identity_policy(&PolicySource::new(&d.label, d.policy.clone(), d.has_errors));
    }
    let caller = format!(
        "arn:aws:sts::{}:assumed-role/{}/kmsguard",
        r.account, r.name
    );
    let mut ctx = RequestContext::new();
    derive_caller_keys(&Caller::parse(&caller, &ctx).unwrap(), &mut ctx);
    let req = Request::new(&caller, action, &k.arn, Some(&k.account), ctx).unwrap();
    b.build().decide(&req)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn who_can_matches_the_evaluator(seed in any::<u64>(), roles in 1usize..24, keys in 1usize..4) {
        let inv = generate(roles, keys, seed);
        let world = World::new(&inv);
        for key in 0..keys {
            for action in ACTIONS {
                let listed: Vec<(String, Decision)> = who_can(&world, action, &inv.keys[key], &[])
                    .into_iter()
                    .map(|a| (a.principal, a.decision))
                    .collect();
                let mut expected: Vec<(String, Decision)> = (0..roles)
                    .map(|r| (inv.identities[r].arn.clone(), direct(&inv, key, r, action)))
                    .filter(|(_, d)| matches!(d, Decision::Allow | Decision::Indeterminate))
                    .collect();
                expected.sort_by(|a, b| a.0.cmp(&b.0));
                prop_assert_eq!(listed, expected);
            }
        }
    }
}

#[test]
fn generated_inventories_are_not_trivial() {
    // The property above is only meaningful if some principals are allowed and some are not.
    let inv = generate(40, 4, 7);
    let world = World::new(&inv);
    let mut allowed = 0;
    let mut total = 0;
    for key in &inv.keys {
        for action in ACTIONS {
            allowed += who_can(&world, action, key, &[]).len();
            total += inv.identities.len();
        }
    }
    assert!(allowed > 0 && allowed < total, "{allowed} of {total}");
}
