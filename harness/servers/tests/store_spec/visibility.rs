//! Visibility: uncommitted writes, rollback, Read Committed statement snapshots, Repeatable Read transaction snapshots and 40001.

use super::*;

// --- Visibility and rollback ------------------------------------------------------

spec!(uncommitted_writes_are_invisible_to_others, 2, |c| c
    .setup(LOCKS)
    .step(0, "BEGIN")
    .step(0, "INSERT INTO locks VALUES ('k', 'a', 1)")
    .step(0, "SELECT count(*) FROM locks")
    .rows(vec![vec![i(1)]])
    .step(1, "SELECT count(*), sum(token) FROM locks")
    .rows(vec![vec![i(0), NULL]])
    .step(0, "COMMIT")
    .step(1, "SELECT count(*), sum(token) FROM locks")
    .rows(vec![vec![i(1), i(1)]]));

spec!(rollback_discards_inserts_updates_and_deletes, 1, |c| c
    .setup(LOCKS)
    .setup(LOCK_K)
    .step(0, "BEGIN")
    .step(0, "INSERT INTO locks VALUES ('x', 'a', 1)")
    .step(0, "UPDATE locks SET token = 5 WHERE key = 'k'")
    .step(0, "DELETE FROM locks WHERE key = 'x'")
    .step(0, "ROLLBACK"));

spec!(read_committed_statements_see_new_commits, 2, |c| c
    .setup(POOLS)
    .setup(POOL_100)
    .step(0, "BEGIN")
    .step(0, "SELECT amount FROM pools")
    .rows(vec![vec![i(100)]])
    .step(1, "UPDATE pools SET amount = 50")
    .ok(1)
    .step(0, "SELECT amount FROM pools")
    .rows(vec![vec![i(50)]])
    .step(0, "COMMIT"));

spec!(order_by_limit_and_aggregates, 1, |c| c
    .setup(POOLS)
    .setup("INSERT INTO pools VALUES (1, 30, 1), (2, 10, 1), (3, 20, 2)")
    .step(
        0,
        "SELECT id FROM pools WHERE version = 1 OR amount > 15 ORDER BY amount DESC LIMIT 2"
    )
    .rows(vec![vec![i(1)], vec![i(3)]])
    .step(
        0,
        "SELECT count(*), sum(amount), min(amount), max(id) FROM pools WHERE NOT (id = 2)"
    )
    .rows(vec![vec![i(2), i(50), i(20), i(3)]]));

// --- Repeatable Read ----------------------------------------------------------

spec!(repeatable_read_keeps_its_first_snapshot, 2, |c| c
    .setup(POOLS)
    .setup(POOL_100)
    .step(0, RR)
    .step(0, "SELECT amount FROM pools")
    .rows(vec![vec![i(100)]])
    .step(1, "UPDATE pools SET amount = 50")
    .ok(1)
    .step(0, "SELECT amount FROM pools")
    .rows(vec![vec![i(100)]])
    .step(0, "COMMIT"));

spec!(
    repeatable_read_snapshot_starts_at_first_statement_not_begin,
    2,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, RR)
        .step(1, "UPDATE pools SET amount = 50")
        .ok(1)
        .step(0, "SELECT amount FROM pools")
        .rows(vec![vec![i(50)]])
        .step(0, "COMMIT")
);

spec!(repeatable_read_update_of_changed_row_is_40001, 2, |c| c
    .setup(POOLS)
    .setup(POOL_100)
    .step(0, RR)
    .step(0, "SELECT amount FROM pools")
    .step(1, "UPDATE pools SET amount = 50")
    .ok(1)
    .step_p(0, DEBIT, &[i(10)])
    .err(code::SERIALIZATION_FAILURE)
    .step(0, "COMMIT")
    .ok(0));

spec!(
    repeatable_read_waits_then_40001_when_the_holder_commits,
    2,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, RR)
        .step(0, "SELECT amount FROM pools")
        .step(1, "BEGIN")
        .step(1, "UPDATE pools SET amount = 50")
        .step_p(0, DEBIT, &[i(10)])
        .waits()
        .step(1, "COMMIT")
        .step(0, "ROLLBACK")
);

spec!(
    repeatable_read_waits_then_updates_when_the_holder_rolls_back,
    2,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, RR)
        .step(0, "SELECT amount FROM pools")
        .step(1, "BEGIN")
        .step(1, "UPDATE pools SET amount = 50")
        .step_p(0, DEBIT, &[i(10)])
        .waits()
        .step(1, "ROLLBACK")
        .step(0, "COMMIT")
);

spec!(
    repeatable_read_lock_after_a_lock_only_holder_is_fine,
    2,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, RR)
        .step(0, "SELECT amount FROM pools")
        .step(1, "BEGIN")
        .step(1, "SELECT amount FROM pools WHERE id = 1 FOR UPDATE")
        .step(0, "SELECT amount FROM pools WHERE id = 1 FOR UPDATE")
        .waits()
        .step(1, "COMMIT")
        .step(0, "COMMIT")
);

spec!(
    repeatable_read_insert_of_key_committed_after_snapshot_is_23505,
    2,
    |c| c
        .setup(LOCKS)
        .step(0, RR)
        .step(0, "SELECT count(*) FROM locks")
        .rows(vec![vec![i(0)]])
        .step(1, "INSERT INTO locks VALUES ('k', 'b', 2)")
        .ok(1)
        .step(0, "INSERT INTO locks VALUES ('k', 'a', 1)")
        .err(code::UNIQUE_VIOLATION)
        .step(0, "ROLLBACK")
);

spec!(
    repeatable_read_do_nothing_on_invisible_conflict_is_40001,
    2,
    |c| c
        .setup(LOCKS)
        .step(0, RR)
        .step(0, "SELECT count(*) FROM locks")
        .step(1, "INSERT INTO locks VALUES ('k', 'b', 2)")
        .ok(1)
        .step(
            0,
            "INSERT INTO locks VALUES ('k', 'a', 1) ON CONFLICT DO NOTHING"
        )
        .err(code::SERIALIZATION_FAILURE)
        .step(0, "ROLLBACK")
);

spec!(
    a_transaction_sees_its_own_writes_and_redundant_commands_are_harmless,
    1,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(0, "COMMIT")
        .ok(0)
        .step(0, "ROLLBACK")
        .ok(0)
        .step(0, "BEGIN")
        .step(0, "BEGIN")
        .ok(0)
        .step(0, "UPDATE pools SET amount = amount - 1")
        .step(0, "UPDATE pools SET amount = amount - 1 RETURNING amount")
        .rows(vec![vec![i(98)]])
        .step(0, "COMMIT")
);
