//! The scheme's statements ([`super::statements`]) on an instance's connection.
//!
//! A statement that may wait for another transaction's row lock runs through the
//! kit's [`Actor::sql_then`] / [`Actor::begin_sql_then`]. Where the handler's step is
//! several statements none of which can wait, [`statements`] runs them all in one
//! step ([`Actor::sql_batch`]), as the model before the SQL port ran them.

use std::fmt::Debug;
use std::hash::Hash;

use crate::sim::store::sql::{Db, Outcome, SqlError};
use crate::sim::{Actor, Halt, SqlBatch, Step, Tick};

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
pub(super) type Batch<'s, 'w> = SqlBatch<'s, 'w, ShopWorld, fn(&mut ShopWorld) -> &mut Db>;

/// Several statements of `me`'s connection as one step, none of which can wait
/// ([`Actor::sql_batch`]); the step returns what `f` does.
pub(super) fn statements<U: Hash + Debug>(
    a: &Actor<ShopWorld>,
    label: &'static str,
    me: usize,
    f: impl Fn(&mut Batch<'_, '_>) -> U,
) -> Result<U, Halt> {
    let db: fn(&mut ShopWorld) -> &mut Db = db_of;
    a.sql_batch(label, db, ShopWorld::session(me), f)
}
