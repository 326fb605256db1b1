//! The jackpot ladder (seed 002, catalogue section 3).

use locklab_models::jackpot::{Config, Jackpot, Variant};
use locklab_models::jackpot::{
    AMOUNT_NON_NEGATIVE, BATCH_COMMITS, MONEY_CONSERVED, OP_SUCCEEDS_WITHIN_ATTEMPTS,
    VERSION_MONOTONIC,
};

use crate::{LoomPlan, Param, Params, Scenario, ShuttlePlan, StatesPlan};

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

fn build(variant: Variant, p: &Params) -> Result<Jackpot, String> {
    let mut cfg = Config::new(variant, p.count(TWO));
    // Only the CAS rungs declare attempts; the others keep the config's own.
    if let Some(attempts) = p.find(ATTEMPTS.name) {
        cfg.attempts = p.count(attempts);
    }
    Jackpot::new(cfg)
}

fn read_modify_write(p: &Params) -> Result<Jackpot, String> {
    build(Variant::ReadModifyWrite, p)
}

fn version_cas(p: &Params) -> Result<Jackpot, String> {
    build(Variant::VersionCas, p)
}

fn row_lock_win(p: &Params) -> Result<Jackpot, String> {
    build(Variant::RowLockWin, p)
}

fn blind_writer(p: &Params) -> Result<Jackpot, String> {
    build(Variant::BlindWriter, p)
}

fn check_outside_lock(p: &Params) -> Result<Jackpot, String> {
    build(Variant::CheckOutsideLock, p)
}

fn batch_lock_order(p: &Params) -> Result<Jackpot, String> {
    build(Variant::BatchLockOrder, p)
}

fn version_reset(p: &Params) -> Result<Jackpot, String> {
    build(Variant::VersionReset, p)
}

fn guarded_decrement(p: &Params) -> Result<Jackpot, String> {
    build(Variant::GuardedDecrement, p)
}

/// A and B are both handed win #1 (a redelivered message), and the pool covers two
/// wins: only the win-id record stops the second payment.
fn redelivered_win(p: &Params) -> Result<Jackpot, String> {
    let mut cfg = Config::new(Variant::GuardedDecrement, p.count(TWO));
    cfg.pool = 2 * cfg.win;
    Jackpot::new(cfg)
}

fn canonical_lock_order(p: &Params) -> Result<Jackpot, String> {
    build(Variant::CanonicalLockOrder, p)
}

/// The ladder, from the original bug to the correct fix.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::try_new("jackpot/read-modify-write", read_modify_write)
            .about("read the amount, pay, write read − win: A and B both read 100 and both are paid 80")
            .violates(MONEY_CONSERVED)
            .actors(TWO)
            .params(PAIR)
            .loom(LoomPlan::unbounded().set(TWO, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("jackpot/version-cas", version_cas)
            .about("the write-up's fix for contributions: version compare-and-set, 3 attempts (holds while contenders ≤ attempts)")
            .holds()
            .actors(TWO)
            .params(CAS_TRIO)
            .loom(LoomPlan::bounded(3).set(TWO, 3))
            .shuttle(ShuttlePlan::pct(10_000).set(TWO, 4).set(ATTEMPTS, 4))
            .states(StatesPlan::new().set(TWO, 3)),
        Scenario::try_new("jackpot/row-lock-win", row_lock_win)
            .about("the write-up's win path: SELECT … FOR UPDATE, check, pay, commit (holds)")
            .holds()
            .actors(TWO)
            .params(TRIO)
            .loom(LoomPlan::bounded(2).set(TWO, 3))
            .shuttle(ShuttlePlan::pct(10_000).set(TWO, 5))
            .states(StatesPlan::new().set(TWO, 4)),
        Scenario::try_new("jackpot/blind-writer", blind_writer)
            .about("a contribution writes amount = read + 10 without the version check and overwrites a committed win")
            .violates(MONEY_CONSERVED)
            .actors(TWO)
            .params(PAIR)
            .loom(LoomPlan::unbounded().set(TWO, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("jackpot/check-outside-lock", check_outside_lock)
            .about("the balance is checked before the row lock: B pays 80 from a stale read of 100, the pool ends at −60")
            .violates(AMOUNT_NON_NEGATIVE)
            .actors(TWO)
            .params(PAIR)
            .loom(LoomPlan::unbounded().set(TWO, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("jackpot/retries-exhausted", version_cas)
            .about("more contenders than attempts: a CAS contribution fails after its last retry (having changed nothing)")
            .violates(OP_SUCCEEDS_WITHIN_ATTEMPTS)
            .actors(TWO)
            .params(CAS_CROWD)
            .loom(LoomPlan::bounded(2).set(TWO, 3).set(ATTEMPTS, 2))
            .shuttle(ShuttlePlan::pct(10_000).set(TWO, 2).set(ATTEMPTS, 1)),
        Scenario::try_new("jackpot/batch-lock-order", batch_lock_order)
            .about("one batch locks minor then major, the other major then minor: PostgreSQL aborts one as a deadlock victim (40P01), and its contributions are lost")
            .violates(BATCH_COMMITS)
            .actors(TWO)
            .params(PAIR)
            .loom(LoomPlan::unbounded().set(TWO, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("jackpot/version-reset", version_reset)
            .about("an admin reset restarts the row at version 1: versions no longer name one state, a stale CAS can succeed (ABA)")
            .violates(VERSION_MONOTONIC)
            .actors(TWO)
            .params(PAIR)
            .loom(LoomPlan::unbounded().set(TWO, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("jackpot/guarded-decrement", guarded_decrement)
            .about("correct: SET amount = amount − w WHERE amount >= w, additive contributions, wins idempotent by win id")
            .holds()
            .actors(TWO)
            .params(TRIO)
            .loom(LoomPlan::bounded(2).set(TWO, 3))
            .shuttle(ShuttlePlan::pct(10_000).set(TWO, 5))
            .states(StatesPlan::new().set(TWO, 4)),
        Scenario::try_new("jackpot/redelivered-win", redelivered_win)
            .about("correct, when a win is redelivered and the pool could pay it twice: the second INSERT of win #1 fails and that transaction pays nothing")
            .holds()
            .actors(TWO)
            .params(PAIR)
            .loom(LoomPlan::bounded(2).set(TWO, 2))
            .shuttle(ShuttlePlan::pct(1_000).set(TWO, 3))
            .states(StatesPlan::new().set(TWO, 3)),
        Scenario::try_new("jackpot/canonical-lock-order", canonical_lock_order)
            .about("correct batches: every batch locks its groups in id order, so none can deadlock and every batch commits")
            .holds()
            .actors(TWO)
            .params(TRIO)
            .loom(LoomPlan::bounded(2).set(TWO, 3))
            .shuttle(ShuttlePlan::pct(10_000).set(TWO, 4))
            .states(StatesPlan::new().set(TWO, 4)),
    ]
}
