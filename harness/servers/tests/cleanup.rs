//! Nothing is left behind: after runs that pass and runs that panic mid-case, no
//! schema or key of this process remains on the servers.

use std::panic::{catch_unwind, AssertUnwindSafe};

use locklab_servers::{require, PgConfig, PgProbe, PgStep, RedisConfig, RedisProbe};

#[test]
fn runs_leave_no_schema_or_key_behind() {
    let Some(first) = require("cleanup", PgProbe::open(&PgConfig::default(), 2)) else {
        return;
    };
    first
        .setup(&["CREATE TABLE t (id int PRIMARY KEY)"])
        .unwrap();
    drop(first);
    // A run that panics while a step holds a lock and another waits for it.
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        let mut probe = PgProbe::open(&PgConfig::default(), 2).unwrap();
        probe
            .setup(&[
                "CREATE TABLE t (id int PRIMARY KEY)",
                "INSERT INTO t VALUES (1)",
            ])
            .unwrap();
        let step = |conn, sql: &str| PgStep::statement(conn, sql, &[]);
        probe.run(&[
            step(0, "BEGIN"),
            step(0, "UPDATE t SET id = 2"),
            step(1, "UPDATE t SET id = 3"),
        ]);
        panic!("a failing test");
    }));
    assert!(panicked.is_err());
    let probe = PgProbe::open(&PgConfig::default(), 0).unwrap();
    assert_eq!(probe.leftover_schemas(), Vec::<String>::new());

    let Some(mut r) = require("cleanup", RedisProbe::open(&RedisConfig::default(), 1)) else {
        return;
    };
    let key = format!("{}k", r.prefix());
    r.exec(0, &["SET".into(), key, "v".into()]);
    drop(r);
    let mut check = RedisProbe::open(&RedisConfig::default(), 1).unwrap();
    assert_eq!(check.leftover_keys(), Vec::<String>::new());
}
