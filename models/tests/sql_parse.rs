//! The SQL model's parser: what it accepts, and the errors that name what it does not.

use locklab_models::sim::store::sql::{sqlstate, Statement};

fn error(sql: &str) -> (String, String) {
    let e = Statement::parse(sql).expect_err(sql);
    (e.code.to_owned(), e.message)
}

#[test]
fn accepts_the_locking_subset() {
    for sql in [
        "BEGIN",
        "START TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "BEGIN ISOLATION LEVEL READ COMMITTED",
        "COMMIT",
        "ROLLBACK",
        "CREATE TABLE t (id int PRIMARY KEY, a bigint NOT NULL, b text UNIQUE, c boolean, UNIQUE (a, b))",
        "SELECT * FROM t WHERE id = $1",
        "SELECT id, a + 1 FROM t WHERE (a >= 2 OR b IS NOT NULL) AND NOT c ORDER BY a DESC, id LIMIT 3 FOR UPDATE SKIP LOCKED",
        "SELECT id FROM t FOR SHARE NOWAIT",
        "SELECT count(*), sum(a), min(a), max(b) FROM t WHERE a <> 0",
        "INSERT INTO t (id, a) VALUES (1, 2), ($1, $2) ON CONFLICT DO NOTHING",
        "INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET a = t.a + EXCLUDED.a RETURNING *",
        "UPDATE t SET a = a - $1, b = NULL WHERE id = $2 AND a >= $1 RETURNING a",
        "DELETE FROM t WHERE b = $1 RETURNING id",
    ] {
        if let Err(e) = Statement::parse(sql) {
            panic!("{sql}: {e}");
        }
    }
}

#[test]
fn syntax_errors_are_42601() {
    let (code, msg) = error("UPDATE SET WHERE");
    assert_eq!(code, sqlstate::SYNTAX_ERROR);
    assert!(!msg.is_empty());
    assert_eq!(error("SELECT 1; SELECT 2").0, sqlstate::SYNTAX_ERROR);
    assert_eq!(
        error("SELECT * FROM t WHERE a = $0").0,
        sqlstate::SYNTAX_ERROR
    );
}

#[test]
fn unsupported_constructs_are_named() {
    for (sql, needle) in [
        ("SELECT * FROM a JOIN b ON a.id = b.id", "joins"),
        ("SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u)", "subquery"),
        ("SELECT * FROM t WHERE a IN (1, 2)", "expression"),
        ("SELECT a FROM t GROUP BY a", "GROUP BY"),
        ("SELECT now() FROM t", "function now"),
        ("SELECT * FROM t OFFSET 2", "OFFSET"),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", "SERIALIZABLE"),
        ("SAVEPOINT s", "statement SAVEPOINT"),
        ("SET deadlock_timeout = '50ms'", "statement SET"),
        ("CREATE TABLE t (id serial PRIMARY KEY)", "column type"),
        ("CREATE TABLE t (id int DEFAULT 3)", "column option"),
        ("INSERT INTO t SELECT * FROM u", "INSERT … SELECT"),
        (
            "UPDATE t SET a = 1 FROM u WHERE t.id = u.id",
            "UPDATE … FROM",
        ),
        ("SELECT count(*) FROM t FOR UPDATE", "aggregate"),
        ("SELECT a, count(*) FROM t", "aggregates mixed"),
        ("SELECT * FROM s.t", "qualified"),
        ("SELECT a.b.c FROM t", "qualified column"),
        ("SELECT * FROM t WHERE a LIKE 'x%'", "expression"),
        ("SELECT * FROM t WHERE a / 2 = 1", "operator"),
    ] {
        let (code, msg) = error(sql);
        assert_eq!(code, sqlstate::FEATURE_NOT_SUPPORTED, "{sql}: {msg}");
        assert!(msg.contains("locklab SQL model"), "{sql}: {msg}");
        assert!(msg.contains(needle), "{sql}: {msg} should name {needle}");
    }
}

#[test]
fn on_conflict_do_update_needs_a_target() {
    let (code, _) = error("INSERT INTO t (id) VALUES (1) ON CONFLICT DO UPDATE SET id = 2");
    assert_eq!(code, sqlstate::SYNTAX_ERROR);
}
