//! SQL as steps: [`Actor::sql`] runs one statement of the world's [`Db`] as one step,
//! waiting (through the kit) while PostgreSQL would make the session wait, and logs it
//! — the text, the parameters, what it returned and whether it had to wait — so the
//! same statements can be run again, in the same order, on a real server.
//!
//! [`Db`]: super::store::sql::Db

use std::cell::Cell;

use super::store::sql::{Db, ExecError, Outcome, SessionId, SqlError, Statement, Value};
use super::{Actor, Halt};

/// One statement of a run, as it was issued and as it completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlCall {
    /// The actor that issued it.
    pub actor: String,
    /// Its session (one per actor's connection).
    pub session: SessionId,
    /// The text, exactly as the model interpreted it.
    pub sql: String,
    /// The parameters `$1…`.
    pub params: Vec<Value>,
    /// Whether it had to wait for another session's transaction when issued.
    pub waited: bool,
    /// What it returned once complete (`None`: it never completed in the run).
    pub result: Option<Result<Outcome, SqlError>>,
}

impl<S> Actor<S> {
    /// Runs `stmt` with `params` on `session` of the database `db(state)` points at, as
    /// one step; while the statement must wait for another session's transaction, the
    /// actor waits (a cycle of waiters outside the database is the kit's `deadlock`;
    /// one inside is PostgreSQL's `40P01`, returned as an error). An error inside a
    /// transaction aborts it, as on the server.
    pub fn sql(
        &self,
        label: &'static str,
        db: impl Fn(&mut S) -> &mut Db,
        session: SessionId,
        stmt: &Statement,
        params: &[Value],
    ) -> Result<Result<Outcome, SqlError>, Halt> {
        // Kit bookkeeping across attempts (never seen by the scheme): where this
        // statement's entry is in the log.
        let logged: Cell<Option<usize>> = Cell::new(None);
        let log = |waited: bool, result: Option<Result<Outcome, SqlError>>| {
            let call = SqlCall {
                actor: self.name().to_owned(),
                session,
                sql: stmt.sql().to_owned(),
                params: params.to_vec(),
                waited,
                result,
            };
            match logged.get() {
                Some(i) => self.recorder().update_sql(i, call),
                None => logged.set(self.recorder().log_sql(call)),
            }
        };
        self.step_when(label, |s| {
            let first = logged.get().is_none();
            let victims_before = db(s.state).untold_deadlock_victims();
            match db(s.state).execute(session, stmt, params) {
                Err(ExecError::Blocked { .. }) => {
                    s.disturbed = db(s.state).untold_deadlock_victims() > victims_before;
                    if first {
                        log(true, None);
                    }
                    None
                }
                Ok(outcome) => {
                    s.saw(|| format!("{} → {}", stmt.sql(), describe(&outcome)));
                    log(!first, Some(Ok(outcome.clone())));
                    Some(Ok(outcome))
                }
                Err(ExecError::Failed(e)) => {
                    s.saw(|| format!("{} → ERROR {}", stmt.sql(), e.code));
                    log(!first, Some(Err(e.clone())));
                    Some(Err(e))
                }
            }
        })
    }
}

/// `1 row`, `rows [(7, 'S1')]`.
fn describe(o: &Outcome) -> String {
    if o.rows.is_empty() {
        return format!(
            "{} row{}",
            o.affected,
            if o.affected == 1 { "" } else { "s" }
        );
    }
    let rows: Vec<String> = o
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(|v| format!("{v:?}")).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    format!("rows {}", rows.join(" "))
}
