//! SQL as steps: [`Actor::sql`] runs one statement of the world's [`Db`] as one step,
//! waiting (through the kit) while PostgreSQL would make the session wait, and logs it
//! — the text, the parameters, what it returned and whether it had to wait — so the
//! same statements can be run again, in the same order, on a real server.
//!
//! [`Db`]: super::store::sql::Db

use std::cell::{Cell, RefCell};

use super::store::sql::{rows_text, Db, ExecError, Outcome, SessionId, SqlError, Statement, Value};
use super::{Actor, Halt, Step, Tick};

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
    /// Not a statement: here the session's connection died (its actor crashed), so
    /// its open transaction rolled back and a statement it had waiting is gone. A
    /// server run terminates that session's backend at this point. `sql` and
    /// `params` are empty.
    pub dropped: bool,
}

impl SqlCall {
    /// The log entry for `session`'s connection dying, by [`Step::drop_connection`].
    pub fn connection_dropped(actor: &str, session: SessionId) -> SqlCall {
        SqlCall {
            actor: actor.to_owned(),
            session,
            sql: String::new(),
            params: Vec::new(),
            waited: false,
            result: None,
            dropped: true,
        }
    }
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
        self.sql_at(label, db, session, stmt, |_| params.to_vec())
    }

    /// As [`Actor::sql`], with parameters computed from the virtual time at which the
    /// statement is first issued (`lease_until <= $now`): the harness clock passed to
    /// the statement, as a real server run of the same schedule passes it. A statement
    /// that waits keeps the parameters it was issued with.
    pub fn sql_at(
        &self,
        label: &'static str,
        db: impl Fn(&mut S) -> &mut Db,
        session: SessionId,
        stmt: &Statement,
        params: impl Fn(Tick) -> Vec<Value>,
    ) -> Result<Result<Outcome, SqlError>, Halt> {
        self.sql_then(label, db, session, stmt, params, |_, _| {})
    }

    /// As [`Actor::sql_at`], and `then` runs in the same atomic step once the
    /// statement completes: what the world outside the database records about it (a
    /// ledger entry, a property check), with nothing interleaved between the two.
    pub fn sql_then(
        &self,
        label: &'static str,
        db: impl Fn(&mut S) -> &mut Db,
        session: SessionId,
        stmt: &Statement,
        params: impl Fn(Tick) -> Vec<Value>,
        then: impl Fn(&mut Step<'_, S>, &Result<Outcome, SqlError>),
    ) -> Result<Result<Outcome, SqlError>, Halt> {
        self.sql_step(label, db, session, None, stmt, params, then)
    }

    /// As [`Actor::sql_then`], opening the transaction first with `begin` (`BEGIN`)
    /// in the same step: PostgreSQL's `BEGIN` takes no snapshot and no lock, so
    /// nothing another session could see happens between the two, and a scheduling
    /// point between them would only multiply the interleavings. Both statements are
    /// logged, so a server runs `BEGIN` too.
    #[allow(clippy::too_many_arguments)]
    pub fn begin_sql_then(
        &self,
        label: &'static str,
        db: impl Fn(&mut S) -> &mut Db,
        session: SessionId,
        begin: &Statement,
        stmt: &Statement,
        params: impl Fn(Tick) -> Vec<Value>,
        then: impl Fn(&mut Step<'_, S>, &Result<Outcome, SqlError>),
    ) -> Result<Result<Outcome, SqlError>, Halt> {
        self.sql_step(label, db, session, Some(begin), stmt, params, then)
    }

    #[allow(clippy::too_many_arguments)]
    fn sql_step(
        &self,
        label: &'static str,
        db: impl Fn(&mut S) -> &mut Db,
        session: SessionId,
        begin: Option<&Statement>,
        stmt: &Statement,
        params: impl Fn(Tick) -> Vec<Value>,
        then: impl Fn(&mut Step<'_, S>, &Result<Outcome, SqlError>),
    ) -> Result<Result<Outcome, SqlError>, Halt> {
        // Kit bookkeeping across attempts (never seen by the scheme): where this
        // statement's entry is in the log, and the parameters it was issued with.
        let logged: Cell<Option<usize>> = Cell::new(None);
        let issued: RefCell<Option<Vec<Value>>> = RefCell::new(None);
        let record = |stmt: &Statement, params: &[Value], waited, result| SqlCall {
            actor: self.name().to_owned(),
            session,
            sql: stmt.sql().to_owned(),
            params: params.to_vec(),
            waited,
            result,
            dropped: false,
        };
        let log = |params: &[Value], waited: bool, result: Option<Result<Outcome, SqlError>>| {
            let call = record(stmt, params, waited, result);
            match logged.get() {
                Some(i) => self.recorder().update_sql(i, call),
                None => logged.set(self.recorder().log_sql(call)),
            }
        };
        self.step_when(label, |s| {
            let first = issued.borrow().is_none();
            if let Some(begin) = begin.filter(|_| first) {
                // Issued once, with the statement's first attempt; `BEGIN` never waits.
                let opened = match db(s.state).execute(session, begin, &[]) {
                    Ok(o) => Ok(o),
                    Err(ExecError::Failed(e)) => Err(e),
                    Err(ExecError::Blocked { .. }) => unreachable!("BEGIN never waits"),
                };
                self.recorder()
                    .log_sql(record(begin, &[], false, Some(opened)));
            }
            let params = issued
                .borrow_mut()
                .get_or_insert_with(|| params(s.now))
                .clone();
            let victims_before = db(s.state).untold_deadlock_victims();
            match db(s.state).execute(session, stmt, &params) {
                Err(ExecError::Blocked { .. }) => {
                    s.disturbed = db(s.state).untold_deadlock_victims() > victims_before;
                    if first {
                        log(&params, true, None);
                    }
                    None
                }
                Ok(outcome) => {
                    s.saw(|| format!("{} → {}", with_params(stmt, &params), describe(&outcome)));
                    log(&params, !first, Some(Ok(outcome.clone())));
                    let done = Ok(outcome);
                    then(s, &done);
                    Some(done)
                }
                Err(ExecError::Failed(e)) => {
                    s.saw(|| format!("{} → ERROR {}", with_params(stmt, &params), e.code));
                    log(&params, !first, Some(Err(e.clone())));
                    let done = Err(e);
                    then(s, &done);
                    Some(done)
                }
            }
        })
    }
}

/// The statement as the timeline shows it: its text, then the parameters it ran with
/// (`… WHERE id = $2 [$1 = 2, $2 = 0]`).
fn with_params(stmt: &Statement, params: &[Value]) -> String {
    if params.is_empty() {
        return stmt.sql().to_owned();
    }
    let bound: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(i, v)| format!("${} = {v}", i + 1))
        .collect();
    format!("{} [{}]", stmt.sql(), bound.join(", "))
}

/// `1 row`, `rows (7, 'S1')`.
fn describe(o: &Outcome) -> String {
    if o.rows.is_empty() {
        return format!(
            "{} row{}",
            o.affected,
            if o.affected == 1 { "" } else { "s" }
        );
    }
    format!("rows {}", rows_text(&o.rows))
}
