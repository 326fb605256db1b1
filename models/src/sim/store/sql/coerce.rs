//! Storing a value into a typed column: the checks PostgreSQL makes on write.

use super::error::{sqlstate, SqlError};
use super::plan::ColumnDef;
use super::value::{ColumnType, Value};

/// `v` as stored in `col`: range-checked for `int`, string literals parsed for
/// numeric and boolean columns, other type mismatches rejected (`42804`), `NULL` in a
/// `NOT NULL` column rejected (`23502`).
pub(crate) fn coerce(table: &str, col: &ColumnDef, v: Value) -> Result<Value, SqlError> {
    let mismatch = |v: &Value| {
        SqlError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!(
                "column \"{}\" is of type {} but expression is of type {}",
                col.name,
                col.ty.name(),
                v.type_name()
            ),
        )
    };
    let bad_text = |s: &str| {
        SqlError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type {}: \"{s}\"", col.ty.name()),
        )
    };
    let v = match (col.ty, v) {
        (_, Value::Null) => {
            if col.not_null {
                return Err(SqlError::new(
                    sqlstate::NOT_NULL_VIOLATION,
                    format!(
                        "null value in column \"{}\" of relation \"{table}\" violates not-null constraint",
                        col.name
                    ),
                ));
            }
            Value::Null
        }
        (ColumnType::Int | ColumnType::BigInt, Value::Text(s)) => {
            Value::Int(s.trim().parse().map_err(|_| bad_text(&s))?)
        }
        (ColumnType::Bool, Value::Text(s)) => match s.trim().to_lowercase().as_str() {
            "t" | "true" | "yes" | "on" | "1" => Value::Bool(true),
            "f" | "false" | "no" | "off" | "0" => Value::Bool(false),
            _ => return Err(bad_text(&s)),
        },
        (ColumnType::Int | ColumnType::BigInt, v @ Value::Int(_))
        | (ColumnType::Text, v @ Value::Text(_))
        | (ColumnType::Bool, v @ Value::Bool(_)) => v,
        (_, v) => return Err(mismatch(&v)),
    };
    if let (ColumnType::Int, Value::Int(n)) = (col.ty, &v) {
        if i32::try_from(*n).is_err() {
            return Err(SqlError::new(
                sqlstate::NUMERIC_OUT_OF_RANGE,
                "integer out of range",
            ));
        }
    }
    Ok(v)
}
