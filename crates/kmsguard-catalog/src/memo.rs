//! Small per-thread memos of answers that depend on a text alone (a condition key's catalog
//! definition, the names a key query matches, whether an action pattern matches an action):
//! policies repeat a few hundred texts thousands of times, and a hit costs a hash and a
//! comparison of the text. Used here and by the linter.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Slots of a memo (a power of two), in sets of two. The memos hold a few hundred to about a
/// thousand texts (1,005 action patterns with wildcards in AWS's managed policies): with one
/// slot per text, most texts would share a slot with another and evict it. Two texts that
/// share a set both stay; a third evicts the one of them asked longer ago.
///
/// 4,096 slots saved 0.9M instructions per pass over the corpus once the memos were warm
/// (`examples/lint_corpus`, second pass), but a `kmsguard lint` run is one pass: there it
/// ran as many instructions as 1,024 slots, and touched about 300 more pages (its slots are
/// written when a memo is first used), so the memos keep 1,024.
const SLOTS: usize = 1024;

/// Answers by exact text, two per set of slots: a new text replaces the one of its set asked
/// longer ago.
#[derive(Debug)]
pub struct Memo<V>(Vec<Option<(Box<str>, V)>>);

impl<V> Memo<V> {
    /// An empty memo; its slots are allocated on first use.
    #[must_use]
    pub const fn new() -> Self {
        Self(Vec::new())
    }
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Self::new()
    }
}

/// The first slot of the set of two that a text of hash `hash` goes to.
fn first_slot(hash: u64) -> usize {
    (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (65 - SLOTS.trailing_zeros())).wrapping_mul(2)
        as usize
}

/// `compute(text)`, remembered in `memo` under `hash` (any hash of `text`) on this thread.
/// The text is compared exactly: texts that differ in case only may have other answers.
pub fn remember<V: Copy>(
    memo: &'static LocalKey<RefCell<Memo<V>>>,
    text: &str,
    hash: u64,
    compute: impl Fn(&str) -> V,
) -> V {
    let first = first_slot(hash);
    let lookup = |cell: &RefCell<Memo<V>>| {
        // A memo already borrowed (never, as `compute` does not come back here) is skipped.
        let mut memo = cell.try_borrow_mut().ok()?;
        if let Some(value) = memo.get(first, text) {
            return Some(value);
        }
        let value = compute(text);
        memo.insert(first, text, value);
        Some(value)
    };
    // No memo on a thread being torn down: compute.
    memo.try_with(lookup)
        .ok()
        .flatten()
        .unwrap_or_else(|| compute(text))
}

/// [`remember`] with one memo for every thread, for answers that cost far more than taking a
/// lock: the threads of a run (a `kmsguard lint` run has two or more) would otherwise each
/// compute the answers for the texts they share. The lock is not held while `compute` runs;
/// a poisoned lock is not used (the answer is computed).
pub fn remember_shared<V: Copy>(
    memo: &'static std::sync::Mutex<Memo<V>>,
    text: &str,
    hash: u64,
    compute: impl Fn(&str) -> V,
) -> V {
    let first = first_slot(hash);
    if let Some(value) = memo.lock().ok().and_then(|mut memo| memo.get(first, text)) {
        return value;
    }
    let value = compute(text);
    if let Ok(mut memo) = memo.lock() {
        memo.put(first, text, value);
    }
    value
}

impl<V: Copy> Memo<V> {
    /// The answer kept for `text` in the set of slots starting at `first`, which becomes the
    /// newer of its set.
    fn get(&mut self, first: usize, text: &str) -> Option<V> {
        let [newer, older] = self.0.get_mut(first..first.saturating_add(2))? else {
            return None;
        };
        match (&*newer, &*older) {
            (Some((stored, value)), _) if **stored == *text => Some(*value),
            (_, Some((stored, value))) if **stored == *text => {
                let value = *value;
                std::mem::swap(newer, older);
                Some(value)
            }
            _ => None,
        }
    }

    /// Keeps `value` for `text` as the newer of the set of slots starting at `first` (unless
    /// another thread kept it meanwhile), the newer one becoming the older.
    fn put(&mut self, first: usize, text: &str, value: V) {
        if self.get(first, text).is_none() {
            self.insert(first, text, value);
        }
    }

    /// Keeps `value` for `text` as the newer of the set of slots starting at `first`, the
    /// newer one becoming the older (the older one is let go).
    fn insert(&mut self, first: usize, text: &str, value: V) {
        if self.0.is_empty() {
            self.0.resize_with(SLOTS, || None);
        }
        if let Some([newer, older]) = self.0.get_mut(first..first.saturating_add(2)) {
            *older = newer.replace((text.into(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static LENGTHS: RefCell<Memo<usize>> = const { RefCell::new(Memo::new()) };
    }

    /// Every text gets its own answer, also when texts share a slot (equal hashes here) or
    /// differ in case only, and a text asked again is answered without computing.
    #[test]
    fn answers_by_exact_text() {
        let computed = std::cell::Cell::new(0);
        let len = |t: &str| {
            computed.set(computed.get() + 1);
            t.len() * 10 + usize::from(t.starts_with('A'))
        };
        for t in ["a", "A", "ab", "AB", "", "a"] {
            assert_eq!(remember(&LENGTHS, t, 7, len), len(t), "{t}");
        }
        let before = computed.get();
        for i in 0..10_000u64 {
            let t = format!("t{i}");
            assert_eq!(remember(&LENGTHS, &t, i, len), t.len() * 10);
        }
        assert_eq!(computed.get(), before + 10_000);
        assert_eq!(remember(&LENGTHS, "t9999", 9999, len), 50);
        assert_eq!(computed.get(), before + 10_000);
    }

    static ACROSS: std::sync::Mutex<Memo<usize>> = std::sync::Mutex::new(Memo::new());

    /// The memo shared by threads answers as computing does, for texts of one set of slots
    /// and texts in both cases, on two threads at once; a text asked again (on any thread)
    /// is answered without computing while it is one of the two asked last in its set.
    #[test]
    fn the_shared_memo_answers_by_exact_text() {
        let answer = |t: &str| t.len() * 7 + t.bytes().map(usize::from).sum::<usize>();
        let texts: Vec<String> = (0..3000)
            .map(|i| format!("{}{i}", if i % 2 == 0 { "Text" } else { "text" }))
            .collect();
        std::thread::scope(|scope| {
            for round in 0..2 {
                let texts = &texts;
                scope.spawn(move || {
                    for (i, t) in texts.iter().enumerate().skip(round) {
                        // Sets of one to eight texts, by the hash given.
                        let hash = (i / 8) as u64;
                        assert_eq!(remember_shared(&ACROSS, t, hash, answer), answer(t), "{t}");
                    }
                });
            }
        });
        let computed = std::sync::atomic::AtomicUsize::new(0);
        let counting = |t: &str| {
            computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            answer(t)
        };
        for t in ["x", "X", "x", "X", "x"] {
            assert_eq!(remember_shared(&ACROSS, t, 12_345, counting), answer(t));
        }
        // `x` and `X` share a set: each is computed once.
        assert_eq!(computed.load(std::sync::atomic::Ordering::Relaxed), 2);
    }

    thread_local! {
        static SHARED: RefCell<Memo<usize>> = const { RefCell::new(Memo::new()) };
    }

    /// Texts of one set of slots (equal hashes here): the answers are those computed, in
    /// every order of asking; the two texts asked last are both kept, and a third evicts the
    /// one asked longer ago.
    #[test]
    fn a_set_keeps_the_two_texts_asked_last() {
        let computed = std::cell::Cell::new(0);
        let answer = |t: &str| {
            computed.set(computed.get() + 1);
            t.len() * 7 + t.bytes().map(usize::from).sum::<usize>()
        };
        let texts: Vec<String> = (0..12).map(|i| format!("text{}", "x".repeat(i))).collect();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = &texts[(x % 12) as usize];
            assert_eq!(remember(&SHARED, t, 99, answer), answer(t), "{t}");
        }
        let (a, b, c) = ("A", "B", "C");
        remember(&SHARED, a, 99, answer);
        remember(&SHARED, b, 99, answer);
        let before = computed.get();
        for t in [a, b, b, a, b, a] {
            assert_eq!(remember(&SHARED, t, 99, answer), answer(t));
        }
        // Six answers computed by the assertions, none by the memo.
        assert_eq!(computed.get(), before + 6);
        // `a` was asked last, so `c` evicts `b`.
        remember(&SHARED, c, 99, answer);
        let before = computed.get();
        remember(&SHARED, a, 99, answer);
        remember(&SHARED, c, 99, answer);
        assert_eq!(computed.get(), before);
        remember(&SHARED, b, 99, answer);
        assert_eq!(computed.get(), before + 1);
    }
}
