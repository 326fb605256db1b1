//! Growth: how the cost of proof grows with the work. One correct rung, its actors
//! grown from 2 to 5, explored by loom with preemption bound 2 (to the end of that
//! bounded space) and by shuttle PCT (a fixed number of executions).
//!
//! Group `growth`, id `loom-pb2` or `pct`, value the actor count. One element is one
//! execution; one iteration is one whole search (loom: every interleaving with ≤ 2
//! preemptions, so its elements grow with the actors; PCT: [`PCT_EXECUTIONS`], so its
//! time per execution shows the growth). Sizes loom cannot run (it allows 5 threads
//! including the model's main thread) are left out, with a note on stderr.
//!
//! `cargo bench -p locklab-bench --bench growth -- --test` runs each case once.
#![deny(missing_docs)]

use locklab_bench as common;

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use locklab::engine::{explore, Budget, Engine, Loom};
use locklab::scenarios::{Expected, Scenario};
use locklab::sim::SharedModel;
use locklab::verdict::{Outcome, Verdict};

/// The rung: the write-up's conditional claim, which holds, has no clock, and whose
/// actors are all servers, so the actor count is the whole size of the problem.
const SCENARIO: &str = "device-claim/conditional-update";

/// Actor counts measured.
const ACTORS: std::ops::RangeInclusive<u64> = 2..=5;

/// Executions per PCT search.
const PCT_EXECUTIONS: u64 = 1_000;

/// The shuttle seed; fixed, so every iteration explores the same schedules.
const SEED: u64 = 1;

/// The bounded loom of the `loom-pb2` rows.
const LOOM_PB2: Loom = Loom::bounded(2);

/// One search; loom runs to the end of its bounded space (`executions: None`).
fn search(model: &SharedModel, engine: &dyn Engine, executions: Option<u64>) -> Verdict {
    let budget = Budget {
        executions,
        seed: SEED,
        max_time: common::SEARCH_TIME_CAP,
    };
    explore(Arc::clone(model), engine, budget)
}

/// Executions one search explores, or `None` if loom cannot run this size; panics if
/// the rung failed to hold.
fn calibrate(
    scenario: &Scenario,
    actors: u64,
    engine: &dyn Engine,
    iterations: Option<u64>,
) -> Option<u64> {
    let model = common::model(
        scenario,
        &[(
            scenario.actors_param().expect("an actors parameter"),
            actors,
        )],
    );
    let verdict = search(&model, engine, iterations);
    if common::loom_thread_limit(&verdict) {
        eprintln!(
            "note: {} with {actors} actors is past loom's thread limit: left out",
            scenario.id()
        );
        return None;
    }
    match verdict.outcome {
        Outcome::Passed => Some(verdict.executions),
        _ => panic!(
            "{} with {actors} actors under {}: {}",
            scenario.id(),
            engine.label(),
            common::describe(&verdict)
        ),
    }
}

fn growth(c: &mut Criterion) {
    let scenario = locklab::scenarios::find(SCENARIO).expect("the growth rung exists");
    assert_eq!(scenario.expected(), Expected::Holds, "{SCENARIO} must hold");
    let mut group = c.benchmark_group("growth");
    common::configure(
        &mut group,
        Duration::from_millis(200),
        Duration::from_millis(2500),
    );
    let engines: [(&str, &dyn Engine, Option<u64>); 2] = [
        ("loom-pb2", &LOOM_PB2, None),
        ("pct", &common::PCT, Some(PCT_EXECUTIONS)),
    ];
    for (name, engine, iterations) in engines {
        for actors in ACTORS {
            let Some(executions) = calibrate(scenario, actors, engine, iterations) else {
                continue;
            };
            eprintln!("{SCENARIO} with {actors} actors under {name}: {executions} executions");
            let model = common::model(
                scenario,
                &[(
                    scenario.actors_param().expect("an actors parameter"),
                    actors,
                )],
            );
            group.throughput(Throughput::Elements(executions));
            group.bench_function(BenchmarkId::new(name, actors), |b| {
                b.iter(|| {
                    let verdict = search(&model, engine, iterations);
                    assert!(verdict.passed(), "{}", common::describe(&verdict));
                    assert_eq!(verdict.executions, executions, "not deterministic");
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = growth
}
criterion_main!(benches);
