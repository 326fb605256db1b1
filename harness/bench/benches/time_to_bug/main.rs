//! Time to bug: for every buggy rung (every scenario expected to violate a property,
//! so new rungs appear here by themselves) and each of loom, shuttle random and PCT,
//! how many executions and how much time a search takes to find the violation.
//!
//! Group `time-to-bug`, id the engine, value the scenario id. One iteration is one
//! search run until the violation is found; the seed cycles through
//! [`hunt::SEEDS`] from one iteration to the next, so criterion's median time is the
//! median time to bug (for a hunt much shorter than a sample, each sample averages
//! several consecutive seeds, and the median is over those averages).
//! `Throughput::Elements` is the median over those seeds of the
//! executions until found (counted before timing; every timed search must find it
//! after exactly as many executions as its seed did then). loom runs at the rung's loom
//! plan (sizes, preemption bound) and ignores the seed; random and PCT at its shuttle
//! plan sizes. A hunt that does not find the expected violation within its budget is
//! left out, with a note on stderr.
//!
//! `cargo bench -p locklab-bench --bench time_to_bug -- --test` runs each case once.
#![deny(missing_docs)]

use locklab_bench as common;
mod hunt;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use hunt::{median, Hunt, SEEDS};

fn time_to_bug(c: &mut Criterion) {
    let mut group = c.benchmark_group("time-to-bug");
    common::configure(
        &mut group,
        Duration::from_millis(100),
        Duration::from_millis(500),
    );
    for scenario in locklab::scenarios::all() {
        let Some(hunts) = Hunt::all_for(scenario) else {
            continue;
        };
        for hunt in hunts {
            let found_after = match hunt.calibrate() {
                Ok(found_after) => found_after,
                Err(why) => {
                    eprintln!(
                        "note: {} under {} left out: {why}",
                        scenario.id(),
                        hunt.engine_name
                    );
                    continue;
                }
            };
            eprintln!(
                "{} under {}: found after {found_after:?} executions (seeds {SEEDS:?})",
                scenario.id(),
                hunt.engine_name
            );
            group.throughput(Throughput::Elements(median(&found_after)));
            let mut next = 0;
            group.bench_function(BenchmarkId::new(hunt.engine_name, scenario.id()), |b| {
                b.iter(|| {
                    let i = next % SEEDS.len();
                    next += 1;
                    let n = hunt.found_after(SEEDS[i]).unwrap_or_else(|why| {
                        panic!("{} under {}: {why}", scenario.id(), hunt.engine_name)
                    });
                    assert_eq!(
                        n,
                        found_after[i],
                        "{} under {}: seed {} found it after {n} executions, not {} as before",
                        scenario.id(),
                        hunt.engine_name,
                        SEEDS[i],
                        found_after[i]
                    );
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = time_to_bug
}
criterion_main!(benches);
