//! SQL statements as steps: a scheme whose world is the SQL model, its statements
//! logged as issued, waits and PostgreSQL's deadlock handling through the kit.

use std::sync::Arc;

use locklab::engine::{explore, Budget, Loom, States};
use locklab::store::sql::{sqlstate, Db, SessionId, Statement, Value};
use locklab::{Cast, Property, Scheme, Step};

const ONE_OWNER: Property = Property::safety("one-owner");
const SETUP: [&str; 2] = [
    "CREATE TABLE devices (id int PRIMARY KEY, owner text)",
    "INSERT INTO devices VALUES (7, NULL)",
];

#[derive(Debug, Hash)]
struct World {
    db: Db,
    sessions: Vec<SessionId>,
    connected: Vec<String>,
}

impl World {
    /// A database set up by `setup`, with two client sessions.
    fn with(setup: &[&str]) -> World {
        let mut db = Db::new();
        let admin = db.session();
        for sql in setup {
            db.run(admin, sql, &[]).expect("set-up");
        }
        let sessions = (0..2).map(|_| db.session()).collect();
        World {
            db,
            sessions,
            connected: Vec::new(),
        }
    }
}

/// Servers claim device 7: read then write (`atomic: false`) or a conditional update.
struct Claim {
    atomic: bool,
}

impl Scheme for Claim {
    type State = World;
    fn init(&self) -> World {
        World::with(&SETUP)
    }
    fn cast(&self, cast: &mut Cast<World>) {
        let read = Statement::parse("SELECT owner FROM devices WHERE id = 7").unwrap();
        let write = Statement::parse("UPDATE devices SET owner = $1 WHERE id = 7").unwrap();
        let claim =
            Statement::parse("UPDATE devices SET owner = $1 WHERE id = 7 AND owner IS NULL")
                .unwrap();
        for i in 0..2 {
            let (read, write, claim) = (read.clone(), write.clone(), claim.clone());
            let atomic = self.atomic;
            cast.actor(format!("S{}", i + 1), move |a| {
                let me = Value::Text(format!("S{}", i + 1));
                let session = SessionId(i as u32 + 1);
                let won = if atomic {
                    let done = a.sql(
                        "claim",
                        |s| &mut s.db,
                        session,
                        &claim,
                        std::slice::from_ref(&me),
                    )?;
                    done.is_ok_and(|o| o.affected == 1)
                } else {
                    let owner = a.sql("read owner", |s| &mut s.db, session, &read, &[])?;
                    let free = owner.is_ok_and(|o| o.rows == vec![vec![Value::Null]]);
                    if free {
                        a.sql(
                            "write owner",
                            |s| &mut s.db,
                            session,
                            &write,
                            std::slice::from_ref(&me),
                        )?
                        .ok();
                    }
                    free
                };
                if won {
                    a.step("connect", |s: &mut Step<'_, World>| {
                        let others = s.state.connected.len();
                        s.check(others == 0, ONE_OWNER, || "two servers connected".into());
                        s.state.connected.push(format!("S{}", i + 1));
                    })?;
                }
                Ok(())
            });
        }
    }
    fn properties(&self) -> Vec<Property> {
        vec![ONE_OWNER]
    }
}

#[test]
fn select_then_update_in_sql_is_caught_and_the_conditional_update_proven() {
    let buggy = explore(
        Arc::new(Claim { atomic: false }),
        &States,
        Budget::default(),
    );
    assert_eq!(buggy.violated_property(), Some(ONE_OWNER));
    let trace = buggy.failure().unwrap().trace.render();
    assert!(
        trace.contains("SELECT owner FROM devices WHERE id = 7 → rows (NULL)"),
        "{trace}"
    );
    let fixed = explore(Arc::new(Claim { atomic: true }), &States, Budget::default());
    assert!(fixed.proved(), "{:?}", fixed.outcome);
    assert!(explore(
        Arc::new(Claim { atomic: true }),
        &Loom::unbounded(),
        Budget::default()
    )
    .proved());
}

#[test]
fn a_replayed_counterexample_logs_every_statement_in_the_order_it_was_issued() {
    let buggy = explore(
        Arc::new(Claim { atomic: false }),
        &States,
        Budget::default(),
    );
    let schedule = buggy.failure().unwrap().schedule.clone().unwrap();
    let (verdict, log) =
        locklab::engine::replay_with_sql(Arc::new(Claim { atomic: false }), &schedule);
    assert!(verdict.failure().is_some());
    let texts: Vec<(&str, &str)> = log
        .iter()
        .map(|c| (c.actor.as_str(), c.sql.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            ("S2", "SELECT owner FROM devices WHERE id = 7"),
            ("S1", "SELECT owner FROM devices WHERE id = 7"),
            ("S2", "UPDATE devices SET owner = $1 WHERE id = 7"),
            ("S1", "UPDATE devices SET owner = $1 WHERE id = 7"),
        ][..texts.len().min(4)]
    );
    assert!(log.iter().all(|c| c.result.is_some() && !c.waited));
}

const BOTH_APPLIED: Property = Property::safety("both-applied");

/// Two batches lock two rows in opposite orders inside transactions.
struct Batches;

impl Scheme for Batches {
    type State = World;
    fn init(&self) -> World {
        World::with(&[
            "CREATE TABLE pools (id int PRIMARY KEY, amount int)",
            "INSERT INTO pools VALUES (1, 0), (2, 0)",
        ])
    }
    fn cast(&self, cast: &mut Cast<World>) {
        let begin = Statement::parse("BEGIN").unwrap();
        let add = Statement::parse("UPDATE pools SET amount = amount + 1 WHERE id = $1").unwrap();
        let commit = Statement::parse("COMMIT").unwrap();
        for (i, order) in [(0usize, [1, 2]), (1, [2, 1])] {
            let (begin, add, commit) = (begin.clone(), add.clone(), commit.clone());
            cast.actor(format!("B{}", i + 1), move |a| {
                let session = SessionId(i as u32 + 1);
                a.sql("begin", |s| &mut s.db, session, &begin, &[])?.ok();
                for id in order {
                    if let Err(e) = a.sql("add", |s| &mut s.db, session, &add, &[Value::Int(id)])? {
                        a.step("batch failed", |s| {
                            s.check(false, BOTH_APPLIED, || {
                                format!("a batch failed with {}", e.code)
                            })
                        })?;
                        return Ok(());
                    }
                }
                a.sql("commit", |s| &mut s.db, session, &commit, &[])?.ok();
                Ok(())
            });
        }
    }
    fn properties(&self) -> Vec<Property> {
        vec![BOTH_APPLIED]
    }
}

#[test]
fn opposite_lock_orders_deadlock_as_postgresql_does_one_batch_fails_with_40p01() {
    let v = explore(Arc::new(Batches), &States, Budget::default());
    let f = v.failure().expect("one batch fails");
    assert_eq!(f.violation.property, BOTH_APPLIED);
    assert!(
        f.violation.detail.contains(sqlstate::DEADLOCK_DETECTED),
        "{}",
        f.violation
    );
}
