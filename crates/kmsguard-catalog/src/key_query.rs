//! One condition key tested against many actions: the key is resolved once to the catalog's
//! own spellings of the names it matches, and each action is then checked by comparing ids.

use crate::matching::key_matches;
use crate::memo::{Memo, remember};
use crate::{Action, Catalog, Head, data, global_key, hash, is_named, probe, range, s};

/// How many matching names a query keeps; a key that matches more (none does in this catalog)
/// falls back to comparing names.
const KEPT: usize = 16;

/// A condition key as written in a policy (`kms:EncryptionContext:aws:s3:arn`), resolved once
/// against every key name the catalog lists for actions and resource types, for
/// [`Action::supports`]. Obtain it with [`Catalog::key_query`].
#[derive(Clone, Debug)]
pub struct KeyQuery<'a> {
    name: &'a str,
    /// A global key: every action supports it.
    global: bool,
    /// Ids of the listed names that match (`KEPT` at most).
    ids: [u32; KEPT],
    len: usize,
    /// More names matched than `ids` keeps.
    overflow: bool,
}

impl KeyQuery<'_> {
    fn push(&mut self, id: u32) {
        if self.has(id) {
            return;
        }
        match self.ids.get_mut(self.len) {
            Some(slot) => {
                *slot = id;
                self.len = self.len.saturating_add(1);
            }
            None => self.overflow = true,
        }
    }

    // Inlined: `Action::supports` calls it for every key listed for an action.
    #[inline]
    fn has(&self, id: u32) -> bool {
        self.ids
            .get(..self.len)
            .is_some_and(|ids| ids.contains(&id))
    }

    /// Whether one of the names with ids in `REFS[r]` matches.
    fn any_in(&self, r: (u32, u32)) -> bool {
        range(&data::REFS, r).iter().any(|&id| self.has(id))
    }
}

impl Catalog {
    /// Resolves condition key `name`, as written in a policy, for testing many actions with
    /// [`Action::supports`] (each test then compares a few numbers instead of names).
    #[must_use]
    pub fn key_query<'a>(&self, name: &'a str) -> KeyQuery<'a> {
        self.key_query_with(name, global_key(name).is_some())
    }

    /// [`Catalog::key_query`] for a name the caller already knows is no global key (see
    /// [`Catalog::condition_key_and_global`]): the search of the global keys is skipped. For a
    /// global key, the query would answer as for a service key of that name.
    #[must_use]
    pub fn key_query_not_global<'a>(&self, name: &'a str) -> KeyQuery<'a> {
        self.key_query_with(name, false)
    }

    fn key_query_with<'a>(&self, name: &'a str, global: bool) -> KeyQuery<'a> {
        let mut q = KeyQuery {
            name,
            global,
            ids: [0; KEPT],
            len: 0,
            overflow: false,
        };
        if q.global {
            return q;
        }
        let h = hash::hash_ci(0, name.as_bytes());
        let found = remember(&FOUND, name, h, |_| {
            let mut fresh = q.clone();
            fresh.resolve(h);
            (fresh.ids, fresh.len, fresh.overflow)
        });
        (q.ids, q.len, q.overflow) = found;
        q
    }
}

/// What [`KeyQuery::resolve`] finds for a name: `ids`, `len` and `overflow`.
type Found = ([u32; KEPT], usize, bool);

thread_local! {
    /// What queries of key names found on this thread, by exact name. Policies name few
    /// distinct keys (605 texts for the 5,642 keys of AWS's managed policies) and a linter
    /// queries each key once per statement; a search reads the key groups and the templated
    /// names, a hit one slot.
    static FOUND: std::cell::RefCell<Memo<Found>> = const { std::cell::RefCell::new(Memo::new()) };
}

impl KeyQuery<'_> {
    /// Finds the names that match this query's name (of hash `h`): the listed names equal to
    /// it (in any case), then the templated ones that match it.
    fn resolve(&mut self, h: u64) {
        let name = self.name;
        let group = probe(&data::KEYREF_TABLE, h, |g| {
            data::KEYREF_GROUPS
                .get(g as usize)
                .and_then(|&r| range(&data::KEYREF_IDS, r).first())
                .is_some_and(|&id| is_named(id, name))
        });
        if let Some(&r) = group.and_then(|g| data::KEYREF_GROUPS.get(g as usize)) {
            for &id in range(&data::KEYREF_IDS, r) {
                self.push(id);
            }
        }
        // A template matches only names that start with its literal head: those of at least
        // two bytes are sorted, so the candidates share the name's first two bytes. The head
        // filter of each sorted template holds those two bytes, folded: they are compared as
        // one number (no string read), in the table's order.
        let first_two = |&(_, hd, _): &(u32, u64, u64)| ((hd & 0xff) << 8) | ((hd >> 8) & 0xff);
        let sorted = &data::KEYREF_TEMPLATED;
        let (from, want) = match *name.as_bytes() {
            [h0, h1, ..] => {
                let want =
                    (u64::from(h0.to_ascii_lowercase()) << 8) | u64::from(h1.to_ascii_lowercase());
                let start = sorted.partition_point(|t| first_two(t) < want);
                (sorted.get(start..).unwrap_or(&[]), want)
            }
            _ => (&[][..], 0),
        };
        let candidates = from
            .iter()
            .take_while(|t| first_two(t) == want)
            .chain(&data::KEYREF_TEMPLATED_SHORT);
        let filter = Head::of(name);
        for &(id, hd, hm) in candidates {
            if filter.may_match(hd, hm) && key_matches(s(id), name) {
                self.push(id);
            }
        }
    }
}

impl Action {
    /// [`Action::supports_condition_key`] for a key resolved with [`Catalog::key_query`]: the
    /// same answer, cheaper when one key is tested against many actions.
    #[must_use]
    pub fn supports(&self, q: &KeyQuery<'_>) -> bool {
        if q.global {
            return true;
        }
        if q.overflow {
            return self.supports_condition_key(q.name);
        }
        q.any_in(self.row.k)
            || range(&data::ACT_RES, self.row.r).iter().any(|ar| {
                data::RTYPES
                    .get(ar.t as usize)
                    .is_some_and(|rt| q.any_in(ar.k) || q.any_in(rt.k))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Queries answered from the memo find what a search finds, also for names that share a
    /// slot and replace one another, and names that differ in case only.
    #[test]
    fn remembered_queries_agree_with_searching() {
        let mut names: Vec<String> = [
            "kms:ViaService",
            "KMS:viaservice",
            "kms:EncryptionContext:aws:s3:arn",
            "kms:encryptioncontext:aws:s3:arn",
            "aws:RequestTag/Team",
            "s3:ExistingObjectTag/team",
            "ec2:ResourceTag/Name",
            "iam:PassedToService",
            "no:SuchKey",
            "k",
            "",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // More names than slots (1,024).
        names.extend((0..10_000).map(|i| format!("ec2:ResourceTag/k{i}")));
        for _ in 0..2 {
            for name in &names {
                let q = crate::catalog().key_query_not_global(name);
                let mut fresh = KeyQuery {
                    name,
                    global: false,
                    ids: [0; KEPT],
                    len: 0,
                    overflow: false,
                };
                fresh.resolve(hash::hash_ci(0, name.as_bytes()));
                assert_eq!(
                    (q.ids, q.len, q.overflow),
                    (fresh.ids, fresh.len, fresh.overflow),
                    "{name}"
                );
            }
        }
        assert!(
            crate::catalog()
                .key_query_not_global("kms:EncryptionContext:aws:s3:arn")
                .len
                > 0
        );
    }
}
