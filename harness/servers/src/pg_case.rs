//! [`PgCase`]: one forced interleaving, written once, run on PostgreSQL and on the
//! SQL model, compared step by step.

use locklab_models::sim::store::sql::{Db, ExecError, SessionId, Statement, Value};

use crate::pg::{PgConfig, PgProbe, PgStep, TERMINATED};
use crate::require;

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Completed: the rows returned and the count the server reported.
    Rows {
        /// Returned rows, in order.
        rows: Vec<Vec<Value>>,
        /// Rows affected (or returned, for `SELECT`).
        affected: u64,
    },
    /// Failed with this SQLSTATE.
    Error {
        /// The five-character SQLSTATE.
        code: String,
    },
    /// Still waiting when the case ended.
    StillWaiting,
}

/// What one step did: whether it had to wait, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// Seen blocked (real server) / answered `Blocked` (model) when issued.
    pub waited: bool,
    /// How it ended.
    pub completion: Completion,
}

/// One run of a case: each step's observation, and each compared table's committed
/// rows (sorted), in [`PgCase::tables`] order.
pub type Run = (Vec<Observed>, Vec<Vec<Vec<Value>>>);

/// What a step must do; unset parts are only compared between model and server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// Whether it waits when issued.
    pub waited: Option<bool>,
    /// How it ends.
    pub completion: Option<Completion>,
}

/// A forced interleaving over `conns` connections: set-up statements, steps, the
/// tables whose committed rows must agree at the end, and (optionally) what each
/// step must do, so the case also documents PostgreSQL's behaviour.
#[derive(Debug, Clone)]
pub struct PgCase {
    /// The case's name (the test name).
    pub name: String,
    /// How many step connections.
    pub conns: usize,
    /// Set-up statements, autocommitted before the steps.
    pub setup: Vec<String>,
    /// The steps.
    pub steps: Vec<PgStep>,
    /// What each step must do (unset parts: only model/server agreement).
    pub expect: Vec<Expect>,
    /// Tables compared at the end.
    pub tables: Vec<String>,
}

impl PgCase {
    /// A case named `name` over `conns` connections.
    pub fn new(name: &str, conns: usize) -> PgCase {
        PgCase {
            name: name.into(),
            conns,
            setup: Vec::new(),
            steps: Vec::new(),
            expect: Vec::new(),
            tables: Vec::new(),
        }
    }

    /// Adds a set-up statement; a `CREATE TABLE t` also makes `t` compared at the end.
    pub fn setup(mut self, sql: &str) -> PgCase {
        let words: Vec<String> = sql.split_whitespace().map(str::to_lowercase).collect();
        if let [c, t, name, ..] = words.as_slice() {
            if c == "create" && t == "table" {
                self.tables.push(name.trim_end_matches('(').to_string());
            }
        }
        self.setup.push(sql.into());
        self
    }

    /// Adds step `sql` on connection `conn`.
    pub fn step(self, conn: usize, sql: &str) -> PgCase {
        self.step_p(conn, sql, &[])
    }

    /// Adds step `sql` with parameters on connection `conn`.
    pub fn step_p(mut self, conn: usize, sql: &str, params: &[Value]) -> PgCase {
        assert!(conn < self.conns, "{}: no connection {conn}", self.name);
        self.steps.push(PgStep::statement(conn, sql, params));
        self.expect.push(Expect::default());
        self
    }

    /// Adds a step that terminates connection `conn`'s backend (a crashed client):
    /// on the model, [`Db::disconnect`]. A statement it had waiting fails with
    /// 57P01 (`admin_shutdown`), as the server answers it.
    pub fn terminate(mut self, conn: usize) -> PgCase {
        assert!(conn < self.conns, "{}: no connection {conn}", self.name);
        self.steps.push(PgStep::terminate(conn));
        self.expect.push(Expect::default());
        self
    }

    fn expect_completion(mut self, completion: Completion) -> PgCase {
        let e = self.expect.last_mut().expect("a step to expect of");
        e.waited.get_or_insert(false);
        e.completion = Some(completion);
        self
    }

    /// The last step completes with `affected` and no rows (at once, unless
    /// [`PgCase::waits`] says otherwise).
    pub fn ok(self, affected: u64) -> PgCase {
        self.expect_completion(Completion::Rows {
            rows: vec![],
            affected,
        })
    }

    /// The last step completes returning `rows`.
    pub fn rows(self, rows: Vec<Vec<Value>>) -> PgCase {
        let affected = rows.len() as u64;
        self.expect_completion(Completion::Rows { rows, affected })
    }

    /// The last step fails with SQLSTATE `code`.
    pub fn err(self, code: &str) -> PgCase {
        self.expect_completion(Completion::Error { code: code.into() })
    }

    /// The last step must wait when issued.
    pub fn waits(mut self) -> PgCase {
        self.expect.last_mut().expect("a step to expect of").waited = Some(true);
        self
    }

    /// Runs the case on the model: each step is issued once; a `Blocked` one is
    /// re-issued after every later step until it completes, as the simulation does.
    pub fn run_model(&self) -> Run {
        let mut db = Db::new();
        let control = db.session();
        for sql in &self.setup {
            db.run(control, sql, &[])
                .unwrap_or_else(|e| panic!("{}: model set-up '{sql}': {e}", self.name));
        }
        let sessions: Vec<SessionId> = (0..self.conns).map(|_| db.session()).collect();
        let mut out: Vec<Observed> = Vec::new();
        let mut waiting: Vec<(usize, Statement)> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            assert!(
                step.terminate
                    || !waiting
                        .iter()
                        .any(|(j, _)| self.steps[*j].conn == step.conn),
                "{}: step {i} needs connection {} while a step there still waits",
                self.name,
                step.conn
            );
            out.push(Observed {
                waited: false,
                completion: Completion::StillWaiting,
            });
            if step.terminate {
                db.disconnect(sessions[step.conn]);
                out[i].completion = Completion::Rows {
                    rows: vec![],
                    affected: 0,
                };
                if let Some(k) = waiting
                    .iter()
                    .position(|(j, _)| self.steps[*j].conn == step.conn)
                {
                    let (j, _) = waiting.remove(k);
                    out[j].completion = Completion::Error {
                        code: TERMINATED.into(),
                    };
                }
            } else {
                match Statement::parse(&step.sql) {
                    Err(e) => {
                        out[i].completion = Completion::Error {
                            code: e.code.into(),
                        }
                    }
                    Ok(stmt) => match db.execute(sessions[step.conn], &stmt, &step.params) {
                        Err(ExecError::Blocked { .. }) => {
                            out[i].waited = true;
                            waiting.push((i, stmt));
                        }
                        r => out[i].completion = model_completion(r),
                    },
                }
            }
            // Re-issue waiting statements until none makes progress.
            let mut progress = true;
            while progress {
                progress = false;
                let mut k = 0;
                while k < waiting.len() {
                    let (j, stmt) = &waiting[k];
                    let s = sessions[self.steps[*j].conn];
                    match db.execute(s, stmt, &self.steps[*j].params) {
                        Err(ExecError::Blocked { .. }) => k += 1,
                        r => {
                            out[*j].completion = model_completion(r);
                            waiting.remove(k);
                            progress = true;
                        }
                    }
                }
            }
        }
        let tables = self.tables.iter().map(|t| db.committed_rows(t)).collect();
        (out, tables)
    }

    /// Runs the case on the real server (`None`: unreachable and not in CI).
    pub fn run_server(&self) -> Option<Run> {
        let mut probe = require(&self.name, PgProbe::open(&PgConfig::default(), self.conns))?;
        let setup: Vec<&str> = self.setup.iter().map(String::as_str).collect();
        probe
            .setup(&setup)
            .unwrap_or_else(|e| panic!("{}: {e}", self.name));
        let observed = probe.run(&self.steps);
        let tables = self
            .tables
            .iter()
            .map(|t| {
                probe
                    .committed_rows(t)
                    .unwrap_or_else(|e| panic!("{}: {e}", self.name))
            })
            .collect();
        Some((observed, tables))
    }

    /// Runs both and asserts they agree step by step (and with the expectations).
    /// Returns whether the real server took part.
    pub fn check(&self) -> bool {
        let (model, model_tables) = self.run_model();
        self.check_expectations("model", &model);
        let Some((server, server_tables)) = self.run_server() else {
            return false;
        };
        self.check_expectations("PostgreSQL", &server);
        for (i, (m, s)) in model.iter().zip(&server).enumerate() {
            assert_eq!(
                m,
                s,
                "{}: step {i} ({}) model vs PostgreSQL",
                self.name,
                self.steps[i].describe()
            );
        }
        for (t, (m, s)) in self
            .tables
            .iter()
            .zip(model_tables.iter().zip(&server_tables))
        {
            assert_eq!(
                m, s,
                "{}: committed rows of {t}, model vs PostgreSQL",
                self.name
            );
        }
        true
    }

    fn check_expectations(&self, who: &str, observed: &[Observed]) {
        for (i, (want, got)) in self.expect.iter().zip(observed).enumerate() {
            let what = || {
                format!(
                    "{}: step {i} ({}) on {who}",
                    self.name,
                    self.steps[i].describe()
                )
            };
            if let Some(w) = want.waited {
                assert_eq!(w, got.waited, "{}: waited", what());
            }
            if let Some(c) = &want.completion {
                assert_eq!(c, &got.completion, "{}", what());
            }
        }
    }
}

fn model_completion(r: Result<locklab_models::sim::store::sql::Outcome, ExecError>) -> Completion {
    match r {
        Ok(o) => Completion::Rows {
            rows: o.rows,
            affected: o.affected,
        },
        Err(ExecError::Failed(e)) => Completion::Error {
            code: e.code.into(),
        },
        Err(ExecError::Blocked { .. }) => Completion::StillWaiting,
    }
}
