//! `INSERT … VALUES` with `ON CONFLICT DO NOTHING | DO UPDATE`: the unique index
//! decides. A live committed key conflicts at once (even if merely row-locked by
//! someone); a key being inserted or deleted by a transaction still in progress is
//! waited for.

use super::coerce::coerce;
use super::error::{sqlstate, SqlError};
use super::eval::{column_index, Env};
use super::heap::{KeyCheck, Tid};
use super::plan::{ConflictAction, InsertPlan, Isolation, OnConflict, Strength, WaitPolicy};
use super::rowlock::{serialization_failure, BlockedOn, Cx, Flow, Lock};
use super::session::{Edge, Pending};
use super::value::Value;
use super::write::{apply_update, check_keys};

enum Conflict {
    Done,
    Blocked(BlockedOn),
    /// The conflicting version changed under us: check the key again.
    Retry,
}

fn target_columns(cx: &Cx, plan: &InsertPlan) -> Result<Vec<usize>, SqlError> {
    let cols = &cx.table.def.columns;
    if plan.columns.is_empty() {
        return Ok((0..cols.len()).collect());
    }
    let mut out: Vec<usize> = Vec::with_capacity(plan.columns.len());
    for name in &plan.columns {
        let i = column_index(cols, name)?;
        if out.contains(&i) {
            return Err(SqlError::new(
                "42701",
                format!("column \"{name}\" specified more than once"),
            ));
        }
        out.push(i);
    }
    Ok(out)
}

/// The unique constraints `ON CONFLICT` arbitrates (indexes into `uniques`).
fn arbiters(cx: &Cx, oc: &OnConflict) -> Result<Vec<usize>, SqlError> {
    let uniques = &cx.table.def.uniques;
    let Some(target) = &oc.target else {
        return Ok((0..uniques.len()).collect());
    };
    let mut want = target
        .iter()
        .map(|c| column_index(&cx.table.def.columns, c))
        .collect::<Result<Vec<_>, _>>()?;
    want.sort_unstable();
    let found: Vec<usize> = (0..uniques.len())
        .filter(|&i| {
            let mut have = uniques[i].columns.clone();
            have.sort_unstable();
            have == want
        })
        .collect();
    if found.is_empty() {
        return Err(SqlError::new(
            sqlstate::INVALID_COLUMN_REFERENCE,
            "there is no unique or exclusion constraint matching the ON CONFLICT specification",
        ));
    }
    Ok(found)
}

fn row_values(
    cx: &Cx,
    plan: &InsertPlan,
    targets: &[usize],
    row: usize,
) -> Result<Vec<Value>, SqlError> {
    let exprs = &plan.rows[row];
    if exprs.len() > targets.len() {
        return Err(SqlError::new(
            sqlstate::SYNTAX_ERROR,
            "INSERT has more expressions than target columns",
        ));
    }
    let cols = &cx.table.def.columns;
    let mut given = vec![None; cols.len()];
    let env = Env {
        columns: &[],
        ..cx.env(&[])
    };
    for (e, &i) in exprs.iter().zip(targets) {
        given[i] = Some(env.eval(e)?.into_owned());
    }
    given
        .into_iter()
        .zip(cols)
        .map(|(v, col)| coerce(cx.table_name, col, v.unwrap_or(Value::Null)))
        .collect()
}

fn on_conflict(
    cx: &mut Cx,
    oc: &OnConflict,
    plan: &InsertPlan,
    tid: Tid,
    values: &[Value],
    p: &mut Pending,
) -> Result<Conflict, SqlError> {
    let visible = cx.txns.visible(&cx.table.tuples[&tid], cx.snap);
    let (sets, filter) = match &oc.action {
        ConflictAction::Nothing => {
            if cx.iso == Isolation::RepeatableRead && !visible {
                return Err(serialization_failure("update"));
            }
            return Ok(Conflict::Done);
        }
        ConflictAction::Update { sets, filter } => (sets, filter),
    };
    if p.written.contains(&tid) {
        return Err(SqlError::new(
            sqlstate::CARDINALITY_VIOLATION,
            "ON CONFLICT DO UPDATE command cannot affect row a second time",
        ));
    }
    match cx.lock_row(
        p.wait.as_ref(),
        tid,
        Strength::Exclusive,
        WaitPolicy::Wait,
        None,
    )? {
        Lock::Blocked(b) => return Ok(Conflict::Blocked(b)),
        Lock::Skip => return Ok(Conflict::Retry),
        Lock::Got(t) if t != tid => return Ok(Conflict::Retry),
        Lock::Got(_) => {}
    }
    if cx.iso == Isolation::RepeatableRead && !visible {
        return Err(serialization_failure("update"));
    }
    let env = Env {
        excluded: Some(values),
        ..cx.env(&cx.table.tuples[&tid].values)
    };
    if !env.matches(filter.as_ref())? {
        cx.table.lock(tid, cx.snap.me, Strength::Exclusive);
        return Ok(Conflict::Done);
    }
    match apply_update(cx, tid, sets, Some(values))? {
        Err(b) => Ok(Conflict::Blocked(b)),
        Ok(nt) => {
            p.written.push(nt);
            p.affected += 1;
            if let Some(r) = &plan.returning {
                let row = cx.env(&cx.table.tuples[&nt].values).project(r)?;
                p.rows.push(row);
            }
            Ok(Conflict::Done)
        }
    }
}

/// One row: `Ok(Some)` when it must wait.
fn insert_row(
    cx: &mut Cx,
    plan: &InsertPlan,
    arbiters: &[usize],
    values: Vec<Value>,
    p: &mut Pending,
) -> Result<Option<BlockedOn>, SqlError> {
    'retry: loop {
        if let Some(oc) = &plan.on_conflict {
            for &ui in arbiters {
                let u = &cx.table.def.uniques[ui];
                match cx.table.check_unique(cx.txns, u, &values, cx.snap.me, None) {
                    KeyCheck::Free => {}
                    KeyCheck::Wait(x) => {
                        return Ok(Some(BlockedOn {
                            tuple: None,
                            edges: vec![Edge::Txn(x)],
                        }))
                    }
                    KeyCheck::Conflict(tid) => match on_conflict(cx, oc, plan, tid, &values, p)? {
                        Conflict::Done => return Ok(None),
                        Conflict::Blocked(b) => return Ok(Some(b)),
                        Conflict::Retry => continue 'retry,
                    },
                }
            }
        }
        if let Some(b) = check_keys(cx, &values, None)? {
            return Ok(Some(b));
        }
        let tid = cx.table.push(values, cx.snap.me);
        p.written.push(tid);
        p.affected += 1;
        if let Some(r) = &plan.returning {
            let row = cx.env(&cx.table.tuples[&tid].values).project(r)?;
            p.rows.push(row);
        }
        return Ok(None);
    }
}

/// Runs (or resumes) an `INSERT`.
pub(crate) fn insert(cx: &mut Cx, plan: &InsertPlan, p: &mut Pending) -> Result<Flow, SqlError> {
    let targets = target_columns(cx, plan)?;
    let arbiters = match &plan.on_conflict {
        Some(oc) => arbiters(cx, oc)?,
        None => Vec::new(),
    };
    while p.cursor < plan.rows.len() {
        let values = row_values(cx, plan, &targets, p.cursor)?;
        if let Some(b) = insert_row(cx, plan, &arbiters, values, p)? {
            return Ok(Flow::Blocked(b));
        }
        p.wait = None;
        p.cursor += 1;
    }
    Ok(Flow::Done)
}
