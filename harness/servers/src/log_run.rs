//! [`LogRunner`]: a model execution's statements, in the order the model issued them,
//! on a real PostgreSQL — one connection per model session — compared statement by
//! statement with what the model answered.
//!
//! An actor's next statement depends only on the answers to its earlier ones, so
//! when the server answers every statement as the model did (same rows, same count,
//! same error, waiting where the model waited), the same actors, given the server's
//! answers, would have done exactly what they did in the model: the schedule, and
//! the harm it shows, happen on the server too. The first statement answered
//! differently is where model and server part, and is reported as such.

use locklab_models::sim::served::{distinct_names, Tables};
use locklab_models::sim::store::sql::{Outcome, SqlError, Statement, Value};
use locklab_models::sim::{Answer, Harm, Served, ServerForm, SqlCall, Witness};

use crate::availability::ServerUnavailable;
use crate::pg::{PgConfig, PgProbe, PgStep};
use crate::pg_case::{Completion, Observed};

/// One statement: what the model logged, and what the server did.
#[derive(Debug, Clone)]
pub struct Compared {
    /// The model's statement, parameters and answer.
    pub model: SqlCall,
    /// The server's answer to the same statement, sent at the same point.
    pub server: Observed,
    /// Whether the statement orders its rows (parsed once, when compared).
    orders_rows: bool,
}

impl Compared {
    /// Whether the server waited and answered as the model did. A statement the model
    /// never saw complete (its execution ended first: at a violation, or with every
    /// actor blocked) is judged by its wait alone; the server's answer is shown, not
    /// compared with an answer the model never gave.
    pub fn agrees(&self) -> bool {
        if self.model.dropped {
            // The backend was terminated: nothing to compare but that it was.
            return self.server.completion != Completion::StillWaiting;
        }
        self.server.waited == self.model.waited
            && (self.model.result.is_none()
                || self.compared(completion_of(&self.model.result))
                    == self.compared(self.server.completion.clone()))
    }

    /// A completion as compared: the rows of a statement that does not order them
    /// ([`Statement::orders_its_rows`]) sorted, since PostgreSQL and the model may
    /// meet them in different orders.
    fn compared(&self, mut c: Completion) -> Completion {
        if let Completion::Rows { rows, .. } = &mut c {
            if !self.orders_rows {
                rows.sort();
            }
        }
        c
    }
}

/// A log run on the server.
#[derive(Debug, Clone)]
pub struct LogRun {
    /// Every statement, in the order issued.
    pub steps: Vec<Compared>,
    /// Per compared table, its committed rows (sorted) on the server at the end.
    pub server_rows: Tables,
    /// Each of the scheme's harm queries, and whether the harm happened on the server.
    pub harm: Vec<(String, bool)>,
    /// What the scheme's witness found in the server's answers and rows (empty
    /// without a witness).
    pub witnessed: Vec<Harm>,
    /// The schema it ran in (dropped with the runner, or at once if the log left a
    /// connection busy).
    pub schema: String,
}

impl LogRun {
    /// The first statement the server answered differently, if any.
    pub fn first_disagreement(&self) -> Option<usize> {
        self.steps.iter().position(|c| !c.agrees())
    }

    /// The names of every harm the server showed: its harm queries that came out
    /// true, then what the witness found in its answers.
    pub fn harms_seen(&self) -> Vec<String> {
        let queried = self.harm.iter().filter(|(_, happened)| *happened);
        let queried = queried.map(|(name, _)| name.clone());
        distinct_names(queried.chain(self.witnessed.iter().map(|h| h.name.clone())))
    }
}

/// The server's answer to a statement, as a witness reads it.
fn answer_of(model: &SqlCall, server: &Observed) -> Answer {
    match &server.completion {
        _ if model.dropped => Answer::Terminated,
        Completion::StillWaiting => Answer::Waiting,
        Completion::Rows { rows, affected } => Answer::Rows {
            rows: rows.clone(),
            affected: *affected,
        },
        Completion::Error { code } => Answer::Error { code: code.clone() },
    }
}

/// The model's answer as the probe reports the server's.
pub fn completion_of(result: &Option<Result<Outcome, SqlError>>) -> Completion {
    match result {
        None => Completion::StillWaiting,
        Some(Ok(o)) => Completion::Rows {
            rows: o.rows.clone(),
            affected: o.affected,
        },
        Some(Err(e)) => Completion::Error {
            code: e.code.to_string(),
        },
    }
}

/// Runs logs on one server, one after another, in one schema (dropped at the end):
/// before each log the compared tables are dropped and set up again.
pub struct LogRunner {
    cfg: PgConfig,
    tables: Vec<String>,
    setup: Vec<(String, Vec<Value>)>,
    harm: Vec<(String, String)>,
    witness: Option<Witness>,
    probe: Option<PgProbe>,
    conns: usize,
}

impl LogRunner {
    /// A runner for a scheme's server form (its set-up, run in order and
    /// autocommitted; the tables compared; the harm queries); connects to check the
    /// server is there.
    pub fn open(cfg: &PgConfig, form: &ServerForm) -> Result<LogRunner, ServerUnavailable> {
        let mut runner = LogRunner {
            cfg: cfg.clone(),
            tables: form.tables.iter().map(|t| t.to_string()).collect(),
            setup: form
                .postgres_setup
                .iter()
                .map(|(s, p)| (s.to_string(), p.clone()))
                .collect(),
            harm: form.harm.clone(),
            witness: form.witness,
            probe: None,
            conns: 0,
        };
        runner.probe = Some(runner.take_probe(1)?);
        Ok(runner)
    }

    /// A probe with at least `conns` step connections, all idle, taken out of the
    /// runner for one log (put back by [`LogRunner::run`] unless the log left it busy).
    fn take_probe(&mut self, conns: usize) -> Result<PgProbe, ServerUnavailable> {
        match self.probe.take() {
            Some(probe) if self.conns >= conns => Ok(probe),
            old => {
                drop(old); // drops the old schema first
                self.conns = conns;
                PgProbe::open(&self.cfg, conns)
            }
        }
    }

    /// The statements that give a fresh database: the tables dropped, then set up.
    fn reset_statements(&self) -> Vec<(String, Vec<Value>)> {
        let drops = self
            .tables
            .iter()
            .map(|t| (format!("DROP TABLE IF EXISTS {t}"), vec![]));
        drops.chain(self.setup.iter().cloned()).collect()
    }

    /// Runs `log` from a freshly set-up database.
    pub fn run(&mut self, log: &[SqlCall]) -> Result<LogRun, String> {
        let conns = log
            .iter()
            .map(|c| c.session.0 as usize + 1)
            .max()
            .unwrap_or(1);
        let reset = self.reset_statements();
        let mut probe = self.take_probe(conns).map_err(|e| e.to_string())?;
        let schema = probe.schema().to_owned();
        probe.setup_with_params(&reset)?;
        let before = self.committed_tables(&probe)?;
        let steps: Vec<PgStep> = log
            .iter()
            .map(|c| {
                let conn = c.session.0 as usize;
                if c.dropped {
                    PgStep::terminate(conn)
                } else {
                    PgStep::statement(conn, &c.sql, &c.params)
                }
            })
            .collect();
        let observed = probe.run(&steps);
        let server_rows = self.committed_tables(&probe)?;
        let mut harmed = Vec::new();
        for (name, query) in &self.harm {
            harmed.push((name.clone(), probe.query_bool(query)?));
        }
        // A statement still waiting (or a transaction left open, or a connection
        // terminated) would carry into the next log: start it on fresh connections.
        let left_busy = observed
            .iter()
            .any(|o| o.completion == Completion::StillWaiting)
            || probe.any_terminated()
            || probe.any_in_transaction()?;
        if !left_busy {
            self.probe = Some(probe);
        }
        let witnessed = match self.witness {
            Some(witness) => witness(&Served::new(
                log.iter().zip(&observed).map(|(model, server)| {
                    let answer = answer_of(model, server);
                    let (actor, sql) = (model.actor.clone(), model.sql.clone());
                    (actor, model.session, sql, model.params.clone(), answer)
                }),
                before,
                server_rows.clone(),
            )),
            None => Vec::new(),
        };
        Ok(LogRun {
            steps: log
                .iter()
                .cloned()
                .zip(observed)
                .map(|(model, server)| Compared {
                    orders_rows: Statement::parse(&model.sql).is_ok_and(|s| s.orders_its_rows()),
                    model,
                    server,
                })
                .collect(),
            server_rows,
            harm: harmed,
            witnessed,
            schema,
        })
    }

    /// Every compared table's committed rows, sorted.
    fn committed_tables(&self, probe: &PgProbe) -> Result<Tables, String> {
        self.tables
            .iter()
            .map(|t| Ok((t.clone(), probe.committed_rows(t)?)))
            .collect()
    }
}
