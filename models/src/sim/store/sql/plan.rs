//! Prepared plans: what a parsed statement says, resolved once, executed many times.

use super::value::{ColumnType, Value};

/// A scalar expression over one row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Expr {
    /// A column of the statement's table, by name.
    Column(String),
    /// `table.col`: must name the statement's table (checked when evaluated).
    Qualified(String, String),
    /// `EXCLUDED.col` in `ON CONFLICT DO UPDATE`: the row proposed for insertion.
    Excluded(String),
    /// `$n`, zero-based.
    Param(usize),
    /// A literal.
    Lit(Value),
    /// A binary operator.
    Binary(Box<Expr>, BinOp, Box<Expr>),
    /// `NOT e`.
    Not(Box<Expr>),
    /// `-e`.
    Neg(Box<Expr>),
    /// `e IS NULL` (`negated`: `IS NOT NULL`).
    IsNull(Box<Expr>, bool),
}

/// The binary operators the model evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

/// What a `SELECT` (or `RETURNING`) produces per row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Projection {
    /// `*`: every column in table order.
    Star,
    /// A list of expressions.
    Exprs(Vec<Expr>),
}

/// An aggregate in `SELECT count(*), sum(x) FROM …`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Agg {
    CountStar,
    Count(Expr),
    Sum(Expr),
    Min(Expr),
    Max(Expr),
}

/// The strength of a row lock: `FOR SHARE` or exclusive (`FOR UPDATE`, `UPDATE`,
/// `DELETE`). The model does not distinguish `FOR NO KEY UPDATE` / `FOR KEY SHARE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Strength {
    Share,
    Exclusive,
}

impl Strength {
    pub(crate) fn conflicts(self, other: Strength) -> bool {
        self == Strength::Exclusive || other == Strength::Exclusive
    }
}

/// What to do when a row to lock is held by another transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum WaitPolicy {
    Wait,
    NoWait,
    SkipLocked,
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct OrderKey {
    pub expr: Expr,
    pub desc: bool,
    pub nulls_first: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SelectPlan {
    pub table: String,
    pub projection: Projection,
    /// Non-empty: an aggregate query (one output row).
    pub aggs: Vec<Agg>,
    pub filter: Option<Expr>,
    pub order: Vec<OrderKey>,
    pub limit: Option<Expr>,
    pub lock: Option<(Strength, WaitPolicy)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ConflictAction {
    Nothing,
    Update {
        sets: Vec<(String, Expr)>,
        filter: Option<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct OnConflict {
    /// `ON CONFLICT (cols)`; `None`: any unique constraint (`DO NOTHING` only).
    pub target: Option<Vec<String>>,
    pub action: ConflictAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct InsertPlan {
    pub table: String,
    /// Empty: every column, in table order.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Expr>>,
    pub on_conflict: Option<OnConflict>,
    pub returning: Option<Projection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct UpdatePlan {
    pub table: String,
    pub sets: Vec<(String, Expr)>,
    pub filter: Option<Expr>,
    pub returning: Option<Projection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DeletePlan {
    pub table: String,
    pub filter: Option<Expr>,
    pub returning: Option<Projection>,
}

/// A column declared by `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ColumnDef {
    pub name: String,
    pub ty: ColumnType,
    pub not_null: bool,
}

/// A unique constraint (the primary key is one, with `primary`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct UniqueDef {
    pub name: String,
    pub columns: Vec<usize>,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TableDef {
    pub name: String,
    pub columns: Vec<ColumnDef>,
    pub uniques: Vec<UniqueDef>,
}

/// Isolation levels the model implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Isolation {
    /// PostgreSQL's default: a fresh snapshot per statement.
    #[default]
    ReadCommitted,
    /// One snapshot for the whole transaction, taken by its first statement.
    RepeatableRead,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Plan {
    Begin(Option<Isolation>),
    Commit,
    Rollback,
    CreateTable(TableDef),
    Select(SelectPlan),
    Insert(InsertPlan),
    Update(UpdatePlan),
    Delete(DeletePlan),
}
