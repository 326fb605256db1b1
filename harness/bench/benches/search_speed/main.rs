//! Search speed: executions per second of each engine on fixed scenarios, and what
//! locklab's engine costs over raw shuttle on the same model closure.
//!
//! Group `search-speed`, id the engine (`loom`, `random`, `pct`, `dfs`,
//! `raw-shuttle-random`, `raw-shuttle-pct`), value the scenario id. One element is one
//! execution (one explored schedule). loom runs at the scenario's loom plan (its sizes
//! and preemption bound), the shuttle engines at its shuttle plan sizes.
//! `raw-shuttle-*` is shuttle's `check_random` / `check_pct` (seeded) on exactly the
//! closure locklab's engine runs per execution (reset the recorder, run the model),
//! with no locklab engine around it: locklab `random` ÷ `raw-shuttle-random` is the
//! engine's overhead.
//!
//! `cargo bench -p locklab-bench --bench search_speed -- --test` runs each case once.
#![deny(missing_docs)]

use locklab_bench as common;
mod raw_shuttle;

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use locklab::engine::{explore, Dfs, Engine, Random};
use locklab::sim::SharedModel;
use locklab::{Expected, Scenario};

/// The fixed scenarios: one rung per scheme that holds, so no search stops early at a
/// violation and every iteration explores the same number of executions. For device
/// claim the write-up's conditional update (no clock, the rung the growth bench grows),
/// for the others the correct fix. A scenario that does not exist is skipped with a
/// note.
const SCENARIOS: [&str; 5] = [
    "device-claim/conditional-update",
    "instance-coordinator/fenced-lease",
    "jackpot/guarded-decrement",
    "singleton-poller/renewed-lease",
    "cart-reservation/shared-atomic-reservation",
];

/// Executions per iteration for the shuttle engines, and the cap for loom (whose
/// whole space, within the plan's preemption bound, is explored when smaller).
const EXECUTIONS: u64 = 2_000;

/// The seed of the randomised schedulers: the same in every iteration, so every
/// iteration explores the same schedules.
const SEED: u64 = 1;

/// One thing to time: an engine on one model; `run` returns the executions explored.
struct Search {
    engine: &'static str,
    run: Box<dyn Fn() -> u64>,
}

/// A locklab search of a correct rung: it must pass.
fn locklab_search(model: SharedModel, engine: Box<dyn Engine>) -> Box<dyn Fn() -> u64> {
    Box::new(move || {
        let verdict = explore(
            Arc::clone(&model),
            engine.as_ref(),
            common::budget(EXECUTIONS, SEED),
        );
        assert!(
            verdict.passed(),
            "a correct rung failed under {}: {}",
            engine.label(),
            common::describe(&verdict)
        );
        verdict.executions
    })
}

fn searches(scenario: &Scenario) -> Vec<Search> {
    let (Some(loom_plan), Some(shuttle_plan)) = (scenario.loom_plan(), scenario.shuttle_plan())
    else {
        return Vec::new();
    };
    let at_loom = common::model(scenario, &loom_plan.sizes);
    let at_shuttle = common::model(scenario, &shuttle_plan.sizes);
    let depth = common::PCT.depth;
    let raw_random = {
        let model = Arc::clone(&at_shuttle);
        Box::new(move || raw_shuttle::random(&model, EXECUTIONS, SEED))
    };
    let raw_pct = {
        let model = Arc::clone(&at_shuttle);
        Box::new(move || raw_shuttle::pct(&model, EXECUTIONS, depth, SEED))
    };
    vec![
        Search {
            engine: "loom",
            run: locklab_search(
                at_loom,
                Box::new(common::loom_of_plan(scenario).expect("a loom plan")),
            ),
        },
        Search {
            engine: "random",
            run: locklab_search(Arc::clone(&at_shuttle), Box::new(Random)),
        },
        Search {
            engine: "pct",
            run: locklab_search(Arc::clone(&at_shuttle), Box::new(common::PCT)),
        },
        Search {
            engine: "dfs",
            run: locklab_search(at_shuttle, Box::new(Dfs)),
        },
        Search {
            engine: "raw-shuttle-random",
            run: raw_random,
        },
        Search {
            engine: "raw-shuttle-pct",
            run: raw_pct,
        },
    ]
}

fn search_speed(c: &mut Criterion) {
    let mut group = c.benchmark_group("search-speed");
    common::configure(
        &mut group,
        Duration::from_millis(300),
        Duration::from_millis(2500),
    );
    for id in SCENARIOS {
        let Some(scenario) = locklab::scenarios::find(id) else {
            eprintln!("note: no scenario '{id}' (yet): skipped");
            continue;
        };
        assert_eq!(
            scenario.expected(),
            Expected::Holds,
            "{id}: search speed needs a rung that holds"
        );
        for search in searches(scenario) {
            // Every iteration must explore exactly as many executions as this one.
            let executions = (search.run)();
            group.throughput(Throughput::Elements(executions));
            group.bench_function(BenchmarkId::new(search.engine, id), |b| {
                b.iter(|| {
                    let n = (search.run)();
                    assert_eq!(
                        n, executions,
                        "{id} under {}: not deterministic",
                        search.engine
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
    targets = search_speed
}
criterion_main!(benches);
