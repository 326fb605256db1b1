//! Row locks: FOR UPDATE, NOWAIT, SKIP LOCKED, FOR SHARE, and the order waiters are served in.

use super::*;

// --- Row locks -----------------------------------------------------------------

spec!(for_update_waits_for_for_update, 2, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(1, "BEGIN")
    .step(0, "SELECT token FROM locks WHERE key = 'k' FOR UPDATE")
    .rows(vec![vec![i(1)]])
    .step(1, "SELECT token FROM locks WHERE key = 'k' FOR UPDATE")
    .waits()
    .step(0, "COMMIT")
    .step(1, "COMMIT"));

spec!(for_update_after_wait_returns_the_newest_version, 2, |c| c
    .setup(POOLS)
    .setup(POOL_100)
    .step(0, "BEGIN")
    .step(0, "UPDATE pools SET amount = 50 WHERE id = 1")
    .step(1, "SELECT amount FROM pools WHERE id = 1 FOR UPDATE")
    .waits()
    .step(0, "COMMIT"));

spec!(
    for_update_after_wait_drops_a_row_that_no_longer_matches,
    2,
    |c| c
        .setup(DEVICES)
        .setup(DEVICES_1)
        .step(0, "BEGIN")
        .step_p(0, CLAIM, &[t("A"), i(1)])
        .step(1, "SELECT id FROM devices WHERE owner IS NULL FOR UPDATE")
        .waits()
        .step(0, "COMMIT")
);

spec!(for_update_nowait_fails_at_once, 2, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(0, "SELECT token FROM locks WHERE key = 'k' FOR UPDATE")
    .step(
        1,
        "SELECT token FROM locks WHERE key = 'k' FOR UPDATE NOWAIT"
    )
    .err(code::LOCK_NOT_AVAILABLE)
    .step(0, "COMMIT"));

spec!(skip_locked_hands_out_distinct_rows, 3, |c| c
    .setup(DEVICES)
    .setup(DEVICES_3)
    .step(0, "BEGIN")
    .step(1, "BEGIN")
    .step(2, "BEGIN")
    .step(
        0,
        "SELECT id FROM devices WHERE owner IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    .rows(vec![vec![i(1)]])
    .step(
        1,
        "SELECT id FROM devices WHERE owner IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    .rows(vec![vec![i(2)]])
    .step(
        2,
        "SELECT id FROM devices WHERE owner IS NULL ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED"
    )
    .rows(vec![vec![i(3)]])
    .step(0, "COMMIT")
    .step(1, "COMMIT")
    .step(2, "COMMIT"));

spec!(skip_locked_skips_a_row_being_updated, 2, |c| c
    .setup(DEVICES)
    .setup(DEVICES_3)
    .step(0, "BEGIN")
    .step(0, "UPDATE devices SET zone = 1 WHERE id = 1")
    .step(
        1,
        "SELECT id FROM devices ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    .rows(vec![vec![i(2)]])
    .step(0, "COMMIT"));

spec!(
    waiters_for_one_row_lock_are_served_in_arrival_order,
    3,
    |c| c
        .setup(DEVICES)
        .setup(DEVICES_1)
        .step(0, "BEGIN")
        .step(1, "BEGIN")
        .step(2, "BEGIN")
        .step(0, "SELECT owner FROM devices WHERE id = 1 FOR UPDATE")
        .step(1, "SELECT owner FROM devices WHERE id = 1 FOR UPDATE")
        .waits()
        .step(2, "SELECT owner FROM devices WHERE id = 1 FOR UPDATE")
        .waits()
        .step(0, "COMMIT")
        .step(1, "UPDATE devices SET owner = 'B' WHERE id = 1")
        .ok(1)
        .step(1, "COMMIT")
        .step(2, "COMMIT")
);

spec!(for_share_locks_are_compatible_and_block_writers, 3, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(1, "BEGIN")
    .step(0, "SELECT token FROM locks WHERE key = 'k' FOR SHARE")
    .rows(vec![vec![i(1)]])
    .step(1, "SELECT token FROM locks WHERE key = 'k' FOR SHARE")
    .rows(vec![vec![i(1)]])
    .step(2, "UPDATE locks SET token = 2 WHERE key = 'k'")
    .waits()
    .step(0, "COMMIT")
    .step(1, "COMMIT"));

spec!(for_share_blocks_for_update_nowait_and_delete, 3, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(0, "SELECT token FROM locks WHERE key = 'k' FOR SHARE")
    .step(
        1,
        "SELECT token FROM locks WHERE key = 'k' FOR UPDATE NOWAIT"
    )
    .err(code::LOCK_NOT_AVAILABLE)
    .step(2, "DELETE FROM locks WHERE key = 'k'")
    .waits()
    .step(0, "ROLLBACK"));

spec!(
    plain_select_never_waits_and_sees_committed_version,
    2,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, "BEGIN")
        .step(0, "UPDATE pools SET amount = 1 WHERE id = 1")
        .step(1, "SELECT amount FROM pools WHERE id = 1")
        .rows(vec![vec![i(100)]])
        .step(0, "COMMIT")
        .step(1, "SELECT amount FROM pools WHERE id = 1")
        .rows(vec![vec![i(1)]])
);

spec!(
    for_update_limit_moves_on_when_the_waited_row_no_longer_matches,
    2,
    |c| c
        .setup(DEVICES)
        .setup(DEVICES_3)
        .step(0, "BEGIN")
        .step_p(0, CLAIM, &[t("A"), i(1)])
        .ok(1)
        .step(
            1,
            "SELECT id FROM devices WHERE owner IS NULL ORDER BY id LIMIT 1 FOR UPDATE"
        )
        .waits()
        .step(0, "COMMIT")
);

spec!(share_lock_upgrade_waits_for_the_other_sharer, 2, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(1, "BEGIN")
    .step(0, "SELECT token FROM locks WHERE key = 'k' FOR SHARE")
    .step(1, "SELECT token FROM locks WHERE key = 'k' FOR SHARE")
    .step(0, "UPDATE locks SET token = 2 WHERE key = 'k'")
    .waits()
    .step(1, "COMMIT")
    .step(0, "SELECT token FROM locks FOR UPDATE")
    .rows(vec![vec![i(2)]])
    .step(0, "COMMIT"));
