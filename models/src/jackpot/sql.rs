//! One of the service's statements ([`super::statements`]) on contender `me`'s
//! connection, as one step, with what the world records about it in the same step.

use crate::sim::store::sql::{Db, Outcome, SqlError};
use crate::sim::{Actor, Halt, Step};

use super::statements::Call;
use super::world::JackpotWorld;

/// Runs `call`; `then` runs in the same step when it completes without an error.
pub(super) fn sql(
    a: &Actor<JackpotWorld>,
    label: &'static str,
    me: usize,
    call: Call,
    then: impl Fn(&mut Step<'_, JackpotWorld>, &Outcome),
) -> Result<Result<Outcome, SqlError>, Halt> {
    run(a, label, me, false, call, then)
}

/// As [`sql`], opening the transaction with `BEGIN` in the same step.
pub(super) fn begin_then(
    a: &Actor<JackpotWorld>,
    label: &'static str,
    me: usize,
    call: Call,
    then: impl Fn(&mut Step<'_, JackpotWorld>, &Outcome),
) -> Result<Result<Outcome, SqlError>, Halt> {
    run(a, label, me, true, call, then)
}

fn db_of(w: &mut JackpotWorld) -> &mut Db {
    &mut w.db
}

fn run(
    a: &Actor<JackpotWorld>,
    label: &'static str,
    me: usize,
    begin: bool,
    call: Call,
    then: impl Fn(&mut Step<'_, JackpotWorld>, &Outcome),
) -> Result<Result<Outcome, SqlError>, Halt> {
    let session = JackpotWorld::session(me);
    let then = |s: &mut Step<'_, JackpotWorld>, done: &Result<Outcome, SqlError>| {
        if let Ok(o) = done {
            then(s, o);
        }
    };
    let params = |_| call.params.clone();
    if begin {
        let begin = super::statements::begin().stmt;
        a.begin_sql_then(label, db_of, session, begin, call.stmt, params, then)
    } else {
        a.sql_then(label, db_of, session, call.stmt, params, then)
    }
}

/// As [`sql`], for a statement this rung never sees fail (an autocommit one, or one in
/// a transaction no other can deadlock with): an error would be a bug in the model,
/// so it stops the execution loudly.
pub(super) fn ok(
    a: &Actor<JackpotWorld>,
    label: &'static str,
    me: usize,
    call: Call,
    then: impl Fn(&mut Step<'_, JackpotWorld>, &Outcome),
) -> Result<Outcome, Halt> {
    let done = sql(a, label, me, call, then)?;
    Ok(done.unwrap_or_else(|e| panic!("{label}: unexpected {e:?}")))
}

/// As [`ok`], opening the transaction with `BEGIN` in the same step.
pub(super) fn begin_ok(
    a: &Actor<JackpotWorld>,
    label: &'static str,
    me: usize,
    call: Call,
) -> Result<Outcome, Halt> {
    let done = begin_then(a, label, me, call, nothing)?;
    Ok(done.unwrap_or_else(|e| panic!("{label}: unexpected {e:?}")))
}

/// No bookkeeping.
pub(super) fn nothing(_: &mut Step<'_, JackpotWorld>, _: &Outcome) {}
