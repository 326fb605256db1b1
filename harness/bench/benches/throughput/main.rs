//! Scheme throughput on real threads: lock operations per second of each scheme's
//! write-up fix and correct fix at 1, 2, 4 and 8 threads, on one hot key and on
//! disjoint keys, beside a bare `std::sync::Mutex` doing the same increment.
//!
//! Group `throughput`, id `<scheme>/<variant>/<contention>`, value the thread count.
//! One element is one completed lock operation — acquire (retrying while contended),
//! the critical section (an increment of the protected resource), release — made of
//! the scheme's own statements on the kit's store (`Table`, `Kv`), each statement one
//! critical section of a `std::sync::Mutex` around the store. One iteration is
//! [`driver::OPS_PER_THREAD`] operations per thread, all threads together.
//!
//! `cargo bench -p locklab-bench --bench throughput -- --test` runs each case once.
#![deny(missing_docs)]

mod driver;
mod kernel;
mod kernels;

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
    for spec in kernels::all() {
        if spec.id != kernels::BASELINE && locklab::scenarios::find(spec.id).is_none() {
            // The kernel is written from the catalogue; its scenario may land later.
            eprintln!(
                "note: no scenario '{}' (yet): its throughput rows will not link to a verdict",
                spec.id
            );
        }
        for contention in Contention::ALL {
            for threads in THREADS {
                group.throughput(Throughput::Elements(OPS_PER_THREAD * threads as u64));
                let id = BenchmarkId::new(format!("{}/{contention}", spec.id), threads);
                group.bench_function(id, |b| {
                    b.iter_custom(|iters| driver::run(&spec, contention, threads, iters))
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
