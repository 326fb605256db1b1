//! `UPDATE` and `DELETE`: candidates from the statement's snapshot, each locked (and
//! re-checked after a wait) before it is written; unique keys checked on change.

use super::coerce::coerce;
use super::error::{sqlstate, SqlError};
use super::eval::{column_index, Env};
use super::heap::{KeyCheck, Tid};
use super::plan::{DeletePlan, Expr, Strength, UpdatePlan, WaitPolicy};
use super::rowlock::{BlockedOn, Cx, Flow, Lock};
use super::select::candidates;
use super::session::{Edge, Pending};
use super::value::Value;

/// `23505` for constraint `name`.
pub(crate) fn unique_violation(name: &str) -> SqlError {
    SqlError::new(
        sqlstate::UNIQUE_VIOLATION,
        format!("duplicate key value violates unique constraint \"{name}\""),
    )
}

/// Checks every unique constraint of `values` (only those whose columns differ from
/// `old`, when replacing `skip`). `Ok(Some)`: must wait for that transaction.
pub(crate) fn check_keys(
    cx: &Cx,
    values: &[Value],
    old: Option<(&[Value], Tid)>,
) -> Result<Option<BlockedOn>, SqlError> {
    for u in &cx.table.def.uniques {
        if let Some((old, _)) = old {
            if u.columns.iter().all(|&c| old[c] == values[c]) {
                continue;
            }
        }
        match cx
            .table
            .check_unique(cx.txns, u, values, cx.snap.me, old.map(|o| o.1))
        {
            KeyCheck::Free => {}
            KeyCheck::Wait(x) => {
                return Ok(Some(BlockedOn {
                    tuple: None,
                    edges: vec![Edge::Txn(x)],
                }))
            }
            KeyCheck::Conflict(_) => return Err(unique_violation(&u.name)),
        }
    }
    Ok(None)
}

/// Writes a new version of `tid` with `sets` applied (`excluded`: the proposed row of
/// `ON CONFLICT DO UPDATE`). `Ok(Err)`: a changed unique key must wait.
pub(crate) fn apply_update(
    cx: &mut Cx,
    tid: Tid,
    sets: &[(String, Expr)],
    excluded: Option<&[Value]>,
) -> Result<Result<Tid, BlockedOn>, SqlError> {
    let old = &cx.table.tuples[&tid].values;
    let mut new = old.clone();
    let env = Env {
        excluded,
        ..cx.env(old)
    };
    for (col, e) in sets {
        let i = column_index(&cx.table.def.columns, col)?;
        let v = env.eval(e)?.into_owned();
        new[i] = coerce(cx.table_name, &cx.table.def.columns[i], v)?;
    }
    if let Some(b) = check_keys(cx, &new, Some((old, tid)))? {
        return Ok(Err(b));
    }
    let me = cx.snap.me;
    let nt = cx.table.push(new, me);
    let t = cx.table.tuples.get_mut(&tid).expect("updated tuple exists");
    t.xmax = Some(me);
    t.next = Some(nt);
    t.lockers.retain(|(x, _)| *x != me);
    Ok(Ok(nt))
}

fn start(cx: &Cx, filter: Option<&Expr>, p: &mut Pending) -> Result<(), SqlError> {
    if !p.started {
        p.cands = candidates(cx, filter, &[])?;
        p.started = true;
    }
    Ok(())
}

/// Runs (or resumes) an `UPDATE`.
pub(crate) fn update(cx: &mut Cx, plan: &UpdatePlan, p: &mut Pending) -> Result<Flow, SqlError> {
    for (col, _) in &plan.sets {
        column_index(&cx.table.def.columns, col)?;
    }
    start(cx, plan.filter.as_ref(), p)?;
    while p.cursor < p.cands.len() {
        let tid = p.cands[p.cursor];
        let lock = cx.lock_row(
            p.wait.as_ref(),
            tid,
            Strength::Exclusive,
            WaitPolicy::Wait,
            plan.filter.as_ref(),
        )?;
        match lock {
            Lock::Blocked(b) => return Ok(Flow::Blocked(b)),
            Lock::Skip => {}
            Lock::Got(t) => match apply_update(cx, t, &plan.sets, None)? {
                Err(b) => return Ok(Flow::Blocked(b)),
                Ok(nt) => {
                    p.written.push(nt);
                    p.affected += 1;
                    if let Some(r) = &plan.returning {
                        let row = cx.env(&cx.table.tuples[&nt].values).project(r)?;
                        p.rows.push(row);
                    }
                }
            },
        }
        p.wait = None;
        p.cursor += 1;
    }
    Ok(Flow::Done)
}

/// Runs (or resumes) a `DELETE`.
pub(crate) fn delete(cx: &mut Cx, plan: &DeletePlan, p: &mut Pending) -> Result<Flow, SqlError> {
    start(cx, plan.filter.as_ref(), p)?;
    while p.cursor < p.cands.len() {
        let tid = p.cands[p.cursor];
        let lock = cx.lock_row(
            p.wait.as_ref(),
            tid,
            Strength::Exclusive,
            WaitPolicy::Wait,
            plan.filter.as_ref(),
        )?;
        match lock {
            Lock::Blocked(b) => return Ok(Flow::Blocked(b)),
            Lock::Skip => {}
            Lock::Got(t) => {
                if let Some(r) = &plan.returning {
                    let row = cx.env(&cx.table.tuples[&t].values).project(r)?;
                    p.rows.push(row);
                }
                let me = cx.snap.me;
                let tuple = cx.table.tuples.get_mut(&t).expect("deleted tuple exists");
                tuple.xmax = Some(me);
                tuple.next = None;
                p.affected += 1;
            }
        }
        p.wait = None;
        p.cursor += 1;
    }
    Ok(Flow::Done)
}
