//! Conditional updates: autocommit compare-and-set, waiting losers that re-check (behaviour 1: the snapshot version decides whether to wait; behaviour 7: a waiting multi-row UPDATE).

use super::*;

// --- Autocommit compare-and-set -------------------------------------------------

spec!(cas_two_autocommit_contenders_one_wins, 2, |c| c
    .setup(DEVICES)
    .setup(DEVICES_1)
    .step_p(0, CLAIM, &[t("S1"), i(1)])
    .ok(1)
    .step_p(1, CLAIM, &[t("S2"), i(1)])
    .ok(0));

spec!(
    cas_loser_waits_then_rechecks_newest_and_updates_nothing,
    2,
    |c| c
        .setup(DEVICES)
        .setup(DEVICES_1)
        .step(0, "BEGIN")
        .ok(0)
        .step_p(0, CLAIM, &[t("S1"), i(1)])
        .ok(1)
        .step_p(1, CLAIM, &[t("S2"), i(1)])
        .waits()
        .step(0, "COMMIT")
        .ok(0)
);

spec!(cas_loser_waits_and_wins_when_winner_rolls_back, 2, |c| c
    .setup(DEVICES)
    .setup(DEVICES_1)
    .step(0, "BEGIN")
    .step_p(0, CLAIM, &[t("S1"), i(1)])
    .ok(1)
    .step_p(1, CLAIM, &[t("S2"), i(1)])
    .waits()
    .step(0, "ROLLBACK")
    .ok(0));

spec!(
    version_cas_second_writer_of_same_version_updates_nothing,
    2,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, "SELECT amount, version FROM pools WHERE id = 1")
        .rows(vec![vec![i(100), i(1)]])
        .step(1, "SELECT amount, version FROM pools WHERE id = 1")
        .rows(vec![vec![i(100), i(1)]])
        .step(
            0,
            "UPDATE pools SET amount = 20, version = version + 1 WHERE id = 1 AND version = 1"
        )
        .ok(1)
        .step(
            1,
            "UPDATE pools SET amount = 20, version = version + 1 WHERE id = 1 AND version = 1"
        )
        .ok(0)
);

spec!(guarded_decrement_waiter_rechecks_and_still_fits, 2, |c| c
    .setup(POOLS)
    .setup(POOL_100)
    .step(0, "BEGIN")
    .step_p(0, DEBIT, &[i(30)])
    .ok(1)
    .step_p(1, DEBIT, &[i(30)])
    .waits()
    .step(0, "COMMIT")
    .step(1, "SELECT amount, version FROM pools")
    .rows(vec![vec![i(40), i(3)]]));

spec!(
    guarded_decrement_waiter_rechecks_and_no_longer_fits,
    2,
    |c| c
        .setup(POOLS)
        .setup("INSERT INTO pools VALUES (1, 50, 1)")
        .step(0, "BEGIN")
        .step_p(0, DEBIT, &[i(30)])
        .ok(1)
        .step_p(1, DEBIT, &[i(30)])
        .waits()
        .step(0, "COMMIT")
);

spec!(update_returning_gives_new_values, 1, |c| c
    .setup(POOLS)
    .setup(POOL_100)
    .step_p(
        0,
        "UPDATE pools SET amount = amount - $1 WHERE id = 1 RETURNING amount, version",
        &[i(7)]
    )
    .rows(vec![vec![i(93), i(1)]]));

// --- Behaviour 1: the snapshot version decides whether to wait -------------------

spec!(claim_does_not_wait_for_uncommitted_release, 2, |c| c
    .setup(DEVICES)
    .setup("INSERT INTO devices VALUES (1, 'S1', 0)")
    .step(0, "BEGIN")
    .step(
        0,
        "UPDATE devices SET owner = NULL WHERE id = 1 AND owner = 'S1'"
    )
    .ok(1)
    .step_p(1, CLAIM, &[t("S2"), i(1)])
    .ok(0)
    .step(0, "COMMIT"));

spec!(waited_row_is_rechecked_on_its_newest_version, 2, |c| c
    .setup(DEVICES)
    .setup(DEVICES_1)
    .step(0, "BEGIN")
    .step(0, "UPDATE devices SET zone = 7 WHERE id = 1")
    .ok(1)
    .step_p(1, CLAIM, &[t("S2"), i(1)])
    .waits()
    .step(0, "COMMIT")
    .step(1, "SELECT owner, zone FROM devices")
    .rows(vec![vec![t("S2"), i(7)]]));

// --- Behaviour 7: a waiting multi-row UPDATE --------------------------------------

spec!(
    multi_row_update_rechecks_only_waited_rows_and_skips_later_inserts,
    3,
    |c| c
        .setup(DEVICES)
        .setup(DEVICES_3)
        .step(0, "BEGIN")
        .step(0, "UPDATE devices SET owner = 'A' WHERE id = 2")
        .ok(1)
        .step(1, "UPDATE devices SET owner = 'B' WHERE owner IS NULL")
        .waits()
        .step(2, "INSERT INTO devices VALUES (4, NULL, 0)")
        .ok(1)
        .step(0, "COMMIT")
);

spec!(
    multi_row_update_waited_row_still_matching_is_updated,
    2,
    |c| c
        .setup(DEVICES)
        .setup(DEVICES_3)
        .step(0, "BEGIN")
        .step(0, "UPDATE devices SET zone = 5 WHERE id = 2")
        .ok(1)
        .step(
            1,
            "UPDATE devices SET owner = 'B' WHERE owner IS NULL RETURNING id, zone"
        )
        .waits()
        .step(0, "COMMIT")
);
