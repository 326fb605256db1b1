//! Model values to and from PostgreSQL's wire types.

use std::error::Error;

use bytes::BytesMut;
use locklab_models::sim::store::sql::Value;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::Row;

type BoxError = Box<dyn Error + Sync + Send>;

/// A parameter: converted to whatever type the server inferred for its `$n`.
#[derive(Debug)]
pub(crate) struct Param<'a>(pub &'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT8 => n.to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => n.to_string().to_sql(ty, out),
                _ => Err(format!("integer parameter for a {ty} placeholder").into()),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// One result row as model values. Unsupported column types are an error naming them.
pub(crate) fn row_values(row: &Row) -> Result<Vec<Value>, String> {
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_();
            let v = match *ty {
                Type::INT2 => row
                    .try_get::<_, Option<i16>>(i)
                    .map(|v| v.map(i64::from).into()),
                Type::INT4 => row
                    .try_get::<_, Option<i32>>(i)
                    .map(|v| v.map(i64::from).into()),
                Type::INT8 => row.try_get::<_, Option<i64>>(i).map(Value::from),
                Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
                    row.try_get::<_, Option<String>>(i).map(Value::from)
                }
                Type::BOOL => row.try_get::<_, Option<bool>>(i).map(Value::from),
                _ => {
                    return Err(format!(
                        "column {i} has type {ty}, which the probe does not decode"
                    ))
                }
            };
            v.map_err(|e| e.to_string())
        })
        .collect()
}
