//! A connection that dies (its client crashed, a fault killed it): its transaction
//! rolls back, its locks are released at once, and a statement it had waiting ends.

use super::*;

spec!(
    terminated_holder_rolls_back_and_its_waiter_proceeds,
    2,
    |c| c
        .setup(DEVICES)
        .setup(DEVICES_1)
        .step(0, "BEGIN")
        .step_p(0, CLAIM, &[t("A"), i(1)])
        .ok(1)
        .step(1, "BEGIN")
        .step_p(1, CLAIM, &[t("B"), i(1)])
        .waits()
        .ok(1)
        // A's process dies: its claim was never committed, so B's wait ends in a
        // claim of its own (B re-checks the row, whose newest version is unowned).
        .terminate(0)
        .step(1, "COMMIT")
        .ok(0)
        .step(1, "SELECT owner FROM devices")
        .rows(vec![vec![t("B")]])
);

spec!(terminated_waiter_ends_and_the_holder_commits, 2, |c| c
    .setup(DEVICES)
    .setup(DEVICES_1)
    .step(0, "BEGIN")
    .step(0, "SELECT id FROM devices WHERE id = 1 FOR UPDATE")
    .rows(vec![vec![i(1)]])
    .step_p(1, CLAIM, &[t("B"), i(1)])
    .waits()
    .err(locklab_servers::TERMINATED)
    .terminate(1)
    .step_p(0, CLAIM, &[t("A"), i(1)])
    .ok(1)
    .step(0, "COMMIT")
    .ok(0));

spec!(
    terminated_session_between_statements_loses_its_uncommitted_writes,
    2,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, "BEGIN")
        .step_p(0, DEBIT, &[i(30)])
        .ok(1)
        .step(1, "SELECT amount FROM pools")
        .rows(vec![vec![i(100)]])
        .terminate(0)
        .step_p(1, DEBIT, &[i(80)])
        .ok(1)
);
