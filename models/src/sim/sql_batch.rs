//! [`Actor::sql_batch`]: several statements of one connection as one step, where
//! none of them can wait.
//!
//! A statement that may wait for another transaction's row lock is a step of its own
//! ([`Actor::sql`]). But a short transaction that takes no row lock another session
//! holds across steps (or one whose row lock this transaction already holds) cannot
//! wait, and a scheduling point between its statements would let no other session
//! see anything new: the others' reads see only committed rows, and a writer that
//! came in between would wait for this transaction and then act exactly as after it.
//! Running them as one step only removes interleavings that change nothing. Each
//! statement is logged as [`Actor::sql`] logs one, so a server runs them too, in the
//! same order.

use std::fmt::Debug;
use std::hash::Hash;

use super::store::sql::{rows_text, Call, Db, ExecError, Outcome, SessionId, SqlError};
use super::{Actor, Halt, SqlCall, Step};

/// What a [`Actor::sql_batch`] step's closure sends its statements through.
pub struct SqlBatch<'s, 'w, S, D> {
    /// The step: the clock, the world, what the step saw.
    pub s: &'s mut Step<'w, S>,
    actor: &'s Actor<S>,
    db: &'s D,
    session: SessionId,
    sent: Vec<String>,
}

impl<S, D: Fn(&mut S) -> &mut Db> SqlBatch<'_, '_, S, D> {
    /// Runs `call` now, on this step's connection. It cannot wait (see the module
    /// docs); one that would is a bug in the scheme, so it stops the execution
    /// loudly.
    pub fn run(&mut self, call: Call) -> Result<Outcome, SqlError> {
        let executed = (self.db)(self.s.state).execute(self.session, call.stmt, &call.params);
        let result = match executed {
            Ok(o) => Ok(o),
            Err(ExecError::Failed(e)) => Err(e),
            Err(ExecError::Blocked { waits_for }) => panic!(
                "{}: {} waits for {waits_for}, which a statement of a batch must not",
                self.actor.name(),
                call.stmt.sql()
            ),
        };
        if self.s.recording() {
            self.sent.push(match &result {
                Ok(o) => format!("{} → {}", shown(&call), described(o)),
                Err(e) => format!("{} → ERROR {}", shown(&call), e.code),
            });
        }
        self.actor.recorder().log_sql(SqlCall {
            actor: self.actor.name().to_owned(),
            session: self.session,
            sql: call.stmt.sql().to_owned(),
            params: call.params,
            waited: false,
            result: Some(result.clone()),
            dropped: false,
        });
        result
    }

    /// As [`SqlBatch::run`], for a statement that cannot fail here.
    pub fn ok(&mut self, call: Call) -> Outcome {
        let sql = call.stmt.sql();
        self.run(call)
            .unwrap_or_else(|e| panic!("{sql}: unexpected {e:?}"))
    }
}

impl<S> Actor<S> {
    /// Several statements on `session` of the database `db(state)` points at, as one
    /// step: `f` sends them through its [`SqlBatch`], none of which may wait (see the
    /// module docs). The timeline shows each statement with its answer, then what
    /// `f` said it saw; the step returns what `f` does.
    pub fn sql_batch<U: Hash + Debug, D: Fn(&mut S) -> &mut Db>(
        &self,
        label: &'static str,
        db: D,
        session: SessionId,
        f: impl Fn(&mut SqlBatch<'_, '_, S, D>) -> U,
    ) -> Result<U, Halt> {
        self.step(label, |s| {
            let mut b = SqlBatch {
                s: &mut *s,
                actor: self,
                db: &db,
                session,
                sent: Vec::new(),
            };
            let out = f(&mut b);
            let sent = b.sent.join("; ");
            let said = s.saw.take();
            s.saw(|| match said {
                Some(said) if sent.is_empty() => said,
                Some(said) => format!("{sent}: {said}"),
                None => sent,
            });
            out
        })
    }
}

/// `… WHERE key = $1 [$1 = 'pet_buy_1_7']`.
fn shown(call: &Call) -> String {
    if call.params.is_empty() {
        return call.stmt.sql().to_owned();
    }
    let bound: Vec<String> = call
        .params
        .iter()
        .enumerate()
        .map(|(i, v)| format!("${} = {v}", i + 1))
        .collect();
    format!("{} [{}]", call.stmt.sql(), bound.join(", "))
}

/// `1 row`, `rows (50)`.
fn described(o: &Outcome) -> String {
    if o.rows.is_empty() {
        let s = if o.affected == 1 { "" } else { "s" };
        return format!("{} row{s}", o.affected);
    }
    format!("rows {}", rows_text(&o.rows))
}
