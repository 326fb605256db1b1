//! INSERT … ON CONFLICT races, and DELETE … WHERE token = $t.

use super::*;

// --- ON CONFLICT races ------------------------------------------------------------

spec!(upsert_waits_for_uncommitted_insert_then_updates, 2, |c| c
    .setup(COUNTERS)
    .step(0, "BEGIN")
    .step(0, BUMP)
    .rows(vec![vec![i(1)]])
    .step(1, BUMP)
    .waits()
    .step(0, "COMMIT"));

spec!(upsert_waits_for_row_lock_on_the_existing_row, 2, |c| c
    .setup(COUNTERS)
    .setup("INSERT INTO counters VALUES ('k', 5)")
    .step(0, "BEGIN")
    .step(0, "SELECT n FROM counters WHERE key = 'k' FOR UPDATE")
    .step(1, BUMP)
    .waits()
    .step(0, "UPDATE counters SET n = 10 WHERE key = 'k'")
    .step(0, "COMMIT"));

spec!(
    upsert_with_excluded_and_false_where_changes_nothing,
    1,
    |c| {
        c
    .setup(LOCKS).setup(LOCK_K)
    .step(0, "INSERT INTO locks VALUES ('k', 'b', 2) ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, token = EXCLUDED.token WHERE locks.holder IS NULL").ok(0)
    .step(0, "INSERT INTO locks VALUES ('k', 'b', 2) ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder WHERE locks.token = 1 RETURNING holder, token").rows(vec![vec![t("b"), i(1)]])
    }
);

spec!(do_nothing_race_between_two_transactions, 2, |c| c
    .setup(LOCKS)
    .step(0, "BEGIN")
    .step(1, "BEGIN")
    .step(
        0,
        "INSERT INTO locks VALUES ('k', 'a', 1) ON CONFLICT DO NOTHING"
    )
    .ok(1)
    .step(
        1,
        "INSERT INTO locks VALUES ('k', 'b', 2) ON CONFLICT DO NOTHING"
    )
    .waits()
    .step(0, "COMMIT")
    .step(1, "COMMIT"));

spec!(upsert_same_key_twice_in_one_statement_is_21000, 1, |c| {
    c
    .setup(COUNTERS)
    .step(0, "INSERT INTO counters VALUES ('k', 1), ('k', 2) ON CONFLICT (key) DO UPDATE SET n = EXCLUDED.n").err(code::CARDINALITY_VIOLATION)
});

spec!(
    on_conflict_target_without_unique_constraint_is_42p10,
    1,
    |c| c
        .setup(LOCKS)
        .step(
            0,
            "INSERT INTO locks VALUES ('k', 'a', 1) ON CONFLICT (holder) DO NOTHING"
        )
        .err(code::INVALID_COLUMN_REFERENCE)
);

// --- DELETE … WHERE token = $t ------------------------------------------------------

spec!(delete_by_token_removes_only_own_lock, 1, |c| c
    .setup(LOCKS)
    .setup("INSERT INTO locks VALUES ('k', 'b', 8)")
    .step_p(
        0,
        "DELETE FROM locks WHERE key = $1 AND token = $2",
        &[t("k"), i(7)]
    )
    .ok(0)
    .step_p(
        0,
        "DELETE FROM locks WHERE key = $1 AND token = $2 RETURNING holder",
        &[t("k"), i(8)]
    )
    .rows(vec![vec![t("b")]]));

spec!(stale_token_delete_waits_and_spares_the_new_holder, 2, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(
        0,
        "UPDATE locks SET holder = 'b', token = 2 WHERE key = 'k' AND token = 1"
    )
    .ok(1)
    .step(1, "DELETE FROM locks WHERE key = 'k' AND token = 1")
    .waits()
    .step(0, "COMMIT"));

spec!(
    repeatable_read_upsert_on_a_row_committed_after_the_snapshot_is_40001,
    2,
    |c| c
        .setup(COUNTERS)
        .step(0, RR)
        .step(0, "SELECT count(*) FROM counters")
        .step(1, BUMP)
        .rows(vec![vec![i(1)]])
        .step(0, BUMP)
        .err(code::SERIALIZATION_FAILURE)
        .step(0, "ROLLBACK")
);
