//! Property tests of the decision engine over the oracle cases (`fixtures/oracle/public.jsonl`)
//! and policies generated from them by adding statements:
//!
//! * `deny_is_monotone`: adding a `Deny` statement to any policy never turns a denial into
//!   `Allow`;
//! * `allow_is_monotone`: adding an `Allow` statement never turns `Allow` into a denial;
//! * `order_does_not_matter`: reordering statements, identity policies, and policies within an
//!   SCP or RCP level never changes the decision (nor any layer's verdict);
//! * `parallel_equals_serial`: deciding (and explaining) a batch on a thread pool gives what
//!   deciding it serially gives;
//! * `wildcard_agrees_with_regex`, `action_matching_agrees_with_regex`: IAM `*`/`?` matching
//!   agrees with a regular-expression oracle;
//! * `fuzz_body_*`: the body of `fuzz/fuzz_targets/decide.rs` never panics.
//!
//! `Indeterminate` is neither an allow nor a denial; the monotonicity properties treat it as
//! "fail closed, reason unknown" and check exactly what adding one statement can change:
//!
//! * (a) added `Deny`: a non-`Allow` decision (`ExplicitDeny`, `ImplicitDeny` or
//!   `Indeterminate`) never becomes `Allow` — a Deny cannot resolve an unknown into an allow —
//!   and `ExplicitDeny` stays `ExplicitDeny`. `Allow` may become `ExplicitDeny`, or
//!   `Indeterminate` when the new Deny cannot be evaluated (an ambiguous context key) or makes
//!   its policy invalid.
//! * (b) added `Allow`: `Allow` and `Indeterminate` never become a denial, and `ExplicitDeny`
//!   stays `ExplicitDeny`. `Allow` may become `Indeterminate` when the new statement makes its
//!   policy invalid (an Allow in an RCP: AWS would reject the policy, so the engine fails
//!   closed); `ImplicitDeny` may become anything.
//!
//! Both also require that some generated statements do change the decision in their own
//! direction, so that the properties are not vacuous.
// Tests fail loudly: unwrapping, indexing and panicking are the point here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::Cell;
use std::sync::OnceLock;

use kmsguard_eval::context::{ContextValue, RequestContext};
use kmsguard_eval::pattern::{ActionMatcher, Case, Wildcard, action_matches};
use kmsguard_eval::{Decision, Options, PolicySet, PolicySource, Request};
use kmsguard_syntax::ast::{ActionPattern, PolicyKind};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rayon::prelude::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Oracle cases (loading copied from tests/oracle.rs, kept as JSON so that it can be mutated).

#[derive(Clone, Debug)]
struct OracleCase {
    id: String,
    key_policy: Option<Value>,
    identity: Vec<Value>,
    boundary: Option<Value>,
    session: Option<Value>,
    scps: Vec<Vec<Value>>,
    rcps: Vec<Vec<Value>>,
    request: Value,
}

fn opt(v: &Value) -> Option<Value> {
    (!v.is_null()).then(|| v.clone())
}

fn levels(v: &Value) -> Vec<Vec<Value>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_array().unwrap().clone())
        .collect()
}

fn cases() -> &'static [OracleCase] {
    static CASES: OnceLock<Vec<OracleCase>> = OnceLock::new();
    CASES.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/oracle/public.jsonl"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let all: Vec<OracleCase> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let c: Value = serde_json::from_str(line).unwrap();
                OracleCase {
                    id: c["id"].as_str().unwrap().to_owned(),
                    key_policy: opt(&c["key_policy"]),
                    identity: c["identity_policies"].as_array().unwrap().clone(),
                    boundary: opt(&c["permission_boundary"]),
                    session: opt(&c["session_policy"]),
                    scps: levels(&c["scps"]),
                    rcps: levels(&c["rcps"]),
                    request: c["request"].clone(),
                }
            })
            .collect();
        assert_eq!(all.len(), 823, "oracle corpus changed size");
        all
    })
}

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

impl OracleCase {
    /// The case as one line of JSON in the oracle's format (for failure messages).
    fn dump(&self) -> String {
        json!({
            "id": self.id,
            "key_policy": self.key_policy,
            "identity_policies": self.identity,
            "permission_boundary": self.boundary,
            "session_policy": self.session,
            "scps": self.scps,
            "rcps": self.rcps,
            "request": self.request,
        })
        .to_string()
    }

    fn policy_set(&self) -> PolicySet {
        let mut b = PolicySet::builder().options(Options::default());
        if let Some(k) = &self.key_policy {
            b = b.resource_policy(&policy("key policy", k, PolicyKind::Key));
        }
        for (i, p) in self.identity.iter().enumerate() {
            b = b.identity_policy(&policy(&format!("identity[{i}]"), p, PolicyKind::Identity));
        }
        if let Some(p) = &self.boundary {
            b = b.boundary(&policy("boundary", p, PolicyKind::Boundary));
        }
        if let Some(p) = &self.session {
            b = b.session_policy(&policy("session", p, PolicyKind::Session));
        }
        for (l, level) in self.scps.iter().enumerate() {
            let ps: Vec<_> = level
                .iter()
                .enumerate()
                .map(|(i, p)| policy(&format!("scp[{l}][{i}]"), p, PolicyKind::Scp))
                .collect();
            b = b.scp_level(&ps);
        }
        for (l, level) in self.rcps.iter().enumerate() {
            let ps: Vec<_> = level
                .iter()
                .enumerate()
                .map(|(i, p)| policy(&format!("rcp[{l}][{i}]"), p, PolicyKind::Rcp))
                .collect();
            b = b.rcp_level(&ps);
        }
        b.build()
    }

    /// The case's request; `ambiguous` marks one context key as supplied in several spellings
    /// (conditions on it are unevaluable), to reach `Indeterminate`.
    fn request(&self, ambiguous: Option<&str>) -> Request {
        let r = &self.request;
        let mut req = Request::new(
            r["principal"].as_str().unwrap(),
            r["action"].as_str().unwrap(),
            r["resource"].as_str().unwrap(),
            r["resource_account"].as_str(),
            context(&r["context"]),
        )
        .unwrap();
        if let Some(k) = ambiguous {
            req.context.mark_ambiguous(k);
        }
        req
    }

    fn account(&self) -> String {
        let r = &self.request;
        r["principal_account"]
            .as_str()
            .or_else(|| r["resource_account"].as_str())
            .unwrap_or("111122223333")
            .to_owned()
    }

    /// Every policy that has a `Statement` array, with its kind.
    fn slots(&self) -> Vec<Slot> {
        let mut out = Vec::new();
        if self.key_policy.is_some() {
            out.push(Slot::Key);
        }
        out.extend((0..self.identity.len()).map(Slot::Identity));
        // A new identity policy holding only the added statement.
        out.push(Slot::Identity(usize::MAX));
        if self.boundary.is_some() {
            out.push(Slot::Boundary);
        }
        if self.session.is_some() {
            out.push(Slot::Session);
        }
        for (l, level) in self.scps.iter().enumerate() {
            out.extend((0..level.len()).map(|i| Slot::Scp(l, i)));
        }
        for (l, level) in self.rcps.iter().enumerate() {
            out.extend((0..level.len()).map(|i| Slot::Rcp(l, i)));
        }
        out.retain(|s| self.statements(*s).is_none_or(|v| v.is_array()));
        out
    }

    fn policy_mut(&mut self, slot: Slot) -> &mut Value {
        match slot {
            Slot::Key => self.key_policy.as_mut().unwrap(),
            Slot::Identity(usize::MAX) => {
                self.identity
                    .push(json!({"Version": "2012-10-17", "Statement": []}));
                self.identity.last_mut().unwrap()
            }
            Slot::Identity(i) => &mut self.identity[i],
            Slot::Boundary => self.boundary.as_mut().unwrap(),
            Slot::Session => self.session.as_mut().unwrap(),
            Slot::Scp(l, i) => &mut self.scps[l][i],
            Slot::Rcp(l, i) => &mut self.rcps[l][i],
        }
    }

    fn statements(&self, slot: Slot) -> Option<&Value> {
        let p = match slot {
            Slot::Key => self.key_policy.as_ref(),
            Slot::Identity(usize::MAX) => return None,
            Slot::Identity(i) => self.identity.get(i),
            Slot::Boundary => self.boundary.as_ref(),
            Slot::Session => self.session.as_ref(),
            Slot::Scp(l, i) => self.scps[l].get(i),
            Slot::Rcp(l, i) => self.rcps[l].get(i),
        }?;
        Some(p.get("Statement").unwrap_or(&Value::Null))
    }

    /// Inserts the statement built from `spec` into the policy at `slot`.
    fn add(&mut self, slot: Slot, spec: &StmtSpec, deny: bool) {
        let stmt = spec.to_json(self, slot.kind(), deny);
        let p = self.policy_mut(slot);
        let list = p["Statement"].as_array_mut().unwrap();
        let at = spec.position % (list.len() + 1);
        list.insert(at, stmt);
    }

    /// Applies `muts`: each picks a slot (modulo the number of slots) and an effect.
    fn mutate(&self, muts: &[(usize, StmtSpec, bool)]) -> Self {
        let mut c = self.clone();
        for (slot, spec, deny) in muts {
            let slots = c.slots();
            c.add(slots[slot % slots.len()], spec, *deny);
        }
        c
    }

    /// Reorders statements of every policy, the identity policies, and the policies of every
    /// SCP and RCP level, with a permutation drawn from `seed`.
    fn shuffled(&self, seed: u64) -> Self {
        let mut rng = XorShift(seed | 1);
        let mut c = self.clone();
        let each_policy = |p: &mut Value, rng: &mut XorShift| {
            if let Some(list) = p.get_mut("Statement").and_then(Value::as_array_mut) {
                rng.shuffle(list);
            }
        };
        if let Some(p) = &mut c.key_policy {
            each_policy(p, &mut rng);
        }
        rng.shuffle(&mut c.identity);
        for p in &mut c.identity {
            each_policy(p, &mut rng);
        }
        for p in c.boundary.iter_mut().chain(c.session.iter_mut()) {
            each_policy(p, &mut rng);
        }
        for level in c.scps.iter_mut().chain(c.rcps.iter_mut()) {
            rng.shuffle(level);
            for p in level {
                each_policy(p, &mut rng);
            }
        }
        c
    }
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Key,
    /// `usize::MAX`: a new identity policy.
    Identity(usize),
    Boundary,
    Session,
    Scp(usize, usize),
    Rcp(usize, usize),
}

impl Slot {
    fn kind(self) -> PolicyKind {
        match self {
            Self::Key => PolicyKind::Key,
            Self::Identity(_) => PolicyKind::Identity,
            Self::Boundary => PolicyKind::Boundary,
            Self::Session => PolicyKind::Session,
            Self::Scp(..) => PolicyKind::Scp,
            Self::Rcp(..) => PolicyKind::Rcp,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated statements.

/// Parts of a generated statement, as indices into small vocabularies (resolved against the
/// case, so that the statement names the case's caller, account and key).
#[derive(Clone, Debug)]
struct StmtSpec {
    principal: u8,
    not_action: bool,
    actions: Vec<u8>,
    resource: u8,
    condition: u8,
    position: usize,
}

const ACTIONS: &[&str] = &[
    "*",
    "kms:*",
    "", // the case's own action
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:Get*",
    "kms:Re*",
    "kms:*Key",
    "kms:Describe?ey",
    "kms:GenerateDataKey*",
    "kms:CreateGrant",
    "s3:GetObject",
    "kms:?ncrypt",
    "KMS:DECRYPT",
];

fn condition(i: u8, account: &str) -> Option<Value> {
    Some(match i % 16 {
        0..=3 => return None,
        4 => json!({"Bool": {"aws:SecureTransport": "true"}}),
        5 => json!({"Bool": {"aws:SecureTransport": "false"}}),
        6 => json!({"StringEquals": {"kms:CallerAccount": account}}),
        7 => json!({"StringNotEquals": {"aws:PrincipalAccount": account}}),
        8 => json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}),
        9 => json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        10 => json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
        11 => json!({"StringEqualsIfExists": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}),
        12 => json!({"Null": {"kms:EncryptionContextKeys": "true"}}),
        13 => json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*"}}),
        14 => json!({"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}),
        _ => json!({"StringLike": {"kms:EncryptionContext:tenant": "t-*"}}),
    })
}

/// Context keys the generated conditions read; one may be marked ambiguous.
const AMBIGUOUS: &[&str] = &[
    "aws:SecureTransport",
    "kms:CallerAccount",
    "aws:PrincipalArn",
    "aws:SourceIp",
    "aws:PrincipalOrgID",
];

impl StmtSpec {
    fn to_json(&self, case: &OracleCase, kind: PolicyKind, deny: bool) -> Value {
        let r = &case.request;
        let caller = r["principal"].as_str().unwrap();
        let account = case.account();
        let mut s = serde_json::Map::new();
        s.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
        match kind {
            PolicyKind::Rcp => {
                s.insert("Principal".into(), json!("*"));
            }
            PolicyKind::Key => {
                let p = match self.principal % 6 {
                    0 if caller.is_empty() => json!("*"),
                    0 if !caller.starts_with("arn:") => json!({"Service": caller}),
                    0 => json!({"AWS": caller}),
                    1 => json!({"AWS": format!("arn:aws:iam::{account}:root")}),
                    2 => json!({"AWS": account}),
                    3 => json!("*"),
                    4 => match r["context"]["aws:PrincipalArn"].as_str() {
                        Some(a) => json!({"AWS": a}),
                        None => json!({"AWS": caller}),
                    },
                    _ => json!({"AWS": "arn:aws:iam::444455556666:root"}),
                };
                s.insert("Principal".into(), p);
            }
            _ => {}
        }
        let actions: Vec<Value> = self
            .actions
            .iter()
            .map(|&a| match ACTIONS[usize::from(a) % ACTIONS.len()] {
                "" => json!(r["action"].as_str().unwrap()),
                a => json!(a),
            })
            .collect();
        // RCPs cannot use NotAction (that would make the policy invalid, which is tested by
        // the other slots already).
        let key = if self.not_action && kind != PolicyKind::Rcp {
            "NotAction"
        } else {
            "Action"
        };
        s.insert(key.into(), Value::Array(actions));
        let resource = r["resource"].as_str().unwrap();
        let (rkey, rval) = match self.resource % 4 {
            0 => ("Resource", json!("*")),
            1 => ("Resource", json!(resource)),
            2 => ("Resource", json!("arn:aws:kms:*:*:key/*")),
            _ => ("NotResource", json!("arn:aws:s3:::other-bucket/*")),
        };
        s.insert(rkey.into(), rval);
        if let Some(c) = condition(self.condition, &account) {
            s.insert("Condition".into(), c);
        }
        Value::Object(s)
    }
}

fn stmt_spec() -> impl Strategy<Value = StmtSpec> {
    (
        any::<u8>(),
        prop::bool::weighted(0.15),
        prop::collection::vec(any::<u8>(), 1..3),
        any::<u8>(),
        any::<u8>(),
        any::<usize>(),
    )
        .prop_map(
            |(principal, not_action, actions, resource, condition, position)| StmtSpec {
                principal,
                not_action,
                actions,
                resource,
                condition,
                position,
            },
        )
}

/// A case index, 0–2 random base mutations (any effect), and optionally an ambiguous key.
fn base() -> impl Strategy<Value = (usize, Vec<(usize, StmtSpec, bool)>, Option<usize>)> {
    (
        0..cases().len(),
        prop::collection::vec((any::<usize>(), stmt_spec(), any::<bool>()), 0..3),
        prop::option::weighted(0.15, 0..AMBIGUOUS.len()),
    )
}

fn is_denial(d: Decision) -> bool {
    matches!(d, Decision::ExplicitDeny | Decision::ImplicitDeny)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs one monotonicity property: `deny` is the effect of the added statement; `bad` says
/// whether (before, after) violates it; `changed` counts the cases where the added statement
/// changed the decision in its own direction (to prove the generator reaches real decisions).
fn monotone(
    deny: bool,
    bad: fn(Decision, Decision) -> bool,
    effective: fn(Decision, Decision) -> bool,
) {
    let hits = Cell::new(0u32);
    let total = Cell::new(0u32);
    let mut r = runner(1500);
    let result = r.run(
        &(base(), any::<usize>(), stmt_spec()),
        |((idx, muts, amb), slot, spec)| {
            let orig = cases()[idx].mutate(&muts);
            let amb = amb.map(|i| AMBIGUOUS[i]);
            let req = orig.request(amb);
            let before = orig.policy_set().decide(&req);
            let mut changed = orig.clone();
            let slots = changed.slots();
            changed.add(slots[slot % slots.len()], &spec, deny);
            let set = changed.policy_set();
            let after = set.decide(&req);
            prop_assert_eq!(after, set.explain(&req).decision);
            total.set(total.get() + 1);
            if effective(before, after) {
                hits.set(hits.get() + 1);
            }
            if bad(before, after) {
                let at = slots[slot % slots.len()];
                return Err(TestCaseError::fail(format!(
                    "{}: {before} became {after} after adding to {at:?} the statement {}\n\
                     ambiguous context key: {amb:?}\nmutated case: {}",
                    orig.id,
                    spec.to_json(&orig, at.kind(), deny),
                    changed.dump(),
                )));
            }
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    println!(
        "{} of {} added statements changed the decision",
        hits.get(),
        total.get()
    );
    assert!(
        hits.get() * 50 > total.get(),
        "the generator rarely changes a decision ({}/{}): the property is nearly vacuous",
        hits.get(),
        total.get()
    );
}

/// (a) Adding a Deny statement to any policy never turns a denial (or an Indeterminate) into
/// Allow, and never removes an explicit deny.
#[test]
fn deny_is_monotone() {
    monotone(
        true,
        |before, after| {
            (before != Decision::Allow && after == Decision::Allow)
                || (before == Decision::ExplicitDeny && after != Decision::ExplicitDeny)
        },
        |before, after| before == Decision::Allow && after == Decision::ExplicitDeny,
    );
}

/// (b) Adding an Allow statement never turns Allow (or Indeterminate) into a denial, and never
/// removes an explicit deny.
#[test]
fn allow_is_monotone() {
    monotone(
        false,
        |before, after| {
            (matches!(before, Decision::Allow | Decision::Indeterminate) && is_denial(after))
                || (before == Decision::ExplicitDeny && after != Decision::ExplicitDeny)
        },
        |before, after| before != Decision::Allow && after == Decision::Allow,
    );
}

/// (c) Reordering statements within each policy, identity policies, and policies within each
/// SCP and RCP level changes neither the decision nor any layer's verdict.
#[test]
fn order_does_not_matter() {
    let mut r = runner(1500);
    let result = r.run(&(base(), any::<u64>()), |((idx, muts, amb), seed)| {
        let orig = cases()[idx].mutate(&muts);
        let req = orig.request(amb.map(|i| AMBIGUOUS[i]));
        let shuffled = orig.shuffled(seed);
        let (a, b) = (orig.policy_set(), shuffled.policy_set());
        prop_assert_eq!(
            a.decide(&req),
            b.decide(&req),
            "{}\noriginal: {}\nreordered: {}",
            orig.id,
            orig.dump(),
            shuffled.dump()
        );
        let verdicts = |s: &PolicySet| {
            s.explain(&req)
                .layers
                .iter()
                .map(|l| (l.layer, l.verdict))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(verdicts(&a), verdicts(&b), "{}", orig.id);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// (d) Deciding and explaining a batch (every oracle case plus two generated variants of
/// each) on a 4-thread pool gives exactly the serial results.
#[test]
fn parallel_equals_serial() {
    let mut gen_runner = TestRunner::deterministic();
    let strategy = prop::collection::vec((any::<usize>(), stmt_spec(), any::<bool>()), 1..3);
    let mut batch: Vec<(PolicySet, Request)> = Vec::new();
    for c in cases() {
        batch.push((c.policy_set(), c.request(None)));
        for _ in 0..2 {
            let muts = strategy.new_tree(&mut gen_runner).unwrap().current();
            let m = c.mutate(&muts);
            batch.push((m.policy_set(), m.request(None)));
        }
    }
    let serial: Vec<Decision> = batch.iter().map(|(s, r)| s.decide(r)).collect();
    let serial_ex: Vec<_> = batch.iter().map(|(s, r)| s.explain(r)).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    pool.install(|| {
        for _ in 0..3 {
            let parallel: Vec<Decision> = batch.par_iter().map(|(s, r)| s.decide(r)).collect();
            assert_eq!(serial, parallel);
        }
        let parallel_ex: Vec<_> = batch.par_iter().map(|(s, r)| s.explain(r)).collect();
        assert_eq!(serial_ex, parallel_ex);
        // One compiled set shared by many threads at once.
        let (set, req) = &batch[0];
        let many: Vec<Decision> = (0..2000).into_par_iter().map(|_| set.decide(req)).collect();
        assert!(many.iter().all(|d| *d == serial[0]));
    });
    for (d, ex) in serial.iter().zip(&serial_ex) {
        assert_eq!(*d, ex.decision);
    }
}

// ---------------------------------------------------------------------------------------------
// (e) Wildcards against a regex oracle.
//
// The engine's choices (pattern.rs): `?` is exactly one Unicode scalar value (a whole UTF-8
// character, never a byte); `*` any run of them, including none; case-insensitive matching
// folds ASCII letters only (`é` ≠ `É`, and the Kelvin sign `K` is not `k`, where a Unicode
// `(?i)` regex would fold both). The oracle therefore lower-cases ASCII on both sides and
// runs a case-sensitive, Unicode-mode regex (in which `.` is one scalar value).

fn glob_regex(pattern: &str) -> String {
    let mut re = String::new();
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re
}

fn oracle(pattern: &str, text: &str, case: Case) -> bool {
    let (p, t) = match case {
        Case::Sensitive => (pattern.to_owned(), text.to_owned()),
        Case::Insensitive => (pattern.to_ascii_lowercase(), text.to_ascii_lowercase()),
    };
    let re = regex::RegexBuilder::new(&format!("^(?s:{})$", glob_regex(&p)))
        .build()
        .unwrap();
    re.is_match(&t)
}

fn action_oracle(pattern: &str, action: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (service, name) = pattern.split_once(':').unwrap();
    // Wildcards in the service prefix are literal (A8); the name is a glob.
    let re = format!(
        "^(?s:{}:{})$",
        regex::escape(&service.to_ascii_lowercase()),
        glob_regex(&name.to_ascii_lowercase())
    );
    regex::Regex::new(&re)
        .unwrap()
        .is_match(&action.to_ascii_lowercase())
}

fn chars_of(alphabet: &'static [char], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(alphabet), 0..max)
        .prop_map(|v| v.into_iter().collect())
}

const PATTERN_CHARS: &[char] = &[
    '*', '?', 'a', 'b', 'A', 'B', ':', '/', '.', '(', '+', '\\', '$', 'é', 'É', '日', '😀', 'k',
    'K', '\n',
];
const TEXT_CHARS: &[char] = &[
    'a', 'b', 'A', 'B', ':', '/', '.', '(', '+', '\\', '$', 'é', 'É', '日', '😀', 'k', 'K', '*',
    '?', '\n',
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn wildcard_agrees_with_regex(p in chars_of(PATTERN_CHARS, 10), t in chars_of(TEXT_CHARS, 12)) {
        for case in [Case::Sensitive, Case::Insensitive] {
            prop_assert_eq!(
                Wildcard::new(&p, case).matches(&t),
                oracle(&p, &t, case),
                "pattern {:?} text {:?} {:?}", p, t, case
            );
        }
    }

    #[test]
    fn action_matching_agrees_with_regex(
        any_pattern in prop::bool::weighted(0.05),
        ps in prop::sample::select(&["kms", "KMS", "s3", "k*s", "km?", "é"][..]),
        pn in chars_of(PATTERN_CHARS, 8).prop_filter("one colon only", |n| !n.contains(':') && !n.is_empty()),
        ts in prop::sample::select(&["kms", "Kms", "s3", "k*s", "kxs", "é", "É", ""][..]),
        tn in chars_of(TEXT_CHARS, 10),
        no_colon in prop::bool::weighted(0.05),
    ) {
        let pattern = if any_pattern { "*".to_owned() } else { format!("{ps}:{pn}") };
        let action = if no_colon { format!("{ts}{tn}") } else { format!("{ts}:{tn}") };
        let parsed = ActionPattern::parse(&pattern).unwrap();
        let want = action_oracle(&pattern, &action);
        prop_assert_eq!(action_matches(&parsed, &action), want, "{} vs {:?}", pattern, action);
        prop_assert_eq!(ActionMatcher::compile(&parsed).matches(&action), want, "{} vs {:?}", pattern, action);
    }
}

// ---------------------------------------------------------------------------------------------
// The fuzz target's body (shared with fuzz/fuzz_targets/decide.rs), run here on stable.

#[path = "common/fuzz_body.rs"]
mod fuzz_body;

fn fuzz_input_from_cases() -> impl Strategy<Value = Vec<u8>> {
    // One oracle case's policies, each in its own role and now and then truncated, with a byte
    // changed, or in another role; the request header points at the case's caller, action, key
    // and context where the fuzz vocabularies hold them. Far more likely than random bytes to
    // reach real decisions.
    let damage = prop::collection::vec((0u8..10, any::<usize>(), any::<u8>()), 16);
    (0..cases().len(), damage, any::<[u8; 8]>(), any::<u16>()).prop_map(
        |(idx, damage, noise, flips)| {
            let c = &cases()[idx];
            let r = &c.request;
            let find = |list: &[&str], v: &str, fallback: u8| {
                list.iter()
                    .position(|x| *x == v)
                    .map_or(fallback, |i| i as u8)
            };
            let mut mask = 0u16;
            for (i, (k, v)) in fuzz_body::CONTEXT.iter().enumerate() {
                if r["context"][*k].as_str() == Some(*v) {
                    mask |= 1 << i;
                }
            }
            // A sparse random change of the context.
            mask ^= flips & (flips >> 5) & (flips >> 10);
            let [lo, hi] = mask.to_le_bytes();
            let mut out = vec![
                find(
                    fuzz_body::PRINCIPALS,
                    r["principal"].as_str().unwrap(),
                    noise[0],
                ),
                find(fuzz_body::ACTIONS, r["action"].as_str().unwrap(), noise[1]),
                find(fuzz_body::RESOURCES, r["resource"].as_str().unwrap(), 0),
                lo,
                hi,
                noise[5],
                noise[6] & 7,
                noise[7] & 0x8f & if noise[6] > 200 { 0xff } else { 0x7f },
            ];
            let mut chunks: Vec<(u8, &Value)> = Vec::new();
            chunks.extend(c.key_policy.iter().map(|p| (24, p)));
            chunks.extend(c.identity.iter().map(|p| (1, p)));
            chunks.extend(c.boundary.iter().map(|p| (2, p)));
            chunks.extend(c.session.iter().map(|p| (3, p)));
            for level in &c.scps {
                chunks.extend(
                    level
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (if i == 0 { 4 } else { 5 }, p)),
                );
            }
            for level in &c.rcps {
                let n = level.len();
                chunks.extend(
                    level
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (if i + 1 == n { 0x86 } else { 6 }, p)),
                );
            }
            for ((role, p), (d, at, byte)) in chunks.into_iter().zip(damage) {
                let mut text = serde_json::to_vec(p).unwrap();
                let n = text.len();
                let role = match d {
                    0 => {
                        text.truncate(at % (n + 1));
                        role
                    }
                    1 => {
                        text[at % n] = byte;
                        role
                    }
                    2 => byte,
                    _ => role,
                };
                text.retain(|&b| b != 0);
                out.push(0);
                out.push(role);
                out.extend(text);
            }
            out
        },
    )
}

/// The fuzz target's body never panics on arbitrary bytes.
#[test]
fn fuzz_body_arbitrary_bytes() {
    fuzz_run(prop::collection::vec(any::<u8>(), 0..600), 1000, 0);
}

/// ... nor on damaged real policies with every request vocabulary entry; these inputs reach
/// every decision.
#[test]
fn fuzz_body_oracle_policies() {
    fuzz_run(fuzz_input_from_cases(), 1000, 4);
}

/// Runs the fuzz body on `n` inputs; requires at least `min_each` inputs for every decision.
fn fuzz_run(strategy: impl Strategy<Value = Vec<u8>>, n: u32, min_each: u32) {
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<&str, u32>::new());
    let result = runner(n).run(&strategy, |data| {
        let d = fuzz_body::run(&data);
        *seen
            .borrow_mut()
            .entry(d.map_or("no request", Decision::name))
            .or_default() += 1;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let seen = seen.into_inner();
    println!("fuzz body outcomes: {seen:?}");
    for d in ["Allow", "ExplicitDeny", "ImplicitDeny", "Indeterminate"] {
        assert!(
            seen.get(d).copied().unwrap_or(0) >= min_each,
            "{d} reached too rarely: {seen:?}"
        );
    }
}
