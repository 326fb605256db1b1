//! The jackpot ladder (seed 002, catalogue section 3).

use std::sync::Arc;

use locklab_models::jackpot::{Config, Jackpot, Variant};
use locklab_models::sim::DynModel;

use crate::{Expected, LoomPlan, Param, Params, Scenario, ShuttlePlan};

const HELP: &str = "concurrent operations on the pool (wins, contributions, batches)";

const TWO: Param = Param {
    name: "contenders",
    default: 2,
    min: 1,
    max: 8,
    help: HELP,
};
const THREE: Param = Param { default: 3, ..TWO };
const FOUR: Param = Param { default: 4, ..TWO };
const ATTEMPTS: Param = Param {
    name: "attempts",
    default: 3,
    min: 1,
    max: 8,
    help: "attempts a CAS operation makes before it gives up (the write-up: 3)",
};

const PAIR: &[Param] = &[TWO];
const TRIO: &[Param] = &[THREE];
const CAS_TRIO: &[Param] = &[THREE, ATTEMPTS];
const CAS_CROWD: &[Param] = &[FOUR, ATTEMPTS];

fn build(variant: Variant, p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = Config::new(variant, p.count("contenders"));
    if let Some(&(_, attempts)) = p.values().iter().find(|(n, _)| *n == "attempts") {
        cfg.attempts = attempts as usize;
    }
    Ok(Arc::new(Jackpot::new(cfg)?))
}

fn read_modify_write(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::ReadModifyWrite, p)
}

fn version_cas(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::VersionCas, p)
}

fn row_lock_win(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::RowLockWin, p)
}

fn blind_writer(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::BlindWriter, p)
}

fn check_outside_lock(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::CheckOutsideLock, p)
}

fn batch_lock_order(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::BatchLockOrder, p)
}

fn version_reset(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::VersionReset, p)
}

fn guarded_decrement(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::GuardedDecrement, p)
}

fn canonical_lock_order(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    build(Variant::CanonicalLockOrder, p)
}

/// The ladder, from the original bug to the correct fix.
pub static SCENARIOS: [Scenario; 10] = [
    Scenario {
        id: "jackpot/read-modify-write",
        summary: "read the amount, pay, write read − win: A and B both read 100 and both are paid 80",
        expected: Expected::Violates("money-conserved"),
        actors_param: "contenders",
        params: PAIR,
        build: read_modify_write,
        loom: LoomPlan { sizes: &[("contenders", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/version-cas",
        summary: "the write-up's fix for contributions: version compare-and-set, 3 attempts (holds while contenders ≤ attempts)",
        expected: Expected::Holds,
        actors_param: "contenders",
        params: CAS_TRIO,
        build: version_cas,
        loom: LoomPlan { sizes: &[("contenders", 3)], preemption_bound: Some(3) },
        shuttle: ShuttlePlan { sizes: &[("contenders", 4), ("attempts", 4)], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/row-lock-win",
        summary: "the write-up's win path: SELECT … FOR UPDATE, check, pay, commit (holds)",
        expected: Expected::Holds,
        actors_param: "contenders",
        params: TRIO,
        build: row_lock_win,
        loom: LoomPlan { sizes: &[("contenders", 3)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[("contenders", 5)], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/blind-writer",
        summary: "a contribution writes amount = read + 10 without the version check and overwrites a committed win",
        expected: Expected::Violates("money-conserved"),
        actors_param: "contenders",
        params: PAIR,
        build: blind_writer,
        loom: LoomPlan { sizes: &[("contenders", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/check-outside-lock",
        summary: "the balance is checked before the row lock: B pays 80 from a stale read of 100, the pool ends at −60",
        expected: Expected::Violates("amount-non-negative"),
        actors_param: "contenders",
        params: PAIR,
        build: check_outside_lock,
        loom: LoomPlan { sizes: &[("contenders", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/retries-exhausted",
        summary: "more contenders than attempts: a CAS contribution fails after its last retry (having changed nothing)",
        expected: Expected::Violates("op-succeeds-within-attempts"),
        actors_param: "contenders",
        params: CAS_CROWD,
        build: version_cas,
        // The defaults (4 contenders, 3 attempts) need 3 preemptions; one fewer of
        // each shows the same claim at a size loom and PCT reach at once.
        loom: LoomPlan { sizes: &[("contenders", 3), ("attempts", 2)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[("contenders", 2), ("attempts", 1)], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/batch-lock-order",
        summary: "one batch locks minor then major, the other major then minor: deadlock",
        expected: Expected::Violates("deadlock"),
        actors_param: "contenders",
        params: PAIR,
        build: batch_lock_order,
        loom: LoomPlan { sizes: &[("contenders", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/version-reset",
        summary: "an admin reset restarts the row at version 1: versions no longer name one state, a stale CAS can succeed (ABA)",
        expected: Expected::Violates("version-monotonic"),
        actors_param: "contenders",
        params: PAIR,
        build: version_reset,
        loom: LoomPlan { sizes: &[("contenders", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/guarded-decrement",
        summary: "correct: SET amount = amount − w WHERE amount >= w, additive contributions, wins idempotent by win id",
        expected: Expected::Holds,
        actors_param: "contenders",
        params: TRIO,
        build: guarded_decrement,
        loom: LoomPlan { sizes: &[("contenders", 3)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[("contenders", 5)], iterations: 10_000 },
    },
    Scenario {
        id: "jackpot/canonical-lock-order",
        summary: "correct batches: every batch locks its groups in id order, so none can deadlock",
        expected: Expected::Holds,
        actors_param: "contenders",
        params: TRIO,
        build: canonical_lock_order,
        loom: LoomPlan { sizes: &[("contenders", 3)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[("contenders", 4)], iterations: 10_000 },
    },
];
