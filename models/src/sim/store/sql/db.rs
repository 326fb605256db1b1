//! [`Db`]: tables, sessions and transactions; the statement entry point.

use std::collections::BTreeMap;

use super::error::{sqlstate, ExecError, SqlError};
use super::heap::Table;
use super::mvcc::{Snapshot, Txns};
use super::parse::Statement;
use super::plan::{Isolation, Plan};
use super::session::{Block, Session, TxnCtx};
use super::value::Value;
use super::SessionId;

/// PostgreSQL's command tag: what kind of statement completed. `COMMIT` of a
/// transaction an error aborted completes as [`Tag::Rollback`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// `BEGIN` / `START TRANSACTION`.
    Begin,
    /// `COMMIT` that committed (or had nothing to commit).
    Commit,
    /// `ROLLBACK`, or `COMMIT` of an aborted transaction.
    Rollback,
    /// `CREATE TABLE`.
    CreateTable,
    /// `SELECT`.
    Select,
    /// `INSERT`.
    Insert,
    /// `UPDATE`.
    Update,
    /// `DELETE`.
    Delete,
}

/// A completed statement: its tag, the rows it returned (`SELECT`, `RETURNING`) and
/// the count PostgreSQL reports (rows selected, inserted, updated or deleted).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// What completed.
    pub tag: Tag,
    /// Returned rows, in order.
    pub rows: Vec<Vec<Value>>,
    /// Rows affected (or returned, for `SELECT`).
    pub affected: u64,
}

impl Outcome {
    pub(crate) fn tag(tag: Tag) -> Outcome {
        Outcome {
            tag,
            rows: Vec::new(),
            affected: 0,
        }
    }
}

/// An in-memory PostgreSQL at Read Committed (and Repeatable Read): plain data, so a
/// model checker can clone, compare and hash it; deterministic (ordered maps, no
/// clock). Each [`Db::execute`] is one atomic step.
///
/// Its `Hash` is the state-caching engine's fingerprint, up to what no statement can
/// observe (`fingerprint.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Db {
    pub(crate) tables: BTreeMap<String, Table>,
    pub(crate) txns: Txns,
    pub(crate) sessions: Vec<Session>,
    /// Orders waits (lock queues, deadlock checks).
    pub(crate) seq: u64,
}

impl Db {
    /// An empty database.
    pub fn new() -> Db {
        Db::default()
    }

    /// A database as a scheme's world starts: `setup` run in order on session 0
    /// (each statement with its parameters, autocommitted), then `clients` more
    /// sessions, `1..=clients`, one per actor's connection.
    pub fn set_up(setup: &[(&str, Vec<Value>)], clients: usize) -> Result<Db, String> {
        let mut db = Db::new();
        let admin = db.session();
        for (sql, params) in setup {
            db.run(admin, sql, params)
                .map_err(|e| format!("set-up {sql}: {e:?}"))?;
        }
        for _ in 0..clients {
            db.session();
        }
        Ok(db)
    }

    /// Opens a connection.
    pub fn session(&mut self) -> SessionId {
        self.sessions.push(Session {
            block: Block::Idle,
            pending: None,
            closed: false,
        });
        SessionId(self.sessions.len() as u32 - 1)
    }

    /// Parses and executes `sql`: for set-up and tests. Models should parse once with
    /// [`Statement::parse`] and call [`Db::execute`].
    pub fn run(&mut self, s: SessionId, sql: &str, params: &[Value]) -> Result<Outcome, ExecError> {
        let stmt = Statement::parse(sql)?;
        self.execute(s, &stmt, params)
    }

    /// Executes `stmt` on session `s` with `$1…` bound to `params`.
    ///
    /// `Err(ExecError::Blocked)`: the statement waits for another transaction; issue
    /// the same statement again (with the same parameters) after the world changes; it
    /// resumes with its snapshot and the rows it already processed, as the waiting
    /// PostgreSQL backend does. Any other statement on a waiting session fails with
    /// `08P01`. Outside `BEGIN` a statement autocommits.
    pub fn execute(
        &mut self,
        s: SessionId,
        stmt: &Statement,
        params: &[Value],
    ) -> Result<Outcome, ExecError> {
        let session = self
            .sessions
            .get_mut(s.0 as usize)
            .filter(|ses| !ses.closed)
            .ok_or_else(|| SqlError::new("08003", format!("{s} does not exist or was closed")))?;
        if let Some(p) = session.pending.take() {
            if p.sql != stmt.sql() {
                let msg = format!("{s} is still waiting in: {}", p.sql);
                session.pending = Some(p);
                return Err(SqlError::new(sqlstate::PROTOCOL_VIOLATION, msg).into());
            }
            if let Some(e) = p.victim {
                return Err(e.into());
            }
            return self.run_dml(s, stmt, params, Some(p));
        }
        let failed = session.block == Block::Failed;
        match &stmt.plan {
            Plan::Begin(iso) => {
                if failed {
                    return Err(in_failed_transaction().into());
                }
                if session.block == Block::Idle {
                    let xid = self.txns.begin(s);
                    self.sessions[s.0 as usize].block = Block::Txn(TxnCtx {
                        xid,
                        explicit: true,
                        iso: iso.unwrap_or_default(),
                        snapshot: None,
                    });
                }
                Ok(Outcome::tag(Tag::Begin))
            }
            Plan::Commit => match session.block {
                Block::Failed => {
                    session.block = Block::Idle;
                    Ok(Outcome::tag(Tag::Rollback))
                }
                _ => {
                    self.commit(s);
                    Ok(Outcome::tag(Tag::Commit))
                }
            },
            Plan::Rollback => {
                self.abort(s);
                self.sessions[s.0 as usize].block = Block::Idle;
                Ok(Outcome::tag(Tag::Rollback))
            }
            _ if failed => Err(in_failed_transaction().into()),
            Plan::CreateTable(def) => {
                if self.tables.contains_key(&def.name) {
                    return Err(SqlError::new(
                        sqlstate::DUPLICATE_TABLE,
                        format!("relation \"{}\" already exists", def.name),
                    )
                    .into());
                }
                self.tables
                    .insert(def.name.clone(), Table::new(def.clone()));
                Ok(Outcome::tag(Tag::CreateTable))
            }
            _ => self.run_dml(s, stmt, params, None),
        }
    }

    /// The connection died: its transaction rolls back, a waiting statement is gone.
    pub fn disconnect(&mut self, s: SessionId) {
        self.abort(s);
        let ses = &mut self.sessions[s.0 as usize];
        ses.pending = None;
        ses.block = Block::Idle;
        ses.closed = true;
    }

    /// Every committed row of `table` (what a new transaction would see), sorted;
    /// empty if there is no such table. For properties and reports.
    pub fn committed_rows(&self, table: &str) -> Vec<Vec<Value>> {
        let Some(t) = self.tables.get(table) else {
            return Vec::new();
        };
        let snap = Snapshot {
            csn: self.txns.csn,
            me: u32::MAX,
        };
        let mut rows: Vec<Vec<Value>> = t
            .visible(&self.txns, snap)
            .map(|(_, t)| t.values.clone())
            .collect();
        rows.sort();
        rows
    }

    /// The column names of `table`, in order.
    pub fn columns(&self, table: &str) -> Option<Vec<&str>> {
        let t = self.tables.get(table)?;
        Some(t.def.columns.iter().map(|c| c.name.as_str()).collect())
    }

    /// Whether `s` is inside a transaction block (`BEGIN` … `COMMIT`/`ROLLBACK`),
    /// including one an error aborted.
    pub fn in_transaction(&self, s: SessionId) -> bool {
        match &self.sessions[s.0 as usize].block {
            Block::Idle => false,
            Block::Txn(ctx) => ctx.explicit,
            Block::Failed => true,
        }
    }

    /// Whether an error aborted `s`'s transaction block (statements fail with `25P02`).
    pub fn in_failed_transaction(&self, s: SessionId) -> bool {
        self.sessions[s.0 as usize].block == Block::Failed
    }

    /// How many sessions have been chosen as deadlock victims and not yet told (their
    /// next statement returns `40P01`). A blocked statement that raises this count
    /// changed the database even though it did not complete: the victim's locks are
    /// gone and its waiter may proceed.
    pub fn untold_deadlock_victims(&self) -> usize {
        self.sessions
            .iter()
            .filter(|s| s.pending.as_ref().is_some_and(|p| p.victim.is_some()))
            .count()
    }

    /// Whether `s` has a blocked statement to re-issue.
    pub fn is_waiting(&self, s: SessionId) -> bool {
        self.sessions[s.0 as usize].pending.is_some()
    }

    /// The isolation level of `s`'s open transaction.
    pub fn isolation(&self, s: SessionId) -> Option<Isolation> {
        match &self.sessions[s.0 as usize].block {
            Block::Txn(ctx) => Some(ctx.iso),
            _ => None,
        }
    }

    pub(crate) fn commit(&mut self, s: SessionId) {
        let ses = &mut self.sessions[s.0 as usize];
        if let Block::Txn(ctx) = std::mem::replace(&mut ses.block, Block::Idle) {
            self.txns.commit(ctx.xid);
            for t in self.tables.values_mut() {
                t.release_locks(ctx.xid);
            }
            self.vacuum();
        }
    }

    /// Rolls back `s`'s transaction; an explicit block is left [`Block::Failed`].
    pub(crate) fn abort(&mut self, s: SessionId) {
        let ses = &mut self.sessions[s.0 as usize];
        if let Block::Txn(ctx) = std::mem::replace(&mut ses.block, Block::Idle) {
            if ctx.explicit {
                ses.block = Block::Failed;
            }
            for t in self.tables.values_mut() {
                t.abort(ctx.xid);
            }
            self.txns.forget(ctx.xid);
            self.vacuum();
        }
    }

    /// The oldest commit some snapshot in use (or the next one) may not see: a
    /// transaction that committed at or before it is seen as committed by every
    /// snapshot there is or will be, exactly as a frozen row's.
    pub(crate) fn horizon(&self) -> u64 {
        let mut horizon = self.txns.csn;
        for ses in &self.sessions {
            if let Block::Txn(TxnCtx {
                snapshot: Some(c), ..
            }) = ses.block
            {
                horizon = horizon.min(c);
            }
            if let Some(p) = &ses.pending {
                horizon = horizon.min(p.snapshot);
            }
        }
        horizon
    }

    fn vacuum(&mut self) {
        let horizon = self.horizon();
        for t in self.tables.values_mut() {
            t.vacuum(&self.txns, horizon);
        }
        let tables = &self.tables;
        self.txns
            .retain_committed(|x| tables.values().any(|t| t.mentions(x)));
    }
}

pub(crate) fn in_failed_transaction() -> SqlError {
    SqlError::new(
        sqlstate::IN_FAILED_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}
