//! The scheme's statements ([`super::statements`]) on an instance's connection.
//!
//! A statement that may wait for another transaction's row lock runs through the
//! kit's [`Actor::sql_then`] / [`Actor::begin_sql_then`]. Where the handler's step is
//! several statements none of which can wait (a short transaction that takes no row
//! lock another handler holds across steps, or one whose row lock this transaction
//! already holds), [`statements`] runs them all in one step, as the model before the
//! SQL port ran them: a scheduling point between them would let no other session see
//! anything new (the others' reads see only committed rows, and a writer that came in
//! between would wait for this transaction and then act exactly as after it), so it
//! would only multiply the interleavings. Each statement is logged as the kit logs
//! one, so a server runs them too, in the same order.

use std::fmt::Debug;
use std::hash::Hash;

use crate::sim::store::sql::{Db, ExecError, Outcome, SqlError};
use crate::sim::{Actor, Halt, SqlCall, Step, Tick};

use super::statements::{self, Call};
use super::world::ShopWorld;

fn db_of(w: &mut ShopWorld) -> &mut Db {
    &mut w.db
}

/// Runs `call` on `me`'s connection as one step (waiting while PostgreSQL would);
/// `then` runs in the same step once it completes.
pub(super) fn sql_then(
    a: &Actor<ShopWorld>,
    label: &'static str,
    me: usize,
    call: impl Fn(Tick) -> Call,
    then: impl Fn(&mut Step<'_, ShopWorld>, &Result<Outcome, SqlError>),
) -> Result<Result<Outcome, SqlError>, Halt> {
    let stmt = call(0).stmt;
    let params = |now| call(now).params;
    a.sql_then(label, db_of, ShopWorld::session(me), stmt, params, then)
}

/// As [`sql_then`], opening the transaction with `BEGIN` in the same step.
pub(super) fn begin_then(
    a: &Actor<ShopWorld>,
    label: &'static str,
    me: usize,
    call: Call,
    then: impl Fn(&mut Step<'_, ShopWorld>, &Result<Outcome, SqlError>),
) -> Result<Result<Outcome, SqlError>, Halt> {
    let begin = statements::begin().stmt;
    let params = |_| call.params.clone();
    let session = ShopWorld::session(me);
    a.begin_sql_then(label, db_of, session, begin, call.stmt, params, then)
}

/// What a [`statements`] step's closure sends its statements through.
pub(super) struct Batch<'s, 'w> {
    /// The step: the clock, the world, what the step saw.
    pub s: &'s mut Step<'w, ShopWorld>,
    actor: &'s Actor<ShopWorld>,
    me: usize,
    sent: Vec<String>,
}

impl Batch<'_, '_> {
    /// Runs `call` now, on this step's connection. It cannot wait (see the module
    /// docs); one that would is a bug in the model, so it stops the execution loudly.
    pub fn run(&mut self, call: Call) -> Result<Outcome, SqlError> {
        let session = ShopWorld::session(self.me);
        let result = match self.s.state.db.execute(session, call.stmt, &call.params) {
            Ok(o) => Ok(o),
            Err(ExecError::Failed(e)) => Err(e),
            Err(ExecError::Blocked { waits_for }) => panic!(
                "{}: {} waits for {waits_for}, which no transaction here can make it do",
                self.actor.name(),
                call.stmt.sql()
            ),
        };
        self.sent.push(match &result {
            Ok(o) => format!("{} → {}", shown(&call), described(o)),
            Err(e) => format!("{} → ERROR {}", shown(&call), e.code),
        });
        self.actor.recorder().log_sql(SqlCall {
            actor: self.actor.name().to_owned(),
            session,
            sql: call.stmt.sql().to_owned(),
            params: call.params,
            waited: false,
            result: Some(result.clone()),
            dropped: false,
        });
        result
    }

    /// As [`Batch::run`], for a statement that cannot fail here.
    pub fn ok(&mut self, call: Call) -> Outcome {
        let sql = call.stmt.sql();
        self.run(call)
            .unwrap_or_else(|e| panic!("{sql}: unexpected {e:?}"))
    }
}

/// Several statements of `me`'s connection as one step, none of which can wait; the
/// step returns what `f` does.
pub(super) fn statements<U: Hash + Debug>(
    a: &Actor<ShopWorld>,
    label: &'static str,
    me: usize,
    f: impl Fn(&mut Batch<'_, '_>) -> U,
) -> Result<U, Halt> {
    a.step(label, |s| {
        let mut b = Batch {
            s: &mut *s,
            actor: a,
            me,
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
    format!("rows {}", crate::sim::store::sql::rows_text(&o.rows))
}
