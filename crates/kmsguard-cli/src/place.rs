//! Where new worker threads start.
//!
//! Linux may start a new thread on its parent's core, and on the project's 2-core host it did
//! so in most runs even while the other core was idle (scheduler tracepoints, `perf record -e
//! sched:sched_switch,sched:sched_wakeup_new -a`). The load balancer then left both threads
//! sharing that core, in turns of 4 ms, for most of a `lint` of the 1,645 managed policies
//! (16–28 ms in such runs against 12–14 ms when the two ran side by side). A worker therefore
//! moves itself to a core of its own as it starts: it allows itself only that core, which the
//! kernel applies at once, then allows again every core it was allowed before. It stays where
//! it was moved unless the scheduler has a reason to move it later, and the system's own
//! affinity settings (`taskset`, cgroup cpusets) are kept: only cores the thread was allowed
//! are chosen, and failures leave the thread where it is.

/// The core the calling thread runs on, where the system can tell.
#[cfg(target_os = "linux")]
pub(crate) fn current_cpu() -> Option<usize> {
    nix::sched::sched_getcpu().ok()
}

/// See the Linux version.
#[cfg(not(target_os = "linux"))]
pub(crate) fn current_cpu() -> Option<usize> {
    None
}

/// Moves the calling thread, worker `index` of its pool, to a core of its own: the `index`-th
/// (modulo their number) of the cores it is allowed, leaving out `avoid` (the core of a thread
/// that works alongside the pool) unless no other is allowed.
pub(crate) fn spread(index: usize, avoid: Option<usize>) {
    if let Some((before, _)) = pin(index, avoid) {
        unpin(&before);
    }
}

/// The affinity of a thread.
#[cfg(target_os = "linux")]
type Cores = nix::sched::CpuSet;

/// Allows the calling thread only the core [`spread`] chooses, which moves it there before this
/// returns. Returns what it was allowed before and the core, or `None` when the thread is left
/// alone (one core allowed, or the system refused).
#[cfg(target_os = "linux")]
fn pin(index: usize, avoid: Option<usize>) -> Option<(Cores, usize)> {
    use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
    let before = sched_getaffinity(nix::unistd::Pid::from_raw(0)).ok()?;
    let allowed: Vec<usize> = (0..CpuSet::count())
        .filter(|&c| before.is_set(c).unwrap_or(false))
        .collect();
    if allowed.len() < 2 {
        return None;
    }
    let others: Vec<usize> = allowed
        .iter()
        .copied()
        .filter(|&c| Some(c) != avoid)
        .collect();
    let choice = if others.is_empty() { &allowed } else { &others };
    let core = *choice.get(index % choice.len())?;
    let mut only = CpuSet::new();
    only.set(core).ok()?;
    sched_setaffinity(nix::unistd::Pid::from_raw(0), &only).ok()?;
    Some((before, core))
}

/// Allows the calling thread `before` again.
#[cfg(target_os = "linux")]
fn unpin(before: &Cores) {
    let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), before);
}

/// Elsewhere threads are left where the system puts them.
#[cfg(not(target_os = "linux"))]
type Cores = ();

#[cfg(not(target_os = "linux"))]
fn pin(_: usize, _: Option<usize>) -> Option<(Cores, usize)> {
    None
}

#[cfg(not(target_os = "linux"))]
fn unpin(_: &Cores) {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::{current_cpu, pin, unpin};
    use nix::sched::{CpuSet, sched_getaffinity};
    use nix::unistd::Pid;

    fn allowed() -> Vec<usize> {
        let set = sched_getaffinity(Pid::from_raw(0)).unwrap();
        (0..CpuSet::count())
            .filter(|&c| set.is_set(c).unwrap())
            .collect()
    }

    /// A pinned thread runs on the chosen core (the kernel moves it before `pin` returns, and
    /// nothing else is allowed until `unpin`), which is never the avoided one while another is
    /// allowed; workers of different indexes get different cores; `unpin` gives back exactly
    /// the affinity there was. With one core allowed nothing is changed.
    #[test]
    fn workers_move_to_their_own_cores_and_keep_their_affinity() {
        std::thread::spawn(|| {
            let cores = allowed();
            let before = sched_getaffinity(Pid::from_raw(0)).unwrap();
            assert!(current_cpu().is_some(), "Linux tells the core");
            // The core of the thread working alongside: the first, which the indexes would
            // give first if it were not left out.
            let avoid = cores[0];
            if cores.len() < 2 {
                assert!(pin(0, Some(avoid)).is_none());
                assert_eq!(sched_getaffinity(Pid::from_raw(0)).unwrap(), before);
                return;
            }
            let mut chosen = Vec::new();
            for index in 0..cores.len() - 1 {
                let (was, core) = pin(index, Some(avoid)).expect("two cores allowed");
                assert_eq!(was, before);
                assert_ne!(core, avoid, "worker {index} given the avoided core");
                assert_eq!(current_cpu(), Some(core), "worker {index} not moved");
                assert_eq!(allowed(), vec![core]);
                unpin(&was);
                assert_eq!(sched_getaffinity(Pid::from_raw(0)).unwrap(), before);
                chosen.push(core);
            }
            chosen.sort_unstable();
            chosen.dedup();
            assert_eq!(
                chosen.len(),
                cores.len() - 1,
                "workers share cores: {chosen:?}"
            );
            // Nothing to avoid: the indexes go over every allowed core.
            let (_, core) = pin(cores.len(), None).unwrap();
            assert_eq!(current_cpu(), Some(core));
            assert_eq!(core, cores[0]);
            unpin(&before);
            assert_eq!(sched_getaffinity(Pid::from_raw(0)).unwrap(), before);
        })
        .join()
        .unwrap();
    }
}
