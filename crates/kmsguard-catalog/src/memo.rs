//! Small per-thread memos of answers that depend on a text alone (a condition key's catalog
//! definition, the names a key query matches, whether an action pattern matches an action):
//! policies repeat a few hundred texts thousands of times, and a hit costs a hash and a
//! comparison of the text. Used here and by the linter.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Slots of a memo (a power of two). The memos hold a few hundred to about a thousand texts
/// (1,005 action patterns with wildcards in AWS's managed policies): with as many slots as
/// texts, most texts share a slot with another and evict it, so there are four times as many.
const SLOTS: usize = 4096;

/// Answers by exact text, one per slot: a new text replaces the one in its slot.
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

/// `compute(text)`, remembered in `memo` under `hash` (any hash of `text`) on this thread.
/// The text is compared exactly: texts that differ in case only may have other answers.
pub fn remember<V: Copy>(
    memo: &'static LocalKey<RefCell<Memo<V>>>,
    text: &str,
    hash: u64,
    compute: impl Fn(&str) -> V,
) -> V {
    let slot = (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros())) as usize;
    let lookup = |cell: &RefCell<Memo<V>>| {
        // A memo already borrowed (never, as `compute` does not come back here) is skipped.
        let mut memo = cell.try_borrow_mut().ok()?;
        if memo.0.is_empty() {
            memo.0.resize_with(SLOTS, || None);
        }
        let entry = memo.0.get_mut(slot)?;
        match entry {
            Some((stored, value)) if **stored == *text => Some(*value),
            _ => {
                let value = compute(text);
                *entry = Some((text.into(), value));
                Some(value)
            }
        }
    };
    // No memo on a thread being torn down: compute.
    memo.try_with(lookup)
        .ok()
        .flatten()
        .unwrap_or_else(|| compute(text))
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
}
