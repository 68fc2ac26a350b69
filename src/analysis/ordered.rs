//! Chunks of work produced in parallel and consumed in order, with no
//! barrier between the two.
//!
//! Every thread of the current rayon pool runs the same loop: claim the next
//! chunk index (one atomic counter), produce the chunk into a block (a
//! recycled `Vec<f64>`), hand the block in. Whichever thread hands in the
//! chunk that completes the next group of `group` consecutive chunks consumes
//! that group (and any later group already complete) while the other threads
//! go on producing. The consumer therefore sees every chunk exactly once, in
//! chunk order, one group at a time and never two at once, whatever the
//! number of threads; no thread waits for a whole batch to finish before
//! starting the next one (a batch barrier leaves a thread idle for about half
//! a chunk each time, about 10 % of a 2-thread Monte Carlo run).
//!
//! Memory is bounded: a thread does not start a chunk more than `window`
//! chunks past the first chunk not yet consumed, so at most `window +
//! threads` blocks exist at any time.

use super::error::{AnalysisError, Result};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Chunks handed in and not yet consumed.
struct Queue {
    /// Produced chunks waiting for their turn, by index.
    done: BTreeMap<usize, Vec<f64>>,
    /// Chunks `0..consumed` have been consumed.
    consumed: usize,
    /// A thread is consuming a group.
    busy: bool,
    /// Blocks of consumed chunks, to be reused.
    free: Vec<Vec<f64>>,
    /// The error of the lowest chunk that failed.
    error: Option<(usize, AnalysisError)>,
}

/// What the threads share.
struct Shared<C> {
    n_chunks: usize,
    group: usize,
    window: usize,
    /// Next chunk to claim.
    next: AtomicUsize,
    /// Set when a chunk failed or a thread panicked: every thread stops.
    stop: AtomicBool,
    queue: Mutex<Queue>,
    /// Signalled when chunks are consumed or the run stops.
    progress: Condvar,
    /// The consumer; only the thread consuming a group locks it.
    consume: Mutex<C>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Stops the other threads if the thread holding it unwinds (a panic in
/// `produce` or `consume`), so none of them waits for a chunk that will never
/// come; the panic then reaches the caller through `rayon::scope`.
struct StopOnPanic<'a, C>(&'a Shared<C>);

impl<C> Drop for StopOnPanic<'_, C> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop.store(true, Ordering::SeqCst);
            self.0.progress.notify_all();
        }
    }
}

/// Produces chunks `0..n_chunks` on every thread of the current rayon pool
/// (`produce(c, block, scratch)` fills `block` for chunk `c`, with `scratch`
/// made by `init` once per thread) and hands them to `consume` in chunk
/// order, `group` consecutive chunks per call (the last call may have fewer),
/// see the module docs. `window` (at least `group`) bounds how far
/// production runs ahead of consumption, in chunks.
///
/// `block` is a block of an earlier chunk or empty: `produce` must set its
/// length and every value. Errors: the error of the lowest chunk that failed
/// (the run stops at the first failure, so which chunks fail may depend on
/// the timing when several would).
pub(super) fn produce_in_order<S, I, P, C>(
    n_chunks: usize,
    group: usize,
    window: usize,
    init: I,
    produce: P,
    consume: C,
) -> Result<()>
where
    I: Fn() -> S + Sync,
    P: Fn(usize, &mut Vec<f64>, &mut S) -> Result<()> + Sync,
    C: FnMut(&[Vec<f64>]) + Send,
{
    let group = group.max(1);
    let shared = Shared {
        n_chunks,
        group,
        window: window.max(group),
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        queue: Mutex::new(Queue {
            done: BTreeMap::new(),
            consumed: 0,
            busy: false,
            free: Vec::new(),
            error: None,
        }),
        progress: Condvar::new(),
        consume: Mutex::new(consume),
    };
    let threads = rayon::current_num_threads().clamp(1, n_chunks.max(1));
    rayon::scope(|s| {
        for _ in 0..threads {
            s.spawn(|_| work(&shared, &init, &produce));
        }
    });
    let queue = shared
        .queue
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    match queue.error {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// One thread's loop of [`produce_in_order`].
fn work<S, C: FnMut(&[Vec<f64>])>(
    sh: &Shared<C>,
    init: &impl Fn() -> S,
    produce: &impl Fn(usize, &mut Vec<f64>, &mut S) -> Result<()>,
) {
    let _guard = StopOnPanic(sh);
    let mut scratch = init();
    loop {
        if sh.stop.load(Ordering::SeqCst) {
            return;
        }
        let c = sh.next.fetch_add(1, Ordering::Relaxed);
        if c >= sh.n_chunks {
            return;
        }
        let mut block = {
            let mut q = lock(&sh.queue);
            // Every chunk below `consumed + window` is produced without
            // waiting, so the group being waited for always completes.
            while c >= q.consumed + sh.window && !sh.stop.load(Ordering::SeqCst) {
                q = sh.progress.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
            q.free.pop().unwrap_or_default()
        };
        if let Err(e) = produce(c, &mut block, &mut scratch) {
            let mut q = lock(&sh.queue);
            if q.error.as_ref().is_none_or(|(first, _)| c < *first) {
                q.error = Some((c, e));
            }
            sh.stop.store(true, Ordering::SeqCst);
            sh.progress.notify_all();
            return;
        }
        let mut q = lock(&sh.queue);
        q.done.insert(c, block);
        // Consume every complete group in turn, unless another thread is
        // already doing so (it picks this one up when it is done).
        while !q.busy && !sh.stop.load(Ordering::SeqCst) {
            let (start, end) = (q.consumed, (q.consumed + sh.group).min(sh.n_chunks));
            if start >= end || !(start..end).all(|i| q.done.contains_key(&i)) {
                break;
            }
            let blocks: Vec<Vec<f64>> = (start..end).filter_map(|i| q.done.remove(&i)).collect();
            q.busy = true;
            drop(q);
            (lock(&sh.consume))(&blocks);
            q = lock(&sh.queue);
            q.busy = false;
            q.consumed = end;
            q.free.extend(blocks);
            sh.progress.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::error::invalid;

    /// Every chunk reaches the consumer once, in order, in groups, for any
    /// number of threads, group and window.
    #[test]
    fn consumed_in_order_for_any_threads() {
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for (n, group, window) in [(0, 4, 8), (1, 4, 8), (37, 4, 4), (100, 8, 32), (9, 1, 1)] {
                let mut seen = Vec::new();
                let mut sizes = Vec::new();
                pool.install(|| {
                    produce_in_order(
                        n,
                        group,
                        window,
                        || 0usize,
                        |c, block, calls| {
                            *calls += 1;
                            block.clear();
                            block.extend((0..(c % 3 + 1)).map(|i| (c * 10 + i) as f64));
                            Ok(())
                        },
                        |blocks: &[Vec<f64>]| {
                            sizes.push(blocks.len());
                            seen.extend(blocks.iter().flatten().copied());
                        },
                    )
                })
                .unwrap();
                let want: Vec<f64> = (0..n)
                    .flat_map(|c| (0..(c % 3 + 1)).map(move |i| (c * 10 + i) as f64))
                    .collect();
                assert_eq!(seen, want, "{threads} threads, {n} chunks");
                assert_eq!(sizes.iter().sum::<usize>(), n);
                assert!(sizes.iter().rev().skip(1).all(|&s| s == group));
            }
        }
    }

    /// A failing chunk stops the run and its error comes back.
    #[test]
    fn a_failure_is_reported() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let got = pool.install(|| {
            produce_in_order(
                50,
                4,
                8,
                || (),
                |c, block, _| {
                    if c == 13 {
                        return Err(invalid("chunk", "13 fails"));
                    }
                    block.clear();
                    block.push(c as f64);
                    Ok(())
                },
                |_: &[Vec<f64>]| {},
            )
        });
        let e = got.unwrap_err().to_string();
        assert!(e.contains("13 fails"), "{e}");
    }
}
