//! Runs every case of `fixtures/oracle/public.jsonl` through the library (the same case reader
//! the CLI's batch mode uses) and requires agreement with AWS's decision, except for the cases
//! listed in `fixtures/oracle/known-disagreements.tsv`, each with the AWS documentation that
//! supports the engine. Listed cases must still disagree, so the list cannot go stale.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use kmsguard_eval::Options;
use kmsguard_eval::case::parse_case;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/oracle/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn known_disagreements() -> BTreeMap<String, String> {
    fixture("known-disagreements.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (id, why) = l.split_once('\t').unwrap();
            (id.to_owned(), why.to_owned())
        })
        .collect()
}

#[test]
fn oracle_public_cases() {
    let text = fixture("public.jsonl");
    let known = known_disagreements();
    let (mut total, mut agree) = (0usize, 0usize);
    let mut unexpected = Vec::new();
    let mut known_seen = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case = parse_case(line, Options::default()).unwrap();
        let (id, expected) = (case.id.clone(), case.expected.clone().unwrap());
        let got = case.policies.decide(&case.request);
        // `decide` and `explain` must agree.
        assert_eq!(
            got,
            case.policies.explain(&case.request).decision,
            "{id}: decide/explain differ"
        );
        total += 1;
        if known.contains_key(&id) {
            // The compatibility setting must reproduce the case's expectation.
            let lenient = Options {
                enforce_cross_account_actions: false,
                ..Options::default()
            };
            let case2 = parse_case(line, lenient).unwrap();
            assert_eq!(
                case2.policies.decide(&case2.request).name(),
                expected,
                "{id}: compatibility mode"
            );
        }
        if got.name() == expected {
            agree += 1;
            assert!(
                !known.contains_key(&id),
                "{id} is listed as a known disagreement but now agrees"
            );
        } else if let Some(why) = known.get(&id) {
            known_seen.push(format!("{id}: expected {expected}, engine {got}: {why}"));
        } else {
            let ex = case.policies.explain(&case.request);
            unexpected.push(format!(
                "{id}: expected {expected}, got {got}\n{}",
                kmsguard_eval::explain::render(&ex)
            ));
        }
    }
    println!("oracle: {agree}/{total} cases agree");
    for k in &known_seen {
        println!("known disagreement: {k}");
    }
    assert_eq!(total, 823);
    assert_eq!(
        known_seen.len(),
        known.len(),
        "a listed known disagreement was not found"
    );
    assert!(
        unexpected.is_empty(),
        "{} unexpected disagreements:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
