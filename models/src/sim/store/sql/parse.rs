//! [`Statement::parse`]: SQL text to a prepared plan, once per statement.

use sqlparser::ast::{self, SetExpr, TransactionIsolationLevel, TransactionMode};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::error::{sqlstate, SqlError};
use super::parse_ddl::create_table;
use super::parse_expr::{aggregate, expr, ident, object_name};
use super::plan::{
    ConflictAction, DeletePlan, InsertPlan, Isolation, OnConflict, OrderKey, Plan, Projection,
    SelectPlan, Strength, UpdatePlan, WaitPolicy,
};

/// One SQL statement, parsed and lowered once; execute it any number of times with
/// [`Db::execute`](super::Db::execute). Parsing is the expensive part, so a scheme
/// parses its statements when it builds its model, not inside steps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Statement {
    sql: String,
    pub(crate) plan: Plan,
}

impl Statement {
    /// Parses one statement (PostgreSQL dialect). Errors: `42601` when the text does
    /// not parse, `0A000` naming the construct when it parses but the model does not
    /// implement it.
    pub fn parse(sql: &str) -> Result<Statement, SqlError> {
        let mut stmts = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .map_err(|e| SqlError::new(sqlstate::SYNTAX_ERROR, e.to_string()))?;
        if stmts.len() != 1 {
            return Err(SqlError::new(
                sqlstate::SYNTAX_ERROR,
                format!("expected exactly one statement, found {}", stmts.len()),
            ));
        }
        let plan = lower(&stmts.remove(0))?;
        Ok(Statement {
            sql: sql.to_owned(),
            plan,
        })
    }

    /// The SQL text it was parsed from.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Whether the order of the rows it returns is defined: a `SELECT … ORDER BY`
    /// (or an aggregate, one row). Any other statement's rows come in whatever order
    /// the plan meets them; on PostgreSQL that depends on indexes and HOT chains the
    /// model does not have, so a comparison with a server takes them as a multiset.
    pub fn orders_its_rows(&self) -> bool {
        matches!(&self.plan, Plan::Select(s) if !s.order.is_empty() || !s.aggs.is_empty())
    }

    /// Whether it is `BEGIN`, `COMMIT` or `ROLLBACK`.
    pub fn is_transaction_control(&self) -> bool {
        matches!(self.plan, Plan::Begin(_) | Plan::Commit | Plan::Rollback)
    }
}

fn lower(stmt: &ast::Statement) -> Result<Plan, SqlError> {
    use ast::Statement as S;
    match stmt {
        S::StartTransaction {
            modes,
            statements,
            exception,
            modifier,
            ..
        } => {
            if !statements.is_empty() || exception.is_some() || modifier.is_some() {
                return Err(SqlError::unsupported(format!("transaction form {stmt}")));
            }
            let mut iso = None;
            for mode in modes {
                iso = Some(match mode {
                    TransactionMode::IsolationLevel(TransactionIsolationLevel::ReadCommitted) => {
                        Isolation::ReadCommitted
                    }
                    TransactionMode::IsolationLevel(TransactionIsolationLevel::RepeatableRead) => {
                        Isolation::RepeatableRead
                    }
                    other => {
                        return Err(SqlError::unsupported(format!("transaction mode {other}")))
                    }
                });
            }
            Ok(Plan::Begin(iso))
        }
        S::Commit {
            chain: false,
            end: false,
            modifier: None,
        } => Ok(Plan::Commit),
        S::Rollback {
            chain: false,
            savepoint: None,
        } => Ok(Plan::Rollback),
        S::Commit { .. } | S::Rollback { .. } => {
            Err(SqlError::unsupported(format!("transaction form {stmt}")))
        }
        S::CreateTable(ct) => Ok(Plan::CreateTable(create_table(ct)?)),
        S::Query(q) => Ok(Plan::Select(select(q)?)),
        S::Insert(ins) => Ok(Plan::Insert(insert(ins)?)),
        S::Update(up) => Ok(Plan::Update(update(up)?)),
        S::Delete(del) => Ok(Plan::Delete(delete(del)?)),
        other => Err(SqlError::unsupported(format!(
            "statement {}",
            other
                .to_string()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        ))),
    }
}

fn single_table(from: &[ast::TableWithJoins]) -> Result<String, SqlError> {
    match from {
        [ast::TableWithJoins { relation, joins }] if joins.is_empty() => match relation {
            ast::TableFactor::Table {
                name, alias: None, ..
            } => object_name(name),
            other => Err(SqlError::unsupported(format!("table reference {other}"))),
        },
        [] => Err(SqlError::unsupported("SELECT without FROM")),
        _ => Err(SqlError::unsupported("joins or several tables in FROM")),
    }
}

fn projection(items: &[ast::SelectItem]) -> Result<Projection, SqlError> {
    if let [ast::SelectItem::Wildcard(_)] = items {
        return Ok(Projection::Star);
    }
    items
        .iter()
        .map(|item| match item {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                expr(e)
            }
            other => Err(SqlError::unsupported(format!("select item {other}"))),
        })
        .collect::<Result<_, _>>()
        .map(Projection::Exprs)
}

fn returning(items: &Option<Vec<ast::SelectItem>>) -> Result<Option<Projection>, SqlError> {
    items.as_deref().map(projection).transpose()
}

fn select(q: &ast::Query) -> Result<SelectPlan, SqlError> {
    if q.with.is_some() || q.fetch.is_some() || q.for_clause.is_some() {
        return Err(SqlError::unsupported("WITH, FETCH or FOR clauses"));
    }
    let SetExpr::Select(s) = q.body.as_ref() else {
        return Err(SqlError::unsupported(format!("query form {}", q.body)));
    };
    let group_by_empty =
        matches!(&s.group_by, ast::GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty());
    if s.distinct.is_some() || !group_by_empty || s.having.is_some() || s.into.is_some() {
        return Err(SqlError::unsupported("DISTINCT, GROUP BY, HAVING or INTO"));
    }
    let table = single_table(&s.from)?;
    let mut aggs = Vec::new();
    for item in &s.projection {
        let e = match item {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => continue,
        };
        if let Some(agg) = aggregate(e)? {
            aggs.push(agg);
        } else if !aggs.is_empty() {
            return Err(SqlError::unsupported("aggregates mixed with plain columns"));
        }
    }
    let projection = if aggs.is_empty() {
        projection(&s.projection)?
    } else if aggs.len() == s.projection.len() {
        Projection::Exprs(Vec::new())
    } else {
        return Err(SqlError::unsupported("aggregates mixed with plain columns"));
    };
    let order = match &q.order_by {
        None => Vec::new(),
        Some(ast::OrderBy {
            kind: ast::OrderByKind::Expressions(keys),
            interpolate: None,
        }) => keys
            .iter()
            .map(|k| {
                let desc = match k.options.sort {
                    None | Some(ast::OrderBySort::Asc) => false,
                    Some(ast::OrderBySort::Desc) => true,
                    Some(_) => return Err(SqlError::unsupported("ORDER BY … USING")),
                };
                Ok(OrderKey {
                    expr: expr(&k.expr)?,
                    desc,
                    nulls_first: k.options.nulls_first.unwrap_or(desc),
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(SqlError::unsupported(format!("ORDER BY form {other}"))),
    };
    let limit = match &q.limit_clause {
        None => None,
        Some(ast::LimitClause::LimitOffset {
            limit,
            offset: None,
            limit_by,
        }) if limit_by.is_empty() => limit.as_ref().map(expr).transpose()?,
        Some(_) => return Err(SqlError::unsupported("OFFSET")),
    };
    let lock = match q.locks.as_slice() {
        [] => None,
        [ast::LockClause {
            lock_type,
            of: None,
            nonblock,
        }] => {
            if !aggs.is_empty() {
                return Err(SqlError::unsupported(
                    "FOR UPDATE/SHARE with aggregate functions (PostgreSQL rejects it too)",
                ));
            }
            let strength = match lock_type {
                ast::LockType::Update => Strength::Exclusive,
                ast::LockType::Share => Strength::Share,
            };
            let policy = match nonblock {
                None => WaitPolicy::Wait,
                Some(ast::NonBlock::Nowait) => WaitPolicy::NoWait,
                Some(ast::NonBlock::SkipLocked) => WaitPolicy::SkipLocked,
            };
            Some((strength, policy))
        }
        _ => return Err(SqlError::unsupported("several locking clauses or FOR … OF")),
    };
    Ok(SelectPlan {
        table,
        projection,
        aggs,
        filter: s.selection.as_ref().map(expr).transpose()?,
        order,
        limit,
        lock,
    })
}

fn assignments(sets: &[ast::Assignment]) -> Result<Vec<(String, ast::Expr)>, SqlError> {
    sets.iter()
        .map(|a| match &a.target {
            ast::AssignmentTarget::ColumnName(name) => Ok((object_name(name)?, a.value.clone())),
            other => Err(SqlError::unsupported(format!("assignment target {other}"))),
        })
        .collect()
}

fn lowered_sets(sets: &[ast::Assignment]) -> Result<Vec<(String, super::plan::Expr)>, SqlError> {
    assignments(sets)?
        .into_iter()
        .map(|(c, e)| Ok((c, expr(&e)?)))
        .collect()
}

fn insert(ins: &ast::Insert) -> Result<InsertPlan, SqlError> {
    let ast::TableObject::TableName(name) = &ins.table else {
        return Err(SqlError::unsupported("INSERT into a table function"));
    };
    if ins.table_alias.is_some() || ins.or.is_some() || ins.overriding.is_some() {
        return Err(SqlError::unsupported("INSERT with an alias or OVERRIDING"));
    }
    let columns = ins
        .columns
        .iter()
        .map(object_name)
        .collect::<Result<Vec<_>, _>>()?;
    let rows = match ins.source.as_ref().map(|q| (q, q.body.as_ref())) {
        Some((q, SetExpr::Values(values)))
            if q.order_by.is_none() && q.limit_clause.is_none() && q.with.is_none() =>
        {
            values
                .rows
                .iter()
                .map(|row| row.content.iter().map(expr).collect::<Result<Vec<_>, _>>())
                .collect::<Result<Vec<_>, _>>()?
        }
        Some(_) => return Err(SqlError::unsupported("INSERT … SELECT")),
        None => return Err(SqlError::unsupported("INSERT without VALUES")),
    };
    let on_conflict = match &ins.on {
        None => None,
        Some(ast::OnInsert::OnConflict(oc)) => {
            let target = match &oc.conflict_target {
                None => None,
                Some(ast::ConflictTarget::Columns {
                    columns,
                    predicate: None,
                }) => Some(columns.iter().map(ident).collect()),
                Some(other) => {
                    return Err(SqlError::unsupported(format!("conflict target {other}")))
                }
            };
            let action = match &oc.action {
                ast::OnConflictAction::DoNothing => ConflictAction::Nothing,
                ast::OnConflictAction::DoUpdate(du) => {
                    if target.is_none() {
                        return Err(SqlError::new(
                            sqlstate::SYNTAX_ERROR,
                            "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                        ));
                    }
                    ConflictAction::Update {
                        sets: lowered_sets(&du.assignments)?,
                        filter: du.selection.as_ref().map(expr).transpose()?,
                    }
                }
            };
            Some(OnConflict { target, action })
        }
        Some(other) => return Err(SqlError::unsupported(format!("insert clause {other}"))),
    };
    Ok(InsertPlan {
        table: object_name(name)?,
        columns,
        rows,
        on_conflict,
        returning: returning(&ins.returning)?,
    })
}

fn update(up: &ast::Update) -> Result<UpdatePlan, SqlError> {
    if up.from.is_some() || !up.order_by.is_empty() || up.limit.is_some() || up.or.is_some() {
        return Err(SqlError::unsupported("UPDATE … FROM, ORDER BY or LIMIT"));
    }
    Ok(UpdatePlan {
        table: single_table(std::slice::from_ref(&up.table))?,
        sets: lowered_sets(&up.assignments)?,
        filter: up.selection.as_ref().map(expr).transpose()?,
        returning: returning(&up.returning)?,
    })
}

fn delete(del: &ast::Delete) -> Result<DeletePlan, SqlError> {
    if !del.tables.is_empty()
        || del.using.is_some()
        || !del.order_by.is_empty()
        || del.limit.is_some()
    {
        return Err(SqlError::unsupported("DELETE … USING, ORDER BY or LIMIT"));
    }
    let from = match &del.from {
        ast::FromTable::WithFromKeyword(f) | ast::FromTable::WithoutKeyword(f) => f,
    };
    Ok(DeletePlan {
        table: single_table(from)?,
        filter: del.selection.as_ref().map(expr).transpose()?,
        returning: returning(&del.returning)?,
    })
}
