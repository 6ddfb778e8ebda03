//! What the catalog knows about a policy's action patterns and condition keys, looked up once
//! per document for every rule that asks (several rules resolve the same patterns and keys).

use kmsguard_catalog::{Action, ConditionKeyDef, Service, catalog};
use kmsguard_syntax::ast::{ActionPattern, Policy};

use kmsguard_catalog::memo::{Memo, remember};

/// What the catalog knows of one action pattern.
#[derive(Clone, Copy, Debug)]
pub(crate) enum KnownAction {
    /// The bare `*`.
    Any,
    /// A service prefix the catalog does not know.
    UnknownService,
    /// A name without wildcards that the catalog knows (the action holds its service).
    Action(Action),
    /// A name without wildcards that the service does not have.
    UnknownName(Service),
    /// A name with `*` or `?`.
    Pattern(Service),
    /// A pattern that holds a placeholder (`kmsguard_syntax::unknown`): unknown until deploy,
    /// never judged.
    Placeholder,
}

impl KnownAction {
    /// A bit for each variant, for [`PolicyFacts::holds`].
    pub(crate) fn kind(self) -> u8 {
        match self {
            Self::Any => 1,
            Self::UnknownService => 2,
            Self::Action(_) => 4,
            Self::UnknownName(_) => 8,
            Self::Pattern(_) => 16,
            Self::Placeholder => 32,
        }
    }

    /// The bit of [`KnownAction::UnknownService`].
    pub(crate) const UNKNOWN_SERVICE: u8 = 2;
    /// The bit of [`KnownAction::UnknownName`].
    pub(crate) const UNKNOWN_NAME: u8 = 8;
    /// The bit of [`KnownAction::Pattern`].
    pub(crate) const PATTERN: u8 = 16;

    /// What the catalog knows of `p`, and `p` added to `summary`. `last` is the previous
    /// pattern's service prefix, service and service bit: lists usually name several actions of
    /// one service in a row.
    fn of<'p>(p: &'p ActionPattern, last: &mut Last<'p>, summary: &mut ActionSummary) -> Self {
        let text = p.text().as_bytes();
        // A pattern has one colon, after its prefix: when the previous prefix and a colon start
        // the text, that is the prefix, and the name is the rest (a byte split: names are
        // compared as bytes, so no character boundary needs checking).
        let cached = last.and_then(|(prefix, svc, b)| {
            let n = prefix.len();
            let name = text.get(n.saturating_add(1)..)?;
            (text.get(n) == Some(&b':') && same_bytes(text.get(..n)?, prefix))
                .then_some((name, svc, b))
        });
        let (name, service, service_bit) = match cached {
            Some(found) => found,
            None => {
                if p.is_any() {
                    summary.any = true;
                    return Self::Any;
                }
                let prefix = p.service();
                let name = text.get(prefix.len().saturating_add(1)..).unwrap_or(&[]);
                let svc = service(prefix);
                let b = match svc {
                    Some(svc) => bit(svc.id() as u64),
                    None => bit(hash_folded(prefix)),
                };
                *last = Some((prefix.as_bytes(), svc, b));
                (name, svc, b)
            }
        };
        summary.services |= service_bit;
        // Catalog names are ASCII and a placeholder is not: only a name the catalog does not
        // know may hold one.
        let known = match service {
            None if crate::holds_placeholder(p.text()) => Self::Placeholder,
            None => Self::UnknownService,
            // Catalog names hold no wildcard: a name found is a plain name.
            Some(svc) => match svc.action_by_bytes(name) {
                Some(a) => {
                    // A catalog action is named by one text (ignoring case) only.
                    summary.actions |= bit(a.id() as u64);
                    return Self::Action(a);
                }
                None if crate::holds_placeholder(p.text()) => Self::Placeholder,
                // The prefix is a catalog service's, without wildcards: the text holds one
                // exactly when the name does, and is read a word at a time.
                None if crate::has_wildcard(p.text()) => Self::Pattern(svc),
                None => Self::UnknownName(svc),
            },
        };
        if name == b"*" {
            summary.service_stars |= service_bit;
        }
        // Others, placeholders included, are compared as text.
        summary.actions |= bit(hash_folded(p.text()));
        known
    }
}

/// Slots of [`SERVICES`] (a power of two).
const SERVICE_SLOTS: usize = 1024;

/// A slot of [`SERVICES`]: a prefix as two words (see [`prefix_key`]), its length, and its
/// service. An empty slot has a length no prefix has.
type ServiceSlot = (u64, u64, usize, Option<Service>);

/// The slot of [`SERVICES`] that holds no prefix.
const NO_SERVICE: ServiceSlot = (0, 0, usize::MAX, None);

thread_local! {
    /// Service prefixes of at most sixteen bytes looked up on this thread, by their bytes as
    /// two words and their length (together, the whole text), with what the catalog knows of
    /// them: a policy's first pattern of each service misses the previous pattern's prefix,
    /// and the catalog's lookup costs several times a slot's. A third of these prefixes have
    /// nine to sixteen bytes (`cloudwatch`, `secretsmanager`).
    static SERVICES: std::cell::RefCell<Vec<ServiceSlot>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `bytes`, of at most sixteen, as two words that with the length are the whole text: up to
/// eight bytes zero-padded and a zero, else the first eight and the last eight (which overlap
/// below sixteen). `None` for a longer text.
fn prefix_key(bytes: &[u8]) -> Option<(u64, u64)> {
    match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        (Some(first), Some(last)) if bytes.len() <= 16 => {
            Some((u64::from_le_bytes(*first), u64::from_le_bytes(*last)))
        }
        (Some(_), _) => None,
        _ => Some((short_word(bytes), 0)),
    }
}

/// The bytes of `bytes` (fewer than eight) as a zero-padded little-endian word: two loads of
/// four that may overlap, or the first, middle and last byte of up to three (overlapping bytes
/// are the same bytes at the same places, so or-ing them changes nothing).
fn short_word(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (Some(lo), Some(hi)) => {
            u64::from(u32::from_le_bytes(*lo))
                | u64::from(u32::from_le_bytes(*hi)) << (8 * len.saturating_sub(4))
        }
        _ => match (bytes.first(), bytes.get(len / 2), bytes.last()) {
            (Some(&a), Some(&b), Some(&c)) => {
                u64::from(a)
                    | u64::from(b) << (8 * (len / 2))
                    | u64::from(c) << (8 * len.saturating_sub(1))
            }
            _ => 0,
        },
    }
}

/// `catalog().service(prefix)`, through [`SERVICES`].
fn service(prefix: &str) -> Option<Service> {
    let bytes = prefix.as_bytes();
    // The few longer prefixes do not fit the two words of a slot's key.
    let Some((lo, hi)) = prefix_key(bytes) else {
        return catalog().service(prefix);
    };
    let mixed = (lo ^ hi.rotate_left(29) ^ bytes.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let slot = (mixed >> (64 - SERVICE_SLOTS.trailing_zeros())) as usize;
    let lookup = |cell: &std::cell::RefCell<Vec<ServiceSlot>>| {
        let mut slots = cell.try_borrow_mut().ok()?;
        if slots.is_empty() {
            slots.resize(SERVICE_SLOTS, NO_SERVICE);
        }
        let entry = slots.get_mut(slot)?;
        match *entry {
            (l, h, len, svc) if l == lo && h == hi && len == bytes.len() => Some(svc),
            _ => {
                let svc = catalog().service(prefix);
                *entry = (lo, hi, bytes.len(), svc);
                Some(svc)
            }
        }
    };
    SERVICES
        .try_with(lookup)
        .ok()
        .flatten()
        .unwrap_or_else(|| catalog().service(prefix))
}

/// The previous pattern's service prefix, what the catalog knows of it, and its bit in
/// [`ActionSummary::services`].
type Last<'p> = Option<(&'p [u8], Option<Service>, u64)>;

/// Whether `a` and `b` are the same bytes. Service prefixes are short: two overlapping words
/// compare them without a call to `memcmp`.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (a.first_chunk::<8>(), b.first_chunk::<8>()) {
        (Some(x), Some(y)) if a.len() <= 16 => x == y && a.last_chunk::<8>() == b.last_chunk::<8>(),
        (Some(_), Some(_)) => a == b,
        _ => match (a.first_chunk::<4>(), b.first_chunk::<4>()) {
            (Some(x), Some(y)) => x == y && a.last_chunk::<4>() == b.last_chunk::<4>(),
            // At most three bytes: the first, middle and last are all of them.
            _ => {
                a.first() == b.first()
                    && a.get(a.len() / 2) == b.get(b.len() / 2)
                    && a.last() == b.last()
            }
        },
    }
}

/// The catalog definition of a condition key as a rule needs it (see
/// [`crate::rules::validity`]'s `condition_key`): the definition, and whether only the `<key>`
/// template fallback found it (catalog matchers then take the template's name, not the key's).
#[derive(Clone, Copy, Debug)]
pub(crate) struct KnownKey {
    pub(crate) def: ConditionKeyDef,
    pub(crate) by_template: bool,
    /// A global key (`Catalog::global_condition_key`).
    pub(crate) global: bool,
}

impl KnownKey {
    /// The name to pass to catalog matchers for the key written `text`.
    pub(crate) fn matcher_name<'a>(&self, text: &'a str) -> &'a str {
        if self.by_template {
            self.def.name
        } else {
            text
        }
    }
}

/// The action patterns of one statement at a glance, for comparing statements quickly (I014):
/// a bit per service and per action named (hashed to 64 bits; names equal ignoring ASCII case
/// get the same bit). A list can cover another only if it holds `*`, or holds every service
/// bit of the other and, without `service:*` patterns, every action bit.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ActionSummary {
    /// The bare `*` is listed.
    pub(crate) any: bool,
    /// The services of the patterns.
    pub(crate) services: u64,
    /// The services with a `service:*` pattern.
    pub(crate) service_stars: u64,
    /// The patterns.
    pub(crate) actions: u64,
}

impl ActionSummary {
    /// Whether the list summarised by `self` may cover every pattern of `other` (if not, it
    /// certainly does not).
    pub(crate) fn may_cover(&self, other: &Self) -> bool {
        self.any
            || (!other.any
                && other.services & !self.services == 0
                && (self.service_stars != 0 || other.actions & !self.actions == 0))
    }
}

/// One of 64 bits, chosen by hashing `n`.
fn bit(n: u64) -> u64 {
    1 << (n.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58)
}

/// A hash of `text` that ignores ASCII case (bit 5 of every byte is set, which lower-cases
/// letters and merges a few pairs of other characters: a hash may collide). It reads eight
/// bytes at a time; only the bits it picks matter, as a filter (see [`ActionSummary`]).
pub(crate) fn hash_folded(text: &str) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let mix = |h: u64, x: u64| (h.rotate_left(5) ^ x).wrapping_mul(0x0100_0000_01b3);
    let mut chunks = text.as_bytes().chunks_exact(8);
    let mut h = text.len() as u64;
    for c in chunks.by_ref() {
        let w = <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
        h = mix(h, w | FOLD);
    }
    // The bytes after the last whole eight: the last eight bytes of the text (some already
    // mixed), read as one word, without a loop over them.
    let rest = match (
        chunks.remainder().is_empty(),
        text.as_bytes().last_chunk::<8>(),
    ) {
        (true, _) => 0,
        (false, Some(w)) => u64::from_le_bytes(*w) | FOLD,
        (false, None) => short_word(text.as_bytes()) | FOLD,
    };
    mix(mix(h, rest), h >> 29)
}

/// What the catalog knows of condition key `text` (nothing for a key that holds a placeholder:
/// it is unknown until deploy, and no rule judges it).
fn resolve_key(text: &str) -> Option<KnownKey> {
    if crate::holds_placeholder(text) {
        return None;
    }
    crate::rules::validity::condition_key_and_global(text).map(|(def, by_template, global)| {
        KnownKey {
            def,
            by_template,
            global,
        }
    })
}

thread_local! {
    /// Condition keys resolved on this thread ([`resolve_key`] depends on the text alone).
    /// Policies name few distinct condition keys (605 texts for the 5,642 keys of AWS's managed
    /// policies), and a key without an exact catalog row is searched through the templated
    /// keys: a few hundred instructions per key.
    static KEYS: std::cell::RefCell<Memo<Option<KnownKey>>> =
        const { std::cell::RefCell::new(Memo::new()) };
}

/// [`resolve_key`], through [`KEYS`].
fn known_key(text: &str) -> Option<KnownKey> {
    remember(&KEYS, text, hash_folded(text), resolve_key)
}

/// Where one statement's facts are.
#[derive(Debug)]
struct StatementFacts {
    /// Where its patterns and keys start in `PolicyFacts::actions` and `PolicyFacts::keys`.
    actions: u32,
    keys: u32,
    summary: ActionSummary,
    /// The [`KnownAction::kind`] bits of its patterns: rules that look for one kind of pattern
    /// skip the statements (nearly all) that have none.
    kinds: u8,
}

/// The lists of [`PolicyFacts`].
type Lists = (Vec<KnownAction>, Vec<Option<KnownKey>>, Vec<StatementFacts>);

thread_local! {
    /// The lists of the last facts dropped on this thread, kept for the next policy's: three
    /// allocations and frees fewer per policy (the lists are emptied, not shrunk, so they soon
    /// hold the largest policy's facts).
    static SPARE: std::cell::RefCell<Option<Lists>> = const { std::cell::RefCell::new(None) };
}

/// Catalog facts of one policy, in statement order. Condition keys that hold a placeholder
/// have no definition (`None`), like unknown keys; rules that report unknown keys check for
/// placeholders themselves.
#[derive(Debug, Default)]
pub(crate) struct PolicyFacts {
    /// The patterns of every statement's `Action` or `NotAction`, one after the other.
    actions: Vec<KnownAction>,
    /// The keys of every statement's conditions, one after the other.
    keys: Vec<Option<KnownKey>>,
    statements: Vec<StatementFacts>,
    /// The [`KnownAction::kind`] bits of every statement's patterns: rules that look for one
    /// kind of pattern skip the policies (nearly all) that have none.
    kinds: u8,
}

impl PolicyFacts {
    pub(crate) fn new(policy: &Policy) -> Self {
        // One allocation per list, or none: the lists of the facts dropped last on this
        // thread, when they have room.
        let (patterns, conditions) =
            policy
                .statements
                .iter()
                .fold((0usize, 0usize), |(p, c), st| {
                    let n = st
                        .node
                        .action
                        .as_ref()
                        .map_or(0, |b| b.patterns().node.len());
                    (
                        p.saturating_add(n),
                        c.saturating_add(st.node.conditions.len()),
                    )
                });
        let (actions, keys, statements) = SPARE
            .try_with(|cell| cell.try_borrow_mut().ok().and_then(|mut s| s.take()))
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut facts = Self {
            actions: fit(actions, patterns),
            keys: fit(keys, conditions),
            statements: fit(statements, policy.statements.len()),
            kinds: 0,
        };
        let mut last = None;
        for st in &policy.statements {
            let mut summary = ActionSummary::default();
            let mut kinds = 0;
            let actions = u32::try_from(facts.actions.len()).unwrap_or(u32::MAX);
            if let Some(block) = &st.node.action {
                for p in &block.patterns().node {
                    let known = KnownAction::of(&p.node, &mut last, &mut summary);
                    kinds |= known.kind();
                    facts.actions.push(known);
                }
            }
            let keys = u32::try_from(facts.keys.len()).unwrap_or(u32::MAX);
            facts.keys.extend(
                st.node
                    .conditions
                    .iter()
                    .map(|c| known_key(c.key.node.text())),
            );
            facts.kinds |= kinds;
            facts.statements.push(StatementFacts {
                actions,
                keys,
                summary,
                kinds,
            });
        }
        facts
    }

    /// Where the facts of statement `statement` are in `actions` and in `keys` (empty ranges
    /// for a statement the policy does not have).
    fn ranges(&self, statement: usize) -> (usize, usize, usize, usize) {
        let Some(start) = self.statements.get(statement) else {
            return (0, 0, 0, 0);
        };
        let (a, k) = (start.actions as usize, start.keys as usize);
        let (a2, k2) = self
            .statements
            .get(statement.saturating_add(1))
            .map_or((self.actions.len(), self.keys.len()), |s| {
                (s.actions as usize, s.keys as usize)
            });
        (a, a2, k, k2)
    }

    /// What the catalog knows of the patterns of statement `statement` (its index in the
    /// policy), in the order of its `Action` or `NotAction` list.
    pub(crate) fn actions(&self, statement: usize) -> &[KnownAction] {
        let (a, a2, _, _) = self.ranges(statement);
        self.actions.get(a..a2).unwrap_or(&[])
    }

    /// The catalog definitions of the condition keys of statement `statement`, in the order of
    /// its conditions (`None` for keys the catalog does not know).
    pub(crate) fn keys(&self, statement: usize) -> &[Option<KnownKey>] {
        let (_, _, k, k2) = self.ranges(statement);
        self.keys.get(k..k2).unwrap_or(&[])
    }

    /// Whether a condition key of the policy has no definition (it is unknown, or holds a
    /// placeholder).
    pub(crate) fn has_unknown_key(&self) -> bool {
        self.keys.iter().any(Option::is_none)
    }

    /// Whether a pattern of statement `statement` is of a kind in `kinds` (bits of
    /// [`KnownAction::kind`]).
    pub(crate) fn holds(&self, statement: usize, kinds: u8) -> bool {
        self.statements
            .get(statement)
            .is_some_and(|s| s.kinds & kinds != 0)
    }

    /// Whether a pattern of any statement is of a kind in `kinds` (bits of
    /// [`KnownAction::kind`]).
    pub(crate) fn holds_anywhere(&self, kinds: u8) -> bool {
        self.kinds & kinds != 0
    }

    /// The summary of the patterns of statement `statement`'s `Action` or `NotAction` list.
    pub(crate) fn summary(&self, statement: usize) -> ActionSummary {
        self.statements
            .get(statement)
            .map(|s| s.summary)
            .unwrap_or_default()
    }
}

/// `list` emptied, with room for `n` items. A list too small is replaced, not grown: growing
/// copies the old items, though none are left.
fn fit<T>(mut list: Vec<T>, n: usize) -> Vec<T> {
    list.clear();
    if list.capacity() < n {
        // At least twice the room: the lists soon hold the largest policy's facts.
        return Vec::with_capacity(n.max(list.capacity().saturating_mul(2)));
    }
    list
}

impl Drop for PolicyFacts {
    fn drop(&mut self) {
        let lists = (
            std::mem::take(&mut self.actions),
            std::mem::take(&mut self.keys),
            std::mem::take(&mut self.statements),
        );
        // On a thread being torn down, or with lists already kept, these are freed.
        let _ = SPARE.try_with(|cell| {
            if let Ok(mut spare) = cell.try_borrow_mut() {
                if spare.is_none() {
                    *spare = Some(lists);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls `each` with every policy read from `texts`, and the text it was read from.
    fn for_each_policy(texts: &[String], mut each: impl FnMut(&str, &Policy)) {
        use kmsguard_syntax::formats::Content;
        use kmsguard_syntax::{ParseOptions, parse_text};
        for text in texts {
            let parsed = parse_text(text, &ParseOptions::default());
            for doc in &parsed.documents {
                if let Content::Policy(policy) = &doc.content {
                    each(text, policy);
                }
            }
        }
    }

    /// The memo of condition keys gives what resolving each key gives, also for keys that
    /// share a slot and replace one another, and keys that differ in case only.
    #[test]
    fn key_memo_agrees_with_resolving() {
        let mut texts: Vec<String> = [
            "kms:ViaService",
            "KMS:viaservice",
            "aws:ResourceTag/Project",
            "aws:resourcetag/project",
            "aws:PrincipalTag/dept",
            "s3:ExistingObjectTag/<key>",
            "s3:ExistingObjectTag/team",
            "kms:EncryptionContext:aws:s3:arn",
            "ec2:ResourceTag/Name",
            "no:SuchKey",
            "aws:SourceIp",
            "",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // More texts than slots (1,024).
        texts.extend((0..10_000).map(|i| format!("aws:RequestTag/k{i}")));
        texts.extend((0..100).map(|i| format!("nosuch{i}:Key")));
        for _ in 0..2 {
            for t in &texts {
                assert_eq!(
                    format!("{:?}", known_key(t)),
                    format!("{:?}", resolve_key(t)),
                    "{t}"
                );
            }
        }
    }

    /// A policy holds a kind of pattern exactly when one of its statements does, for every
    /// kind, on every managed policy and on policies with unknown services, unknown names and
    /// placeholders.
    #[test]
    fn policy_kinds_agree_with_statement_kinds() {
        let mut texts = crate::managed_policy_texts();
        for actions in [
            r#""nosuch:Get""#,
            r#"["kms:Decrypt","kms:NoSuchAction"]"#,
            r#"["s3:Get*","*"]"#,
            r#"["kms:Decrypt"]"#,
        ] {
            texts.push(format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}},{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
            ));
        }
        let mut seen = 0u8;
        for_each_policy(&texts, |text, policy| {
            let facts = PolicyFacts::new(policy);
            for bit in 0..8 {
                let kind = 1u8 << bit;
                let any = (0..policy.statements.len()).any(|s| facts.holds(s, kind));
                assert_eq!(facts.holds_anywhere(kind), any, "{text}");
                if any {
                    seen |= kind;
                }
            }
        });
        // Every kind but placeholders (which the managed policies do not hold) was seen.
        assert_eq!(seen, 0b1_1111, "{seen:#b}");
    }

    /// Facts built in the lists of facts dropped before (the usual case) are those built in
    /// new lists, for every order of pairs of policies of different sizes.
    #[test]
    fn facts_in_kept_lists_agree_with_new_lists() {
        use kmsguard_syntax::formats::Content;
        use kmsguard_syntax::{ParseOptions, parse_text};
        let texts = [
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt","s3:Get*","nosuch:X"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"x","aws:SourceVpc":"y"}}},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["kms:NoSuch"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        ];
        let parsed: Vec<_> = texts
            .iter()
            .map(|t| parse_text(t, &ParseOptions::default()))
            .collect();
        let policies: Vec<&Policy> = parsed
            .iter()
            .flat_map(|p| &p.documents)
            .filter_map(|d| match &d.content {
                Content::Policy(p) => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(policies.len(), texts.len());
        for a in &policies {
            for b in &policies {
                // `a`'s lists are kept when its facts are dropped, and `b`'s facts take them.
                drop(PolicyFacts::new(a));
                let kept = PolicyFacts::new(b);
                // No lists are kept while `kept` holds them: these are new.
                let new = PolicyFacts::new(b);
                assert_eq!(format!("{kept:?}"), format!("{new:?}"));
            }
        }
    }

    /// The remembered services ([`service`]) are the catalog's, for every catalog prefix in
    /// three cases, for prefixes the catalog does not know, longer than eight bytes, with a
    /// zero byte, empty, and more prefixes than slots, each asked several times.
    #[test]
    fn remembered_services_agree_with_catalog() {
        let mut prefixes: Vec<String> = Vec::new();
        for svc in catalog().services() {
            let p = svc.prefix();
            prefixes.extend([p.to_owned(), p.to_ascii_uppercase(), format!("{p}\0")]);
            let mut mixed: Vec<char> = p.chars().collect();
            if let Some(c) = mixed.first_mut() {
                *c = c.to_ascii_uppercase();
            }
            prefixes.push(mixed.into_iter().collect());
        }
        prefixes.extend(
            [
                "kms",
                "kms\0",
                "km",
                "kmsx",
                "",
                "\0",
                "a",
                "nosuch",
                "abcdefgh",
                "abcdefghi",
            ]
            .iter()
            .map(|s| (*s).to_owned()),
        );
        prefixes.extend((0..2000).map(|i| format!("x{i}")));
        // Each catalog prefix, then the same with one byte changed (same length), so that a
        // slot's key that missed a byte would answer the second with the first's service.
        for svc in catalog().services() {
            let p = svc.prefix();
            for i in 0..p.len() {
                let mut changed = p.as_bytes().to_vec();
                if let Some(b) = changed.get_mut(i) {
                    *b = if *b == b'#' { b'%' } else { b'#' };
                }
                prefixes.push(p.to_owned());
                prefixes.push(String::from_utf8(changed).expect("ASCII"));
            }
        }
        for round in 0..3 {
            for p in prefixes.iter().skip(round) {
                assert_eq!(service(p), catalog().service(p), "{p:?}");
            }
        }
    }

    /// The two words of a prefix's key and its length tell apart every two texts of up to
    /// sixteen bytes (and no longer text gets a key): for every length, a text and the same
    /// with any one byte changed to any other value.
    #[test]
    fn prefix_keys_tell_texts_apart() {
        let base = b"abcdefghijklmnopqrst";
        for len in 0..=base.len() {
            let text = &base[..len];
            let key = prefix_key(text);
            assert_eq!(key.is_some(), len <= 16, "{len}");
            // The same bytes elsewhere give the same key.
            let copy = text.to_vec();
            assert_eq!(prefix_key(&copy), key);
            for i in 0..len {
                for v in [0u8, b'A', b'#', 0x80, 0xff] {
                    let mut other = text.to_vec();
                    other[i] = v;
                    if len <= 16 {
                        assert_ne!(prefix_key(&other), key, "{len} {i} {v}");
                    }
                }
            }
        }
    }

    /// What [`KnownAction::of`] finds for a pattern is what the catalog's plain lookups of
    /// its service and name find (`*` for the bare wildcard, a placeholder's own kind, an
    /// action, or a pattern when the name holds `*` or `?`), for every pattern of the managed
    /// policies, in their order, and for made-up ones: wildcards at the start, middle and end
    /// of short and long names, unknown services and mixed case.
    #[test]
    fn known_actions_agree_with_plain_lookups() {
        use kmsguard_syntax::formats::Content;
        use kmsguard_syntax::{ParseOptions, parse_text};
        let plain = |p: &ActionPattern| -> String {
            if p.is_any() {
                return format!("{:?}", KnownAction::Any);
            }
            let known = match catalog().service(p.service()) {
                _ if crate::holds_placeholder(p.text()) => KnownAction::Placeholder,
                None => KnownAction::UnknownService,
                Some(svc) => match svc.action(p.name()) {
                    Some(a) => KnownAction::Action(a),
                    None if p.name().contains(['*', '?']) => KnownAction::Pattern(svc),
                    None => KnownAction::UnknownName(svc),
                },
            };
            format!("{known:?}")
        };
        let mut texts = crate::managed_policy_texts();
        let made_up = [
            "*",
            "kms:*",
            "kms:?",
            "kms:*Key",
            "kms:Re*crypt",
            "kms:ReEncrypt?rom",
            "KMS:decrypt",
            "kms:DECRYPT*",
            "s3:Get?",
            "s3:GetObject",
            "s3:getobjectattributes",
            "s3:Get*Tagging",
            "ec2:DescribeInstances",
            "ec2:Describe*",
            "ec2:DescribeInstanceS?",
            "iam:PassRole",
            "iam:NoSuchAction",
            "nosuch:Get*",
            "nosuch:Get",
            "cloudwatch:Get*",
            "cloudwatch:GetMetricData",
            "elasticloadbalancing:Describe*",
            "elasticloadbalancing:DescribeLoadBalancers",
            "a:*",
        ];
        let list: Vec<String> = made_up.iter().map(|t| format!("\"{t}\"")).collect();
        texts.push(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
            list.join(",")
        ));
        let mut checked = 0usize;
        for_each_policy(&texts, |_, policy| {
            let facts = PolicyFacts::new(policy);
            for (s, st) in policy.statements.iter().enumerate() {
                let Some(block) = &st.node.action else {
                    continue;
                };
                let patterns = &block.patterns().node;
                assert_eq!(facts.actions(s).len(), patterns.len());
                for (p, known) in patterns.iter().zip(facts.actions(s)) {
                    assert_eq!(format!("{known:?}"), plain(&p.node), "{}", p.node.text());
                    checked += 1;
                }
            }
        });
        // The managed policies' patterns, and every made-up one.
        assert!(checked > 60_000, "{checked}");
        let last = texts
            .last()
            .map(|t| parse_text(t, &ParseOptions::default()));
        let made_up_checked = last
            .iter()
            .flat_map(|p| &p.documents)
            .map(|d| match &d.content {
                Content::Policy(p) => p
                    .statements
                    .iter()
                    .filter_map(|s| s.node.action.as_ref())
                    .map(|b| b.patterns().node.len())
                    .sum(),
                _ => 0,
            })
            .sum::<usize>();
        assert_eq!(made_up_checked, made_up.len());
    }

    /// [`hash_folded`] gives texts that differ in ASCII case only the same hash (summaries
    /// rely on it: names equal ignoring case get the same bit), for every length from 0 to 40
    /// bytes (whole words, a rest read as the last eight bytes, or a short text alone), and
    /// mostly different hashes to texts that differ otherwise.
    #[test]
    fn folded_hash_ignores_case() {
        let base = "kms:ReEncryptFrom:aws:ResourceTag/Team-X9";
        let mut differ = 0;
        let mut pairs = 0;
        for len in 0..=base.len() {
            let t = &base[..len];
            assert_eq!(hash_folded(t), hash_folded(&t.to_ascii_uppercase()), "{t}");
            assert_eq!(hash_folded(t), hash_folded(&t.to_ascii_lowercase()), "{t}");
            for at in 0..len {
                let mut other = t.as_bytes().to_vec();
                other[at] = if other[at] == b'0' { b'1' } else { b'0' };
                let other = String::from_utf8(other).expect("ASCII");
                pairs += 1;
                if hash_folded(t) != hash_folded(&other) {
                    differ += 1;
                }
            }
        }
        assert_eq!(differ, pairs);
    }

    /// The previous pattern's prefix (the fast path of [`KnownAction::of`]) gives what a
    /// lookup of each pattern on its own gives.
    #[test]
    fn cached_prefix_agrees_with_lookup() {
        let texts = [
            "kms:Decrypt",
            "kms:encrypt",
            "KMS:Decrypt",
            "kms:*",
            "kms:ReEncrypt*",
            "kms:NoSuchAction",
            "kmsx:Decrypt",
            "km:Decrypt",
            "kms:Decrypt",
            "*",
            "kms:Describe?ey",
            "s3:GetObject",
            "s3:GetObjectAttributes",
            "s3:*",
            "s3x:GetObject",
            "nosuchservice:Get",
            "nosuchservice:*",
            "nosuchservice:Get",
            "a:b",
            "a:b",
            "ab:c",
            "iam:PassRole",
            "iam:passrole",
            "IAM:PASSROLE",
            "ec2:Describe*",
            "ec2:DescribeInstances",
        ];
        let patterns: Vec<ActionPattern> = texts
            .iter()
            .map(|t| ActionPattern::parse(t).expect("a pattern"))
            .collect();
        // Every order of every pair, and the whole list in order.
        let mut runs: Vec<Vec<&ActionPattern>> = Vec::new();
        for a in &patterns {
            for b in &patterns {
                runs.push(vec![a, b]);
            }
        }
        runs.push(patterns.iter().collect());
        for run in runs {
            let mut last = None;
            let mut cached = ActionSummary::default();
            let mut fresh = ActionSummary::default();
            for p in run {
                let k1 = KnownAction::of(p, &mut last, &mut cached);
                let k2 = KnownAction::of(p, &mut None, &mut fresh);
                assert_eq!(format!("{k1:?}"), format!("{k2:?}"), "{}", p.text());
                assert_eq!(format!("{cached:?}"), format!("{fresh:?}"), "{}", p.text());
            }
        }
    }
}
