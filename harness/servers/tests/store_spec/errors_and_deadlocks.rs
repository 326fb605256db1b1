//! Errors abort the transaction at once (behaviours 4, 5), deadlocks (behaviour 6), type errors, and the catalogue's single-transaction fix.

use super::*;

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
