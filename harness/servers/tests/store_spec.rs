//! The SQL model's specification: every rule as a forced interleaving, run on the real
//! PostgreSQL and on the model, which must agree step by step (rows, waits, SQLSTATEs,
//! final committed rows). Expectations written in the cases say what PostgreSQL does.
//! Without a server (and without `CI=true`) only the model side runs.

use locklab_models::sim::store::sql::{sqlstate as code, Value};
use locklab_servers::PgCase;

fn t(s: &str) -> Value {
    Value::from(s)
}
fn i(n: i64) -> Value {
    Value::Int(n)
}
const NULL: Value = Value::Null;

const DEVICES: &str = "CREATE TABLE devices (id int PRIMARY KEY, owner text, zone int)";
const DEVICES_1: &str = "INSERT INTO devices VALUES (1, NULL, 0)";
const DEVICES_3: &str = "INSERT INTO devices VALUES (1, NULL, 0), (2, NULL, 0), (3, NULL, 0)";
const CLAIM: &str = "UPDATE devices SET owner = $1 WHERE id = $2 AND owner IS NULL";
const LOCKS: &str = "CREATE TABLE locks (key text PRIMARY KEY, holder text, token int NOT NULL)";
const LOCK_K: &str = "INSERT INTO locks VALUES ('k', 'a', 1)";
const POOLS: &str =
    "CREATE TABLE pools (id int PRIMARY KEY, amount int NOT NULL, version int NOT NULL)";
const POOL_100: &str = "INSERT INTO pools VALUES (1, 100, 1)";
const DEBIT: &str =
    "UPDATE pools SET amount = amount - $1, version = version + 1 WHERE id = 1 AND amount >= $1";

macro_rules! spec {
    ($name:ident, $conns:expr, |$c:ident| $body:expr) => {
        #[test]
        fn $name() {
            let $c = PgCase::new(stringify!($name), $conns);
            let case: PgCase = $body;
            case.check();
        }
    };
}

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

// --- Behaviours 4, 5: an error aborts the transaction at once ---------------------

spec!(
    nowait_error_aborts_transaction_and_releases_its_locks,
    3,
    |c| c
        .setup(DEVICES)
        .setup("INSERT INTO devices VALUES (1, NULL, 0), (2, NULL, 0)")
        .step(0, "BEGIN")
        .step(0, "SELECT id FROM devices WHERE id = 1 FOR UPDATE")
        .rows(vec![vec![i(1)]])
        .step(1, "BEGIN")
        .step(1, "UPDATE devices SET owner = 'B' WHERE id = 2")
        .ok(1)
        .step(1, "SELECT id FROM devices WHERE id = 1 FOR UPDATE NOWAIT")
        .err(code::LOCK_NOT_AVAILABLE)
        .step(1, "SELECT id FROM devices")
        .err(code::IN_FAILED_TRANSACTION)
        .step(2, "UPDATE devices SET owner = 'C' WHERE id = 2")
        .ok(1)
        .step(1, "COMMIT")
        .ok(0)
        .step(0, "COMMIT")
);

spec!(
    unique_violation_aborts_transaction_and_discards_its_writes,
    2,
    |c| c
        .setup(LOCKS)
        .setup(LOCK_K)
        .step(0, "BEGIN")
        .step(0, "INSERT INTO locks VALUES ('x', 'a', 1)")
        .ok(1)
        .step(0, "INSERT INTO locks VALUES ('k', 'a', 1)")
        .err(code::UNIQUE_VIOLATION)
        .step(0, "UPDATE locks SET token = 9")
        .err(code::IN_FAILED_TRANSACTION)
        .step(1, "INSERT INTO locks VALUES ('x', 'b', 2)")
        .ok(1)
        .step(0, "ROLLBACK")
        .ok(0)
);

spec!(statements_after_an_error_fail_until_rollback, 1, |c| c
    .setup(LOCKS)
    .step(0, "BEGIN")
    .step(0, "INSERT INTO locks VALUES ('x', NULL, NULL)")
    .err(code::NOT_NULL_VIOLATION)
    .step(0, "SELECT * FROM locks")
    .err(code::IN_FAILED_TRANSACTION)
    .step(0, "ROLLBACK")
    .step(0, "SELECT * FROM locks")
    .ok(0));

// --- Behaviour 6: deadlock ---------------------------------------------------------

spec!(
    deadlock_aborts_the_first_waiter_and_the_other_commits,
    2,
    |c| c
        .setup(DEVICES)
        .setup("INSERT INTO devices VALUES (1, NULL, 0), (2, NULL, 0)")
        .step(0, "BEGIN")
        .step(1, "BEGIN")
        .step(0, "UPDATE devices SET owner = 'A' WHERE id = 1")
        .ok(1)
        .step(1, "UPDATE devices SET owner = 'B' WHERE id = 2")
        .ok(1)
        .step(0, "UPDATE devices SET owner = 'A' WHERE id = 2")
        .waits()
        .step(1, "UPDATE devices SET owner = 'B' WHERE id = 1")
        .waits()
        .step(1, "COMMIT")
        .ok(0)
        .step(0, "COMMIT")
);

spec!(deadlock_between_row_locks_in_opposite_order, 2, |c| c
    .setup(POOLS)
    .setup("INSERT INTO pools VALUES (1, 10, 1), (2, 20, 1)")
    .step(0, "BEGIN")
    .step(1, "BEGIN")
    .step(0, "SELECT id FROM pools WHERE id = 1 FOR UPDATE")
    .step(1, "SELECT id FROM pools WHERE id = 2 FOR UPDATE")
    .step(0, "SELECT id FROM pools WHERE id = 2 FOR UPDATE")
    .waits()
    .step(1, "SELECT id FROM pools WHERE id = 1 FOR UPDATE")
    .waits()
    .step(0, "SELECT 1 FROM pools")
    .err(code::IN_FAILED_TRANSACTION)
    .step(0, "ROLLBACK")
    .step(1, "UPDATE pools SET amount = amount + 1")
    .ok(2)
    .step(1, "COMMIT"));

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

// --- ON CONFLICT races ------------------------------------------------------------

const COUNTERS: &str = "CREATE TABLE counters (key text PRIMARY KEY, n int NOT NULL)";
const BUMP: &str = "INSERT INTO counters VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + 1 RETURNING n";

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

const RR: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ";

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

// --- The catalogue's correct fix: one transaction, row lock, guard, unique key ------

spec!(
    single_transaction_purchase_serialises_on_the_user_row,
    2,
    |c| c
        .setup("CREATE TABLE users (id int PRIMARY KEY, bal int NOT NULL)")
        .setup("INSERT INTO users VALUES (1, 100)")
        .setup("CREATE TABLE pets (uid int NOT NULL, pet text NOT NULL, UNIQUE (uid, pet))")
        .step(0, "BEGIN")
        .step(1, "BEGIN")
        .step(0, "SELECT bal FROM users WHERE id = 1 FOR UPDATE")
        .rows(vec![vec![i(100)]])
        .step(1, "SELECT bal FROM users WHERE id = 1 FOR UPDATE")
        .waits()
        .step(
            0,
            "UPDATE users SET bal = bal - 50 WHERE id = 1 AND bal >= 50"
        )
        .ok(1)
        .step(0, "INSERT INTO pets VALUES (1, 'cat')")
        .ok(1)
        .step(0, "COMMIT")
        .step(1, "INSERT INTO pets VALUES (1, 'cat')")
        .err(code::UNIQUE_VIOLATION)
        .step(1, "ROLLBACK")
);

// --- Types and errors outside transactions ---------------------------------------

spec!(
    literals_take_the_column_type_and_type_errors_match,
    1,
    |c| c
        .setup(POOLS)
        .setup(POOL_100)
        .step(
            0,
            "SELECT id FROM pools WHERE amount = '100' AND version < '2'"
        )
        .rows(vec![vec![i(1)]])
        .step(0, "SELECT id FROM pools WHERE amount = 'x'")
        .err(code::INVALID_TEXT_REPRESENTATION)
        .step(0, "SELECT id FROM pools WHERE amount = true")
        .err(code::UNDEFINED_FUNCTION)
        .step(0, "UPDATE pools SET amount = 'x'")
        .err(code::INVALID_TEXT_REPRESENTATION)
        .step(0, "UPDATE pools SET amount = 3000000000")
        .err(code::NUMERIC_OUT_OF_RANGE)
        .step(0, "UPDATE pools SET amount = true")
        .err(code::DATATYPE_MISMATCH)
        .step(0, "UPDATE pools SET amount = NULL")
        .err(code::NOT_NULL_VIOLATION)
        .step(0, "SELECT * FROM nowhere")
        .err(code::UNDEFINED_TABLE)
        .step(0, "SELECT nothing FROM pools")
        .err(code::UNDEFINED_COLUMN)
);
