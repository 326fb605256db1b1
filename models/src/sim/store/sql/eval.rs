//! Expression evaluation over one row, without allocating for column reads.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::error::{sqlstate, SqlError};
use super::plan::{BinOp, ColumnDef, Expr, Projection};
use super::value::Value;

/// What an expression can see: the row, its columns' names, the bound parameters and,
/// in `ON CONFLICT DO UPDATE`, the proposed row (`EXCLUDED`).
#[derive(Clone, Copy)]
pub(crate) struct Env<'a> {
    /// The statement's table (what `table.col` must name).
    pub table: &'a str,
    pub columns: &'a [ColumnDef],
    pub row: &'a [Value],
    pub params: &'a [Value],
    pub excluded: Option<&'a [Value]>,
}

/// The index of column `name`, or `42703`.
pub(crate) fn column_index(columns: &[ColumnDef], name: &str) -> Result<usize, SqlError> {
    columns.iter().position(|c| c.name == name).ok_or_else(|| {
        SqlError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column \"{name}\" does not exist"),
        )
    })
}

fn type_error(op: BinOp, a: &Value, b: &Value) -> SqlError {
    SqlError::new(
        sqlstate::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} {op:?} {}",
            a.type_name(),
            b.type_name()
        ),
    )
}

fn overflow() -> SqlError {
    SqlError::new(sqlstate::NUMERIC_OUT_OF_RANGE, "bigint out of range")
}

impl<'a> Env<'a> {
    /// Evaluates `e`; column and parameter reads borrow.
    pub(crate) fn eval(&self, e: &'a Expr) -> Result<Cow<'a, Value>, SqlError> {
        Ok(match e {
            Expr::Column(name) => Cow::Borrowed(&self.row[column_index(self.columns, name)?]),
            Expr::Qualified(q, name) => {
                if q != self.table {
                    return Err(SqlError::new(
                        sqlstate::UNDEFINED_TABLE,
                        format!("missing FROM-clause entry for table \"{q}\""),
                    ));
                }
                Cow::Borrowed(&self.row[column_index(self.columns, name)?])
            }
            Expr::Excluded(name) => match self.excluded {
                Some(ex) => Cow::Borrowed(&ex[column_index(self.columns, name)?]),
                None => {
                    return Err(SqlError::new(
                        sqlstate::UNDEFINED_COLUMN,
                        "EXCLUDED is only visible in ON CONFLICT DO UPDATE",
                    ))
                }
            },
            Expr::Param(i) => Cow::Borrowed(self.params.get(*i).ok_or_else(|| {
                SqlError::new(
                    sqlstate::UNDEFINED_PARAMETER,
                    format!("there is no parameter ${}", i + 1),
                )
            })?),
            Expr::Lit(v) => Cow::Borrowed(v),
            Expr::Not(inner) => Cow::Owned(match self.eval(inner)?.as_ref() {
                Value::Null => Value::Null,
                Value::Bool(b) => Value::Bool(!b),
                other => {
                    return Err(SqlError::new(
                        sqlstate::DATATYPE_MISMATCH,
                        format!(
                            "argument of NOT must be type boolean, not {}",
                            other.type_name()
                        ),
                    ))
                }
            }),
            Expr::Neg(inner) => Cow::Owned(match self.eval(inner)?.as_ref() {
                Value::Null => Value::Null,
                Value::Int(n) => Value::Int(n.checked_neg().ok_or_else(overflow)?),
                other => {
                    return Err(SqlError::new(
                        sqlstate::UNDEFINED_FUNCTION,
                        format!("operator does not exist: - {}", other.type_name()),
                    ))
                }
            }),
            Expr::IsNull(inner, negated) => {
                Cow::Owned(Value::Bool(self.eval(inner)?.is_null() != *negated))
            }
            Expr::Binary(l, op, r) => Cow::Owned(self.binary(l, *op, r)?),
        })
    }

    fn binary(&self, l: &'a Expr, op: BinOp, r: &'a Expr) -> Result<Value, SqlError> {
        let a = self.eval(l)?;
        if matches!(op, BinOp::And | BinOp::Or) {
            let a = truth(&a, op)?;
            // Kleene logic; short-circuit only when the result is decided.
            match (op, a) {
                (BinOp::And, Some(false)) => return Ok(Value::Bool(false)),
                (BinOp::Or, Some(true)) => return Ok(Value::Bool(true)),
                _ => {}
            }
            let b = truth(self.eval(r)?.as_ref(), op)?;
            return Ok(match (a, b) {
                (Some(x), Some(y)) => Value::Bool(if op == BinOp::And { x && y } else { x || y }),
                (_, Some(false)) if op == BinOp::And => Value::Bool(false),
                (_, Some(true)) if op == BinOp::Or => Value::Bool(true),
                _ => Value::Null,
            });
        }
        let b = self.eval(r)?;
        // A quoted literal is of unknown type in PostgreSQL: it takes the other side's.
        let a = untyped_literal(l, a, &b)?;
        let b = untyped_literal(r, b, &a)?;
        let (a, b) = (a.as_ref(), b.as_ref());
        if a.is_null() || b.is_null() {
            return Ok(Value::Null);
        }
        let arith = |f: fn(i64, i64) -> Option<i64>| match (a, b) {
            (Value::Int(x), Value::Int(y)) => f(*x, *y).map(Value::Int).ok_or_else(overflow),
            _ => Err(type_error(op, a, b)),
        };
        let cmp = |want: fn(Ordering) -> bool| {
            a.sql_cmp(b)
                .map(|o| Value::Bool(want(o)))
                .ok_or_else(|| type_error(op, a, b))
        };
        match op {
            BinOp::Add => arith(i64::checked_add),
            BinOp::Sub => arith(i64::checked_sub),
            BinOp::Mul => arith(i64::checked_mul),
            BinOp::Eq => cmp(|o| o == Ordering::Equal),
            BinOp::Ne => cmp(|o| o != Ordering::Equal),
            BinOp::Lt => cmp(|o| o == Ordering::Less),
            BinOp::Le => cmp(|o| o != Ordering::Greater),
            BinOp::Gt => cmp(|o| o == Ordering::Greater),
            BinOp::Ge => cmp(|o| o != Ordering::Less),
            BinOp::And | BinOp::Or => unreachable!("handled above"),
        }
    }

    /// A `WHERE` clause: only `true` passes (`NULL` does not).
    pub(crate) fn matches(&self, filter: Option<&'a Expr>) -> Result<bool, SqlError> {
        match filter {
            None => Ok(true),
            Some(e) => Ok(truth(self.eval(e)?.as_ref(), BinOp::And)? == Some(true)),
        }
    }

    /// One output row of `projection`.
    pub(crate) fn project(&self, projection: &'a Projection) -> Result<Vec<Value>, SqlError> {
        match projection {
            Projection::Star => Ok(self.row.to_vec()),
            Projection::Exprs(exprs) => exprs
                .iter()
                .map(|e| self.eval(e).map(Cow::into_owned))
                .collect(),
        }
    }
}

/// `v` (the value of `e`) converted to `other`'s type when `e` is a string literal
/// and `other` an integer or boolean, as PostgreSQL types an unknown literal.
fn untyped_literal<'a>(
    e: &Expr,
    v: Cow<'a, Value>,
    other: &Value,
) -> Result<Cow<'a, Value>, SqlError> {
    let (Expr::Lit(Value::Text(s)), Value::Int(_) | Value::Bool(_)) = (e, other) else {
        return Ok(v);
    };
    let bad = |ty: &str| {
        SqlError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type {ty}: \"{s}\""),
        )
    };
    Ok(Cow::Owned(match other {
        Value::Int(_) => Value::Int(s.trim().parse().map_err(|_| bad("integer"))?),
        _ => match s.trim().to_lowercase().as_str() {
            "t" | "true" | "yes" | "on" | "1" => Value::Bool(true),
            "f" | "false" | "no" | "off" | "0" => Value::Bool(false),
            _ => return Err(bad("boolean")),
        },
    }))
}

fn truth(v: &Value, op: BinOp) -> Result<Option<bool>, SqlError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(SqlError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!(
                "argument of {} must be type boolean, not type {}",
                if op == BinOp::Or { "OR" } else { "AND/WHERE" },
                other.type_name()
            ),
        )),
    }
}
