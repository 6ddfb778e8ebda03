//! Work over many files shared by the calling thread and helper threads.
//!
//! rayon's parallel iterators hand the work to the pool's threads and block the calling
//! thread until they finish. For a run over a thousand files that costs the time the pool's
//! threads take to start and wake (about half a millisecond in a run of 16–25 ms), during
//! which no file is read. Here the calling thread starts on the files at once, and helpers
//! join in as they come up, each on a core of its own (see `place`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What one thread made: its items' results in the order it made them, and the chunks they
/// came in (first item, count), in increasing order.
type Made<T> = (Vec<T>, Vec<(usize, usize)>);

/// A [`Made`] being merged.
struct Part<T> {
    results: std::vec::IntoIter<T>,
    chunks: std::vec::IntoIter<(usize, usize)>,
    next: Option<(usize, usize)>,
}

/// `f` of every item of `items`, in the items' order, computed in chunks of `chunk` items by
/// this thread and `helpers` helper threads (a pool kept to the end of the process: its
/// threads are not torn down, so this is for a command's one pass over its inputs, not for a
/// loop). With no helper, or no pool, this thread does all.
pub(crate) fn map<I: Sync, T: Send>(
    items: &[I],
    chunk: usize,
    helpers: usize,
    f: impl Fn(&I) -> T + Sync,
) -> Vec<T> {
    let chunk = chunk.max(1);
    let next = AtomicUsize::new(0);
    // Takes chunks until none is left.
    let work = || -> Made<T> {
        let mut results = Vec::new();
        let mut chunks = Vec::new();
        loop {
            let start = next.fetch_add(chunk, Ordering::Relaxed);
            let Some(rest) = items.get(start..).filter(|r| !r.is_empty()) else {
                break;
            };
            let taken = rest.len().min(chunk);
            results.extend(rest.iter().take(taken).map(&f));
            chunks.push((start, taken));
        }
        (results, chunks)
    };
    let pool = (helpers > 0 && items.len() > chunk)
        .then(|| {
            // Each helper moves to a core other than this thread's as it starts (see
            // `place`). A new thread is often queued on this very core: giving it way once
            // lets it move at once rather than after this thread's time slice (up to 4 ms).
            let caller = crate::place::current_cpu();
            rayon::ThreadPoolBuilder::new()
                .num_threads(helpers)
                .start_handler(move |index| crate::place::spread(index, caller))
                .build()
                .ok()
                .inspect(|_| std::thread::yield_now())
        })
        .flatten();
    let mut parts = Vec::new();
    match pool {
        Some(pool) => {
            let theirs = Mutex::new(Vec::new());
            pool.in_place_scope(|scope| {
                for _ in 0..helpers {
                    scope.spawn(|_| {
                        let part = work();
                        if let Ok(mut theirs) = theirs.lock() {
                            theirs.push(part);
                        }
                    });
                }
                parts.push(work());
            });
            // The pool's threads stay parked until the process exits: tearing them down
            // would have the allocator give their memory back first.
            crate::skip_drop(pool);
            parts.extend(theirs.into_inner().unwrap_or_default());
        }
        None => parts.push(work()),
    }
    merge(parts, items.len())
}

/// The parts' results in item order: each item is in exactly one chunk of one part.
fn merge<T>(parts: Vec<Made<T>>, len: usize) -> Vec<T> {
    let mut parts: Vec<Part<T>> = parts
        .into_iter()
        .map(|(results, chunks)| {
            let mut chunks = chunks.into_iter();
            let next = chunks.next();
            Part {
                results: results.into_iter(),
                chunks,
                next,
            }
        })
        .collect();
    let mut out = Vec::with_capacity(len);
    // The part whose next chunk starts where the output ends.
    while let Some(part) = parts
        .iter_mut()
        .find(|p| p.next.is_some_and(|(start, _)| start == out.len()))
    {
        let taken = part.next.map_or(0, |(_, taken)| taken);
        out.extend(part.results.by_ref().take(taken));
        part.next = part.chunks.next();
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::map;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Every item is computed once and the results come in the items' order, for lists
    /// shorter than a chunk, of whole chunks and not, with no helper and with several, while
    /// the threads take chunks at uneven speeds.
    #[test]
    fn results_come_once_each_in_order() {
        for len in [0, 1, 3, 4, 5, 8, 9, 100, 1001] {
            for chunk in [1, 4, 7] {
                for helpers in [0, 1, 3] {
                    let calls = AtomicUsize::new(0);
                    let items: Vec<usize> = (0..len).collect();
                    let got = map(&items, chunk, helpers, |&i| {
                        calls.fetch_add(1, Ordering::Relaxed);
                        if i % 13 == 0 {
                            std::thread::sleep(std::time::Duration::from_micros(50));
                        }
                        i * 2
                    });
                    let expected: Vec<usize> = items.iter().map(|i| i * 2).collect();
                    assert_eq!(got, expected, "len {len} chunk {chunk} helpers {helpers}");
                    assert_eq!(calls.load(Ordering::Relaxed), len);
                }
            }
        }
    }

    /// With helpers, other threads than the caller's take part: the caller's first item waits
    /// (up to ten seconds) until a helper has done one.
    #[test]
    fn helpers_take_part() {
        let items: Vec<usize> = (0..64).collect();
        let caller = std::thread::current().id();
        let helped = std::sync::atomic::AtomicBool::new(false);
        let by_helper = map(&items, 1, 1, |_| {
            if std::thread::current().id() == caller {
                for _ in 0..10_000 {
                    if helped.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                false
            } else {
                helped.store(true, Ordering::Relaxed);
                true
            }
        });
        assert!(by_helper.iter().any(|&h| h));
        assert!(by_helper.iter().any(|&h| !h));
    }
}
