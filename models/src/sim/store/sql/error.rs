//! Errors with PostgreSQL's SQLSTATE codes, and the "must wait" answer.

use std::fmt;

use super::SessionId;

/// SQLSTATE codes the model produces (PostgreSQL's Appendix A).
pub mod sqlstate {
    /// `23505`: a unique constraint would be violated.
    pub const UNIQUE_VIOLATION: &str = "23505";
    /// `23502`: `NULL` into a `NOT NULL` (or primary key) column.
    pub const NOT_NULL_VIOLATION: &str = "23502";
    /// `55P03`: `NOWAIT` found the row locked.
    pub const LOCK_NOT_AVAILABLE: &str = "55P03";
    /// `25P02`: a statement in a transaction that an error already aborted.
    pub const IN_FAILED_TRANSACTION: &str = "25P02";
    /// `40P01`: chosen as the victim of a deadlock.
    pub const DEADLOCK_DETECTED: &str = "40P01";
    /// `40001`: Repeatable Read found the row changed since its snapshot.
    pub const SERIALIZATION_FAILURE: &str = "40001";
    /// `21000`: `ON CONFLICT DO UPDATE` hit the same row twice in one statement.
    pub const CARDINALITY_VIOLATION: &str = "21000";
    /// `22003`: a number out of its column's range.
    pub const NUMERIC_OUT_OF_RANGE: &str = "22003";
    /// `22P02`: a literal that does not parse as the column's type.
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    /// `42601`: the SQL text does not parse.
    pub const SYNTAX_ERROR: &str = "42601";
    /// `0A000`: valid SQL the model does not implement.
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    /// `42P01`: no such table.
    pub const UNDEFINED_TABLE: &str = "42P01";
    /// `42P07`: `CREATE TABLE` of an existing table.
    pub const DUPLICATE_TABLE: &str = "42P07";
    /// `42703`: no such column.
    pub const UNDEFINED_COLUMN: &str = "42703";
    /// `42804`: a value of the wrong type for its column or operator.
    pub const DATATYPE_MISMATCH: &str = "42804";
    /// `42883`: an operator the types do not have (`text + int`).
    pub const UNDEFINED_FUNCTION: &str = "42883";
    /// `42P02`: a `$n` with no parameter bound.
    pub const UNDEFINED_PARAMETER: &str = "42P02";
    /// `42P10`: `ON CONFLICT (cols)` names no unique constraint.
    pub const INVALID_COLUMN_REFERENCE: &str = "42P10";
    /// `08P01`: the session misused (a new statement while one is still waiting).
    pub const PROTOCOL_VIOLATION: &str = "08P01";
}

/// A statement failed, as PostgreSQL reports it: the SQLSTATE and a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SqlError {
    /// The five-character SQLSTATE (see [`sqlstate`]).
    pub code: &'static str,
    /// A human-readable message, close to PostgreSQL's.
    pub message: String,
}

impl SqlError {
    /// An error with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        SqlError {
            code,
            message: message.into(),
        }
    }

    /// `0A000` naming the construct the model does not implement.
    pub(crate) fn unsupported(what: impl fmt::Display) -> Self {
        SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("not supported by the locklab SQL model: {what}"),
        )
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for SqlError {}

/// Why [`Db::execute`](super::Db::execute) did not complete a statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExecError {
    /// The statement must wait for another session's transaction (a row lock, an
    /// uncommitted conflicting key). Issue the same statement again after the world
    /// changes; it resumes where it stopped, as PostgreSQL's waiting backend does.
    Blocked {
        /// The session whose transaction (or queued lock request) it waits for.
        waits_for: SessionId,
    },
    /// The statement failed; in a transaction block this aborted the transaction.
    Failed(SqlError),
}

impl ExecError {
    /// The SQL error, if the statement failed (rather than blocked).
    pub fn sql(&self) -> Option<&SqlError> {
        match self {
            ExecError::Failed(e) => Some(e),
            ExecError::Blocked { .. } => None,
        }
    }
}

impl From<SqlError> for ExecError {
    fn from(e: SqlError) -> Self {
        ExecError::Failed(e)
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecError::Blocked { waits_for } => write!(f, "blocked: waits for {waits_for}"),
            ExecError::Failed(e) => e.fmt(f),
        }
    }
}
