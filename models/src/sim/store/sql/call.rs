//! [`Call`]: one of a scheme's statements ready to send, parsed once per process.

use super::parse::Statement;
use super::value::Value;

/// A statement to send: its parsed text and its parameters. Schemes build these in
/// their `statements.rs` with [`sql_call!`](crate::sql_call), the model's steps run
/// them on the kit's [`Db`](super::Db), and a real server gets the same text.
#[derive(Debug, Clone)]
pub struct Call {
    /// Parsed once per process from the scheme's SQL text.
    pub stmt: &'static Statement,
    /// `$1…`.
    pub params: Vec<Value>,
}

/// Parses `text` for the process's lifetime; a text the model cannot parse is a bug
/// in the scheme (each scheme's tests parse all of its texts), so it panics naming it.
pub fn parse_static(text: &'static str) -> &'static Statement {
    Box::leak(Box::new(
        Statement::parse(text).unwrap_or_else(|e| panic!("{text}: {e}")),
    ))
}

/// `sql_call!(TEXT, p1, p2, …)`: a [`Call`] of the SQL constant `TEXT` with integer
/// parameters, the text parsed once per call site (a `LazyLock` of its own, so the
/// bench's hot path takes no lock).
#[macro_export]
macro_rules! sql_call {
    ($text:expr $(, $param:expr)*) => {{
        static PARSED: std::sync::LazyLock<&'static $crate::sim::store::sql::Statement> =
            std::sync::LazyLock::new(|| $crate::sim::store::sql::parse_static($text));
        $crate::sim::store::sql::Call {
            stmt: *PARSED,
            params: vec![$($crate::sim::store::sql::Value::Int(
                i64::try_from($param).unwrap_or(i64::MAX)
            )),*],
        }
    }};
}

/// Opens a transaction (Read Committed, PostgreSQL's default).
pub const BEGIN: &str = "BEGIN";
/// Commits it (an aborted one completes as `ROLLBACK`).
pub const COMMIT: &str = "COMMIT";
/// Rolls it back.
pub const ROLLBACK: &str = "ROLLBACK";

/// [`BEGIN`].
pub fn begin() -> Call {
    crate::sql_call!(BEGIN)
}

/// [`COMMIT`].
pub fn commit() -> Call {
    crate::sql_call!(COMMIT)
}

/// [`ROLLBACK`].
pub fn rollback() -> Call {
    crate::sql_call!(ROLLBACK)
}
