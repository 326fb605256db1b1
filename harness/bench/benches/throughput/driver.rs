//! Runs a rung's workload on OS threads for criterion's `iter_custom`: the threads are
//! spawned once per sample and released together, so spawning is not what is timed.

use std::fmt;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use crate::rungs::Rung;

/// Lock operations each thread completes per criterion iteration; one iteration of
/// `t` threads is `t × OPS_PER_THREAD` elements.
pub const OPS_PER_THREAD: u64 = 1_000;

/// Where the threads' operations land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contention {
    /// Every thread on key 0.
    HotKey,
    /// Thread `i` on key `i`.
    DisjointKeys,
}

impl Contention {
    /// Both, hot first.
    pub const ALL: [Contention; 2] = [Contention::HotKey, Contention::DisjointKeys];

    /// The key thread `thread` works on.
    pub fn key(self, thread: usize) -> usize {
        match self {
            Contention::HotKey => 0,
            Contention::DisjointKeys => thread,
        }
    }
}

impl fmt::Display for Contention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Contention::HotKey => "hot-key",
            Contention::DisjointKeys => "disjoint-keys",
        })
    }
}

/// Runs `iters` iterations of `threads` threads on a fresh workload and returns the
/// time from their release to the last one finishing. Panics if the resource saw a
/// different number of critical sections than the threads completed: the scheme let
/// two holders in at once.
pub fn run(rung: &Rung, contention: Contention, threads: usize, iters: u64) -> Duration {
    let workload = (rung.build)(threads);
    let workload = &*workload;
    let per_thread = iters * OPS_PER_THREAD;
    let start = Barrier::new(threads + 1);
    let elapsed = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let start = &start;
                s.spawn(move || {
                    let key = contention.key(t);
                    start.wait();
                    let mut done = 0;
                    while done < per_thread {
                        done += u64::from(workload.operation(t, key));
                    }
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        for w in workers {
            w.join().expect("a workload thread panicked");
        }
        began.elapsed()
    });
    for t in 0..threads {
        let key = contention.key(t);
        let expected = match contention {
            Contention::HotKey => per_thread * threads as u64,
            Contention::DisjointKeys => per_thread,
        };
        let seen = workload.completed_at_resource(key);
        assert_eq!(
            seen, expected,
            "{} ({contention}, {threads} threads): the resource at key {key} saw {seen} critical sections, the threads completed {expected}",
            rung.id
        );
    }
    elapsed
}
