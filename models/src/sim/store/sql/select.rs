//! `SELECT`: snapshot reads, aggregates, and `FOR UPDATE`/`FOR SHARE` row locking
//! applied after `ORDER BY` and before `LIMIT`, as PostgreSQL's LockRows node is.

use std::cmp::Ordering;

use super::error::SqlError;
use super::eval::Env;
use super::heap::Tid;
use super::plan::{Agg, Expr, OrderKey, SelectPlan};
use super::rowlock::{Cx, Flow, Lock};
use super::session::Pending;
use super::value::Value;

/// The `LIMIT`, if any (`NULL`: none).
pub(crate) fn limit(cx: &Cx, e: Option<&Expr>) -> Result<Option<usize>, SqlError> {
    let Some(e) = e else { return Ok(None) };
    match cx.env(&[]).eval(e)?.as_ref() {
        Value::Null => Ok(None),
        Value::Int(n) if *n >= 0 => Ok(Some(*n as usize)),
        Value::Int(_) => Err(SqlError::new("2201W", "LIMIT must not be negative")),
        other => Err(SqlError::new(
            super::error::sqlstate::DATATYPE_MISMATCH,
            format!(
                "argument of LIMIT must be type bigint, not type {}",
                other.type_name()
            ),
        )),
    }
}

fn compare_keys(a: &[Value], b: &[Value], order: &[OrderKey]) -> Ordering {
    for ((x, y), k) in a.iter().zip(b).zip(order) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) if k.nulls_first => Ordering::Less,
            (true, false) => Ordering::Greater,
            (false, true) if k.nulls_first => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let o = x.sql_cmp(y).unwrap_or(Ordering::Equal);
                if k.desc {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Visible rows matching `filter`, sorted by `order` (ties in scan order).
pub(crate) fn candidates(
    cx: &Cx,
    filter: Option<&Expr>,
    order: &[OrderKey],
) -> Result<Vec<Tid>, SqlError> {
    let mut keyed: Vec<(Vec<Value>, Tid)> = Vec::new();
    let mut plain: Vec<Tid> = Vec::new();
    for (tid, t) in cx.table.visible(cx.txns, cx.snap) {
        let env = cx.env(&t.values);
        if !env.matches(filter)? {
            continue;
        }
        if order.is_empty() {
            plain.push(tid);
        } else {
            let key = order
                .iter()
                .map(|k| env.eval(&k.expr).map(|v| v.into_owned()))
                .collect::<Result<_, _>>()?;
            keyed.push((key, tid));
        }
    }
    if order.is_empty() {
        return Ok(plain);
    }
    keyed.sort_by(|a, b| compare_keys(&a.0, &b.0, order).then(a.1.cmp(&b.1)));
    Ok(keyed.into_iter().map(|(_, t)| t).collect())
}

fn aggregate(cx: &Cx, plan: &SelectPlan) -> Result<Vec<Value>, SqlError> {
    let mut out = Vec::with_capacity(plan.aggs.len());
    for agg in &plan.aggs {
        let mut acc = match agg {
            Agg::CountStar | Agg::Count(_) => Value::Int(0),
            _ => Value::Null,
        };
        for (_, t) in cx.table.visible(cx.txns, cx.snap) {
            let env: Env = cx.env(&t.values);
            if !env.matches(plan.filter.as_ref())? {
                continue;
            }
            let arg = match agg {
                Agg::CountStar => {
                    if let Value::Int(n) = &mut acc {
                        *n += 1;
                    }
                    continue;
                }
                Agg::Count(e) | Agg::Sum(e) | Agg::Min(e) | Agg::Max(e) => env.eval(e)?,
            };
            if arg.is_null() {
                continue;
            }
            acc = match (agg, acc, arg.as_ref()) {
                (Agg::Count(_), Value::Int(n), _) => Value::Int(n + 1),
                (Agg::Sum(_), Value::Null, Value::Int(x)) => Value::Int(*x),
                (Agg::Sum(_), Value::Int(n), Value::Int(x)) => {
                    Value::Int(n.checked_add(*x).ok_or_else(|| {
                        SqlError::new(
                            super::error::sqlstate::NUMERIC_OUT_OF_RANGE,
                            "bigint out of range",
                        )
                    })?)
                }
                (Agg::Sum(_), _, other) => {
                    return Err(SqlError::new(
                        super::error::sqlstate::UNDEFINED_FUNCTION,
                        format!("function sum({}) does not exist", other.type_name()),
                    ))
                }
                (Agg::Min(_), Value::Null, x) | (Agg::Max(_), Value::Null, x) => x.clone(),
                (Agg::Min(_), cur, x) => match x.sql_cmp(&cur) {
                    Some(Ordering::Less) => x.clone(),
                    _ => cur,
                },
                (Agg::Max(_), cur, x) => match x.sql_cmp(&cur) {
                    Some(Ordering::Greater) => x.clone(),
                    _ => cur,
                },
                (_, cur, _) => cur,
            };
        }
        out.push(acc);
    }
    Ok(out)
}

/// Runs (or resumes) a `SELECT`.
pub(crate) fn select(cx: &mut Cx, plan: &SelectPlan, p: &mut Pending) -> Result<Flow, SqlError> {
    if !plan.aggs.is_empty() {
        p.rows.push(aggregate(cx, plan)?);
        p.affected = 1;
        return Ok(Flow::Done);
    }
    let limit = limit(cx, plan.limit.as_ref())?;
    if !p.started {
        p.cands = candidates(cx, plan.filter.as_ref(), &plan.order)?;
        p.started = true;
    }
    let Some((strength, policy)) = plan.lock else {
        for &tid in p.cands.iter().take(limit.unwrap_or(usize::MAX)) {
            let row = cx
                .env(&cx.table.tuples[&tid].values)
                .project(&plan.projection)?;
            p.rows.push(row);
        }
        p.affected = p.rows.len() as u64;
        return Ok(Flow::Done);
    };
    while p.cursor < p.cands.len() && limit.is_none_or(|n| p.rows.len() < n) {
        let tid = p.cands[p.cursor];
        match cx.lock_row(p.wait.as_ref(), tid, strength, policy, plan.filter.as_ref())? {
            Lock::Blocked(b) => return Ok(Flow::Blocked(b)),
            Lock::Skip => {}
            Lock::Got(t) => {
                cx.table.lock(t, cx.snap.me, strength);
                let row = cx
                    .env(&cx.table.tuples[&t].values)
                    .project(&plan.projection)?;
                p.rows.push(row);
            }
        }
        p.wait = None;
        p.cursor += 1;
    }
    p.affected = p.rows.len() as u64;
    Ok(Flow::Done)
}
