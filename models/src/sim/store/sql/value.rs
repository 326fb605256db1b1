//! Values and column types: the four kinds of data locking schemes keep in rows.

use std::cmp::Ordering;
use std::fmt;

/// One SQL value. `Int` holds both `int` and `bigint` columns (an `int` column rejects
/// values outside the 32-bit range on write, as PostgreSQL does).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// `int`, `integer`, `bigint`, and the results of `count`/`sum`.
    Int(i64),
    /// `text` or `varchar`.
    Text(String),
    /// `boolean`.
    Bool(bool),
}

impl Value {
    /// Whether this is SQL `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The integer, if this is one (`None` for `NULL`, text or a boolean).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "unknown",
            Value::Int(_) => "bigint",
            Value::Text(_) => "text",
            Value::Bool(_) => "boolean",
        }
    }

    /// SQL comparison: `None` when either side is `NULL` or the types differ.
    pub(crate) fn sql_cmp(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Text(a), Value::Text(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Text(v) => write!(f, "'{v}'"),
            Value::Bool(v) => f.write_str(if *v { "true" } else { "false" }),
        }
    }
}

/// Rows as the timeline and the server comparison print them: `(7, 'S1') (8, NULL)`.
pub fn rows_text(rows: &[Vec<Value>]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(Value::to_string).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    rows.join(" ")
}

/// A column's declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// `int` / `integer` / `int4`: 32-bit.
    Int,
    /// `bigint` / `int8`: 64-bit.
    BigInt,
    /// `text` / `varchar`.
    Text,
    /// `boolean` / `bool`.
    Bool,
}

impl ColumnType {
    /// PostgreSQL's name for the type, for error messages.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Int => "integer",
            ColumnType::BigInt => "bigint",
            ColumnType::Text => "text",
            ColumnType::Bool => "boolean",
        }
    }
}
