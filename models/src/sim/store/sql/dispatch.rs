//! Running one data statement inside the session's (explicit or implicit)
//! transaction, and what happens when it blocks, fails or completes.

use super::db::{Db, Outcome, Tag};
use super::deadlock;
use super::error::{sqlstate, ExecError, SqlError};
use super::insert::insert;
use super::parse::Statement;
use super::plan::{Isolation, Plan};
use super::rowlock::{BlockedOn, Cx, Flow};
use super::select::select;
use super::session::{Block, Pending, TxnCtx, Wait};
use super::value::Value;
use super::write::{delete, update};
use super::SessionId;

fn table_of(plan: &Plan) -> (&str, Tag) {
    match plan {
        Plan::Select(p) => (&p.table, Tag::Select),
        Plan::Insert(p) => (&p.table, Tag::Insert),
        Plan::Update(p) => (&p.table, Tag::Update),
        Plan::Delete(p) => (&p.table, Tag::Delete),
        _ => unreachable!("only data statements are dispatched"),
    }
}

impl Db {
    fn txn_for(&mut self, s: SessionId) -> TxnCtx {
        let ses = &self.sessions[s.0 as usize];
        if let Block::Txn(ctx) = &ses.block {
            return ctx.clone();
        }
        let ctx = TxnCtx {
            xid: self.txns.begin(s),
            explicit: false,
            iso: Isolation::ReadCommitted,
            snapshot: None,
        };
        self.sessions[s.0 as usize].block = Block::Txn(ctx.clone());
        ctx
    }

    fn snapshot_for(&mut self, s: SessionId, ctx: &TxnCtx) -> u64 {
        match (ctx.iso, ctx.snapshot) {
            (Isolation::RepeatableRead, Some(c)) => c,
            (Isolation::RepeatableRead, None) => {
                let c = self.txns.csn;
                if let Block::Txn(t) = &mut self.sessions[s.0 as usize].block {
                    t.snapshot = Some(c);
                }
                c
            }
            (Isolation::ReadCommitted, _) => self.txns.csn,
        }
    }

    pub(crate) fn run_dml(
        &mut self,
        s: SessionId,
        stmt: &Statement,
        params: &[Value],
        pending: Option<Pending>,
    ) -> Result<Outcome, ExecError> {
        let ctx = self.txn_for(s);
        let mut p = match pending {
            Some(p) => p,
            None => Pending::new(self.snapshot_for(s, &ctx)),
        };
        let (name, tag) = table_of(&stmt.plan);
        let result = match self.tables.get_mut(name) {
            None => Err(SqlError::new(
                sqlstate::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            )),
            Some(table) => {
                let mut cx = Cx {
                    table_name: name,
                    table,
                    txns: &self.txns,
                    sessions: &self.sessions,
                    me: s,
                    snap: self.txns.snapshot(ctx.xid),
                    iso: ctx.iso,
                    params,
                };
                cx.snap.csn = p.snapshot;
                match &stmt.plan {
                    Plan::Select(plan) => select(&mut cx, plan, &mut p),
                    Plan::Insert(plan) => insert(&mut cx, plan, &mut p),
                    Plan::Update(plan) => update(&mut cx, plan, &mut p),
                    Plan::Delete(plan) => delete(&mut cx, plan, &mut p),
                    _ => unreachable!("only data statements are dispatched"),
                }
            }
        };
        match result {
            Ok(Flow::Done) => {
                if !ctx.explicit {
                    self.commit(s);
                }
                Ok(Outcome {
                    tag,
                    rows: p.rows,
                    affected: p.affected,
                })
            }
            Ok(Flow::Blocked(b)) => self.blocked(s, stmt, name.to_owned(), p, b),
            Err(e) => {
                self.abort(s);
                Err(e.into())
            }
        }
    }

    /// Records the wait, then runs the deadlock check.
    fn blocked(
        &mut self,
        s: SessionId,
        stmt: &Statement,
        table: String,
        mut p: Pending,
        b: BlockedOn,
    ) -> Result<Outcome, ExecError> {
        let tuple = b.tuple.map(|t| (table, t));
        let prev = p.wait.take();
        let same_tuple = prev
            .as_ref()
            .filter(|w| tuple.is_some() && w.tuple == tuple);
        let queued = match same_tuple {
            Some(w) => w.queued,
            None => self.next_seq(),
        };
        let since = match prev
            .as_ref()
            .filter(|w| w.tuple == tuple && w.edges == b.edges)
        {
            Some(w) => w.since,
            None => self.next_seq(),
        };
        p.wait = Some(Wait {
            tuple,
            queued,
            since,
            edges: b.edges,
        });
        if p.sql.is_empty() {
            p.sql = stmt.sql().to_owned();
        }
        self.sessions[s.0 as usize].pending = Some(p);
        let waits_for = deadlock::first_target(&self.sessions, &self.txns, s);
        if let Some(v) = deadlock::victim(&self.sessions, &self.txns, s) {
            let err = SqlError::new(sqlstate::DEADLOCK_DETECTED, "deadlock detected");
            if let Some(vp) = self.sessions[v.0 as usize].pending.as_mut() {
                vp.victim = Some(err.clone());
                vp.wait = None;
            }
            self.abort(v);
            if v == s {
                self.sessions[s.0 as usize].pending = None;
                return Err(err.into());
            }
        }
        Err(ExecError::Blocked { waits_for })
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}
