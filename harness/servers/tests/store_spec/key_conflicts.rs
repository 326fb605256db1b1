//! Unique keys: a row lock is not a key conflict to wait on (behaviours 2, 3); uncommitted inserts, deletes and updates of a key are.

use super::*;

// --- Behaviours 2, 3: a row lock is not a key conflict to wait on ------------------

spec!(insert_on_key_only_locked_for_update_fails_at_once, 2, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(0, "SELECT holder FROM locks WHERE key = 'k' FOR UPDATE")
    .rows(vec![vec![t("a")]])
    .step(1, "INSERT INTO locks VALUES ('k', 'b', 2)")
    .err(code::UNIQUE_VIOLATION)
    .step(0, "COMMIT"));

spec!(
    insert_do_nothing_on_key_only_locked_for_update_returns_at_once,
    2,
    |c| c
        .setup(LOCKS)
        .setup(LOCK_K)
        .step(0, "BEGIN")
        .step(0, "SELECT holder FROM locks WHERE key = 'k' FOR UPDATE")
        .step(
            1,
            "INSERT INTO locks VALUES ('k', 'b', 2) ON CONFLICT DO NOTHING"
        )
        .ok(0)
        .step(0, "COMMIT")
);

spec!(insert_waits_for_uncommitted_insert_then_conflicts, 2, |c| c
    .setup(LOCKS)
    .step(0, "BEGIN")
    .step(0, "INSERT INTO locks VALUES ('k', 'a', 1)")
    .ok(1)
    .step(1, "INSERT INTO locks VALUES ('k', 'b', 2)")
    .waits()
    .step(0, "COMMIT"));

spec!(
    insert_waits_for_uncommitted_insert_then_succeeds_on_rollback,
    2,
    |c| c
        .setup(LOCKS)
        .step(0, "BEGIN")
        .step(0, "INSERT INTO locks VALUES ('k', 'a', 1)")
        .step(1, "INSERT INTO locks VALUES ('k', 'b', 2)")
        .waits()
        .step(0, "ROLLBACK")
);

spec!(do_nothing_waits_for_uncommitted_insert, 2, |c| c
    .setup(LOCKS)
    .step(0, "BEGIN")
    .step(0, "INSERT INTO locks VALUES ('k', 'a', 1)")
    .step(
        1,
        "INSERT INTO locks VALUES ('k', 'b', 2) ON CONFLICT DO NOTHING"
    )
    .waits()
    .step(0, "COMMIT"));

spec!(insert_waits_for_uncommitted_delete_of_the_key, 2, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(0, "DELETE FROM locks WHERE key = 'k' AND token = 1")
    .ok(1)
    .step(1, "INSERT INTO locks VALUES ('k', 'b', 2)")
    .waits()
    .step(0, "COMMIT"));

spec!(insert_waits_while_the_key_row_is_being_updated, 2, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(0, "UPDATE locks SET holder = 'z' WHERE key = 'k'")
    .ok(1)
    .step(1, "INSERT INTO locks VALUES ('k', 'b', 2)")
    .waits()
    .step(0, "COMMIT"));

spec!(
    multi_column_unique_conflicts_only_on_the_whole_key,
    3,
    |c| c
        .setup("CREATE TABLE purchases (uid int NOT NULL, pet text NOT NULL, UNIQUE (uid, pet))")
        .step(0, "BEGIN")
        .step(0, "INSERT INTO purchases VALUES (1, 'cat')")
        .ok(1)
        .step(1, "INSERT INTO purchases VALUES (1, 'dog')")
        .ok(1)
        .step(2, "INSERT INTO purchases VALUES (1, 'cat')")
        .waits()
        .step(0, "COMMIT")
);

spec!(
    update_to_a_key_another_transaction_is_inserting_waits,
    2,
    |c| c
        .setup(LOCKS)
        .setup(LOCK_K)
        .step(0, "BEGIN")
        .step(0, "INSERT INTO locks VALUES ('m', 'a', 1)")
        .ok(1)
        .step(1, "UPDATE locks SET key = 'm' WHERE key = 'k'")
        .waits()
        .step(0, "COMMIT")
);

spec!(
    update_to_a_committed_key_is_23505_and_keeping_the_key_is_fine,
    1,
    |c| c
        .setup(LOCKS)
        .setup("INSERT INTO locks VALUES ('k', 'a', 1), ('m', 'b', 2)")
        .step(0, "UPDATE locks SET key = 'm' WHERE key = 'k'")
        .err(code::UNIQUE_VIOLATION)
        .step(0, "UPDATE locks SET key = 'k', token = 5 WHERE key = 'k'")
        .ok(1)
);

spec!(multi_row_insert_is_all_or_nothing, 1, |c| {
    c
    .setup(LOCKS).setup(LOCK_K)
    .step(0, "INSERT INTO locks VALUES ('x', 'a', 1), ('k', 'a', 1)").err(code::UNIQUE_VIOLATION)
    .step(0, "INSERT INTO locks VALUES ('x', 'a', 1), ('k', 'a', 1) ON CONFLICT DO NOTHING RETURNING key").rows(vec![vec![t("x")]])
});
