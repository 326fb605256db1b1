//! The SQL model alone: the API a scheme model drives (sessions, blocked statements
//! re-issued, deadlock victims, disconnects). The rules themselves are specified
//! against the real server in `harness/servers/tests/store_spec.rs`.

use locklab_models::sim::store::sql::{sqlstate, Db, ExecError, SessionId, Statement, Tag, Value};

fn db_with_two_rows() -> (Db, SessionId, SessionId) {
    let mut db = Db::new();
    let setup = db.session();
    db.run(setup, "CREATE TABLE r (id int PRIMARY KEY, v int)", &[])
        .unwrap();
    db.run(setup, "INSERT INTO r VALUES (1, 0), (2, 0)", &[])
        .unwrap();
    let (a, b) = (db.session(), db.session());
    (db, a, b)
}

fn blocked(r: Result<locklab_models::sim::store::sql::Outcome, ExecError>) -> bool {
    matches!(r, Err(ExecError::Blocked { .. }))
}

#[test]
fn a_blocked_statement_resumes_when_reissued() {
    let (mut db, a, b) = db_with_two_rows();
    let up = Statement::parse("UPDATE r SET v = v + 1 WHERE id = 1").unwrap();
    db.run(a, "BEGIN", &[]).unwrap();
    db.execute(a, &up, &[]).unwrap();
    assert_eq!(
        db.execute(b, &up, &[]),
        Err(ExecError::Blocked { waits_for: a })
    );
    assert!(db.is_waiting(b));
    // Another statement on the waiting session is a misuse.
    let other = db.run(b, "SELECT * FROM r", &[]).unwrap_err();
    assert_eq!(other.sql().unwrap().code, sqlstate::PROTOCOL_VIOLATION);
    assert!(blocked(db.execute(b, &up, &[])));
    db.run(a, "COMMIT", &[]).unwrap();
    assert_eq!(db.execute(b, &up, &[]).unwrap().affected, 1);
    assert_eq!(
        db.committed_rows("r"),
        vec![
            vec![Value::Int(1), Value::Int(2)],
            vec![Value::Int(2), Value::Int(0)]
        ]
    );
}

#[test]
fn the_deadlock_victim_does_not_depend_on_reissue_order() {
    for reissue_victim_first in [false, true] {
        let (mut db, a, b) = db_with_two_rows();
        let lock =
            |id| Statement::parse(&format!("SELECT v FROM r WHERE id = {id} FOR UPDATE")).unwrap();
        db.run(a, "BEGIN", &[]).unwrap();
        db.run(b, "BEGIN", &[]).unwrap();
        db.execute(a, &lock(1), &[]).unwrap();
        db.execute(b, &lock(2), &[]).unwrap();
        assert!(blocked(db.execute(a, &lock(2), &[])));
        // B closes the cycle; A began waiting first, so A is the victim.
        assert!(blocked(db.execute(b, &lock(1), &[])));
        let (first, second) = if reissue_victim_first { (a, b) } else { (b, a) };
        let stmt = |s| if s == a { lock(2) } else { lock(1) };
        let r1 = db.execute(first, &stmt(first), &[]);
        let r2 = db.execute(second, &stmt(second), &[]);
        let (ra, rb) = if first == a { (r1, r2) } else { (r2, r1) };
        assert_eq!(
            ra.unwrap_err().sql().unwrap().code,
            sqlstate::DEADLOCK_DETECTED
        );
        assert_eq!(rb.unwrap().rows, vec![vec![Value::Int(0)]]);
        assert!(db.in_failed_transaction(a));
        assert_eq!(db.run(a, "COMMIT", &[]).unwrap().tag, Tag::Rollback);
    }
}

#[test]
fn a_disconnect_rolls_back_and_releases_locks() {
    let (mut db, a, b) = db_with_two_rows();
    db.run(a, "BEGIN", &[]).unwrap();
    db.run(a, "UPDATE r SET v = 9 WHERE id = 1", &[]).unwrap();
    let up = Statement::parse("UPDATE r SET v = 5 WHERE id = 1").unwrap();
    assert!(blocked(db.execute(b, &up, &[])));
    db.disconnect(a);
    assert_eq!(db.execute(b, &up, &[]).unwrap().affected, 1);
    assert!(db.run(a, "SELECT * FROM r", &[]).is_err());
    assert_eq!(
        db.committed_rows("r")[0],
        vec![Value::Int(1), Value::Int(5)]
    );
}

#[test]
fn finished_transactions_leave_no_versions_behind() {
    let (mut db, a, _) = db_with_two_rows();
    let fresh = db.clone();
    db.run(a, "BEGIN", &[]).unwrap();
    db.run(a, "UPDATE r SET v = 1", &[]).unwrap();
    db.run(a, "DELETE FROM r WHERE id = 2", &[]).unwrap();
    db.run(a, "ROLLBACK", &[]).unwrap();
    assert_eq!(db.committed_rows("r"), fresh.committed_rows("r"));
    assert_eq!(format!("{db:?}").matches("xmax: Some").count(), 0);
}

#[test]
fn execution_errors_name_the_problem() {
    let (mut db, a, _) = db_with_two_rows();
    let code =
        |db: &mut Db, sql: &str, p: &[Value]| db.run(a, sql, p).unwrap_err().sql().unwrap().code;
    assert_eq!(
        code(&mut db, "SELECT * FROM nope", &[]),
        sqlstate::UNDEFINED_TABLE
    );
    assert_eq!(
        code(&mut db, "SELECT nope FROM r", &[]),
        sqlstate::UNDEFINED_COLUMN
    );
    assert_eq!(
        code(&mut db, "SELECT * FROM r WHERE id = $2", &[Value::Int(1)]),
        sqlstate::UNDEFINED_PARAMETER
    );
    assert_eq!(
        code(&mut db, "UPDATE r SET v = 'x'", &[]),
        sqlstate::INVALID_TEXT_REPRESENTATION
    );
    assert_eq!(
        code(&mut db, "UPDATE r SET v = 3000000000", &[]),
        sqlstate::NUMERIC_OUT_OF_RANGE
    );
    assert_eq!(
        code(&mut db, "UPDATE r SET v = true", &[]),
        sqlstate::DATATYPE_MISMATCH
    );
    assert_eq!(
        code(&mut db, "SELECT * FROM r WHERE v = 'a'", &[]),
        sqlstate::INVALID_TEXT_REPRESENTATION
    );
    assert_eq!(
        code(&mut db, "SELECT * FROM r WHERE v = true", &[]),
        sqlstate::UNDEFINED_FUNCTION
    );
    assert_eq!(
        db.run(a, "SELECT id FROM r WHERE v = '0' AND id < '2'", &[])
            .unwrap()
            .affected,
        1
    );
    assert_eq!(
        code(&mut db, "INSERT INTO r VALUES (NULL, 1)", &[]),
        sqlstate::NOT_NULL_VIOLATION
    );
    assert_eq!(
        code(&mut db, "CREATE TABLE r (id int)", &[]),
        sqlstate::DUPLICATE_TABLE
    );
    assert_eq!(
        code(&mut db, "SELECT * FROM r WHERE x.id = 1", &[]),
        sqlstate::UNDEFINED_TABLE
    );
}

#[test]
fn waiters_keep_their_queue_order_whatever_order_they_are_reissued_in() {
    let (mut db, a, b) = db_with_two_rows();
    let c = db.session();
    let lock = Statement::parse("SELECT v FROM r WHERE id = 1 FOR UPDATE").unwrap();
    for s in [a, b, c] {
        db.run(s, "BEGIN", &[]).unwrap();
    }
    db.execute(a, &lock, &[]).unwrap();
    assert_eq!(
        db.execute(b, &lock, &[]),
        Err(ExecError::Blocked { waits_for: a })
    );
    // C queues behind B (PostgreSQL: B holds the tuple lock while it waits).
    assert_eq!(
        db.execute(c, &lock, &[]),
        Err(ExecError::Blocked { waits_for: b })
    );
    db.run(a, "COMMIT", &[]).unwrap();
    // Re-issued first, C still waits for B, which is first in line.
    assert_eq!(
        db.execute(c, &lock, &[]),
        Err(ExecError::Blocked { waits_for: b })
    );
    assert!(db.execute(b, &lock, &[]).is_ok());
    assert_eq!(
        db.execute(c, &lock, &[]),
        Err(ExecError::Blocked { waits_for: b })
    );
    db.run(b, "COMMIT", &[]).unwrap();
    assert!(db.execute(c, &lock, &[]).is_ok());
}
