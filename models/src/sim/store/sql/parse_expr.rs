//! Lowering sqlparser expressions into the model's [`Expr`].

use sqlparser::ast::{self, BinaryOperator, UnaryOperator};

use super::error::{sqlstate, SqlError};
use super::plan::{Agg, BinOp, Expr};
use super::value::Value;

/// PostgreSQL folds unquoted identifiers to lower case.
pub(crate) fn ident(id: &ast::Ident) -> String {
    match id.quote_style {
        Some(_) => id.value.clone(),
        None => id.value.to_lowercase(),
    }
}

/// A table name: one identifier (the run's schema is on the search path).
pub(crate) fn object_name(name: &ast::ObjectName) -> Result<String, SqlError> {
    match name.0.as_slice() {
        [ast::ObjectNamePart::Identifier(id)] => Ok(ident(id)),
        _ => Err(SqlError::unsupported(format!(
            "qualified or computed name {name}"
        ))),
    }
}

/// A scalar expression. Aggregates are rejected here (see [`aggregate`]).
pub(crate) fn expr(e: &ast::Expr) -> Result<Expr, SqlError> {
    use ast::Expr as E;
    Ok(match e {
        E::Identifier(id) => Expr::Column(ident(id)),
        E::CompoundIdentifier(parts) => match parts.as_slice() {
            [q, col] if ident(q) == "excluded" => Expr::Excluded(ident(col)),
            [q, col] => Expr::Qualified(ident(q), ident(col)),
            _ => {
                return Err(SqlError::unsupported(format!(
                    "qualified column reference {e}"
                )))
            }
        },
        E::Nested(inner) => expr(inner)?,
        E::Value(v) => literal(&v.value)?,
        E::IsNull(inner) => Expr::IsNull(Box::new(expr(inner)?), false),
        E::IsNotNull(inner) => Expr::IsNull(Box::new(expr(inner)?), true),
        E::UnaryOp { op, expr: inner } => match op {
            UnaryOperator::Not => Expr::Not(Box::new(expr(inner)?)),
            UnaryOperator::Minus => match expr(inner)? {
                Expr::Lit(Value::Int(n)) => Expr::Lit(Value::Int(-n)),
                other => Expr::Neg(Box::new(other)),
            },
            UnaryOperator::Plus => expr(inner)?,
            other => return Err(SqlError::unsupported(format!("operator {other}"))),
        },
        E::BinaryOp { left, op, right } => {
            let op = match op {
                BinaryOperator::Plus => BinOp::Add,
                BinaryOperator::Minus => BinOp::Sub,
                BinaryOperator::Multiply => BinOp::Mul,
                BinaryOperator::Eq => BinOp::Eq,
                BinaryOperator::NotEq => BinOp::Ne,
                BinaryOperator::Lt => BinOp::Lt,
                BinaryOperator::LtEq => BinOp::Le,
                BinaryOperator::Gt => BinOp::Gt,
                BinaryOperator::GtEq => BinOp::Ge,
                BinaryOperator::And => BinOp::And,
                BinaryOperator::Or => BinOp::Or,
                other => return Err(SqlError::unsupported(format!("operator {other}"))),
            };
            Expr::Binary(Box::new(expr(left)?), op, Box::new(expr(right)?))
        }
        E::Function(f) => {
            return Err(SqlError::unsupported(format!(
                "function {} in this position (only count/sum/min/max as select items)",
                f.name
            )))
        }
        E::Subquery(_) | E::Exists { .. } => {
            return Err(SqlError::unsupported(format!("subquery {e}")))
        }
        other => return Err(SqlError::unsupported(format!("expression {other}"))),
    })
}

fn literal(v: &ast::Value) -> Result<Expr, SqlError> {
    Ok(Expr::Lit(match v {
        ast::Value::Number(n, _) => Value::Int(
            n.parse()
                .map_err(|_| SqlError::unsupported(format!("number {n} (only 64-bit integers)")))?,
        ),
        ast::Value::SingleQuotedString(s) => Value::Text(s.clone()),
        ast::Value::Boolean(b) => Value::Bool(*b),
        ast::Value::Null => Value::Null,
        ast::Value::Placeholder(p) => {
            let n: usize = p
                .strip_prefix('$')
                .and_then(|d| d.parse().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    SqlError::new(
                        sqlstate::SYNTAX_ERROR,
                        format!("parameter {p}: only $1, $2, … are supported"),
                    )
                })?;
            return Ok(Expr::Param(n - 1));
        }
        other => return Err(SqlError::unsupported(format!("literal {other}"))),
    }))
}

/// A select item that is an aggregate call, if it is one.
pub(crate) fn aggregate(e: &ast::Expr) -> Result<Option<Agg>, SqlError> {
    let ast::Expr::Function(f) = e else {
        return Ok(None);
    };
    let name = object_name(&f.name)?;
    if !matches!(name.as_str(), "count" | "sum" | "min" | "max") {
        return Err(SqlError::unsupported(format!(
            "function {name} (only count, sum, min and max, as select items)"
        )));
    }
    let args = match &f.args {
        ast::FunctionArguments::List(list)
            if list.duplicate_treatment.is_none() && list.clauses.is_empty() =>
        {
            &list.args
        }
        ast::FunctionArguments::None => {
            return Err(SqlError::unsupported(format!("function {name} without ()")))
        }
        _ => return Err(SqlError::unsupported(format!("arguments of {e}"))),
    };
    if f.filter.is_some() || f.over.is_some() || !f.within_group.is_empty() {
        return Err(SqlError::unsupported(format!("aggregate modifiers in {e}")));
    }
    let arg = match args.as_slice() {
        [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard)] if name == "count" => {
            return Ok(Some(Agg::CountStar))
        }
        [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(a))] => expr(a)?,
        _ => return Err(SqlError::unsupported(format!("arguments of {e}"))),
    };
    Ok(Some(match name.as_str() {
        "count" => Agg::Count(arg),
        "sum" => Agg::Sum(arg),
        "min" => Agg::Min(arg),
        "max" => Agg::Max(arg),
        _ => return Err(SqlError::unsupported(format!("function {name}"))),
    }))
}
