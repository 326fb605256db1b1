//! Scheme throughput on real threads: lock operations per second of each scheme's
//! write-up fix and correct fix at 1, 2, 4 and 8 threads, on one hot key and on
//! disjoint keys, beside a bare `std::sync::Mutex` doing the same increment.
//!
//! Group `throughput`, id `<scheme>/<variant>/<contention>`, value the thread count.
//! One element is one completed lock operation — acquire (retrying while contended),
//! the critical section (an increment of the protected resource), release — made of
//! the statements the checked model runs: each rung is its model's workload
//! (`locklab::models::<scheme>::*Workload`, built on `locklab::sim::workload`), which
//! calls the same statement functions (`<scheme>::statements`) as the model's steps,
//! each statement one critical section of a `std::sync::Mutex` around the model's
//! store. What a workload cannot take from its model (the ticker, pauses, crashes,
//! the property checks) its docs say. One iteration is [`driver::OPS_PER_THREAD`]
//! operations per thread, all threads together.
//!
//! `cargo bench -p locklab-bench --bench throughput -- --test` runs each case once.
#![deny(missing_docs)]

mod baseline;
mod driver;
mod rungs;

use locklab_bench as common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use driver::{Contention, OPS_PER_THREAD};

/// Thread counts measured (the machine this runs on may have fewer cores: the hot-key
/// rows then also show what oversubscribed spinning costs).
const THREADS: [usize; 4] = [1, 2, 4, 8];

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("throughput");
    common::configure(
        &mut group,
        Duration::from_millis(300),
        Duration::from_millis(1500),
    );
    for rung in rungs::all() {
        // A workload is its model's: a rung without a scenario is a renamed one.
        assert!(
            rung.id == rungs::BASELINE || locklab::scenarios::find(rung.id).is_some(),
            "no scenario '{}': its throughput rows would not link to a verdict",
            rung.id
        );
        for contention in Contention::ALL {
            for threads in THREADS {
                group.throughput(Throughput::Elements(OPS_PER_THREAD * threads as u64));
                let id = BenchmarkId::new(format!("{}/{contention}", rung.id), threads);
                group.bench_function(id, |b| {
                    b.iter_custom(|iters| driver::run(&rung, contention, threads, iters))
                });
            }
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = throughput
}
criterion_main!(benches);
