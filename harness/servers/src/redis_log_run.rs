//! [`RedisLogRunner`]: a model execution's Redis commands, in the order the model sent
//! them, on a real Redis — one connection per actor — compared reply by reply with
//! what the model answered. Why agreeing replies mean the same run happened on the
//! server is the argument of [`crate::LogRunner`]: an actor's next command depends
//! only on the replies to its earlier ones.
//!
//! Virtual time on a real server. The model runs on a virtual clock; the server on
//! its own. A run maps virtual ms `v` onto the server's clock as `base + v`, with
//! `base` a day ahead of the server's time when the runner opened: every deadline a
//! command sets (`PXAT`, the compare-and-pexpireat script) lies far in the server's
//! future, so the server never expires anything by itself during a run. Expiry
//! happens explicitly instead: before each command at virtual time `t`, every key
//! whose deadline (read back with `PEXPIRETIME`) is before `t` — the model's rule, a
//! key lives while `now <= expires_at` — is deleted, as its lapse would have. The
//! server then holds exactly the keys the model holds at `t`, and answers from them.

use locklab_models::sim::served::distinct_names;
use locklab_models::sim::store::redis::Reply;
use locklab_models::sim::{lapse_tick, Harm, RedisArg, RedisCall, RedisForm, RedisWitness};

use crate::availability::ServerUnavailable;
use crate::redis_probe::{RedisConfig, RedisProbe};

/// How far ahead of the server's clock virtual time 0 lies, in ms: a day, longer
/// than any run.
const AHEAD_MS: i64 = 24 * 60 * 60 * 1000;

/// One command: what the model logged, and what the server replied.
#[derive(Debug, Clone)]
pub struct RedisCompared {
    /// The model's command (virtual time, arguments) and reply.
    pub model: RedisCall,
    /// The server's reply to the same command, sent at the same point.
    pub server: Reply,
    /// Keys whose lease lapsed just before this command (deleted on the server).
    pub lapsed: Vec<String>,
}

impl RedisCompared {
    /// Whether the server replied as the model did.
    pub fn agrees(&self) -> bool {
        self.server == self.model.reply
    }
}

/// A key the server still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldKey {
    /// Its value.
    pub value: String,
    /// The virtual tick it lapses at (`None`: no expiry).
    pub lapses_at: Option<u64>,
}

/// A log run on the server.
#[derive(Debug, Clone)]
pub struct RedisLogRun {
    /// Every command, in the order sent.
    pub steps: Vec<RedisCompared>,
    /// Each of the scheme's keys at the end (after the last command's lapses), and
    /// what it holds (`None`: it is gone).
    pub server_keys: Vec<(String, Option<HeldKey>)>,
    /// The run's key prefix on the server (its keys are deleted with the runner).
    pub prefix: String,
    /// What the scheme's witness found in the server's replies.
    pub witnessed: Vec<Harm>,
}

impl RedisLogRun {
    /// The first command the server answered differently, if any.
    pub fn first_disagreement(&self) -> Option<usize> {
        self.steps.iter().position(|c| !c.agrees())
    }

    /// The names of the harms the witness found in the server's replies.
    pub fn harms_seen(&self) -> Vec<String> {
        distinct_names(self.witnessed.iter().map(|h| h.name.clone()))
    }
}

/// Runs command logs of one scheme on a real Redis, each from an empty store.
pub struct RedisLogRunner {
    probe: RedisProbe,
    connections: usize,
    keys: Vec<String>,
    base_ms: i64,
    witness: Option<RedisWitness>,
}

impl RedisLogRunner {
    /// Connects `connections` clients (one per actor) for the scheme's `form`.
    pub fn open(
        cfg: &RedisConfig,
        form: &RedisForm,
        connections: usize,
    ) -> Result<RedisLogRunner, ServerUnavailable> {
        let mut probe = RedisProbe::open(cfg, connections)?;
        let base_ms = probe.server_time_ms() + AHEAD_MS;
        Ok(RedisLogRunner {
            probe,
            connections: connections.max(1),
            keys: form.keys.iter().map(|k| (*k).to_owned()).collect(),
            base_ms,
            witness: form.witness,
        })
    }

    /// The run's key prefix.
    pub fn prefix(&self) -> &str {
        self.probe.prefix()
    }

    /// Sends `log` to the server, from an empty store, command by command.
    pub fn run(&mut self, log: &[RedisCall]) -> Result<RedisLogRun, String> {
        self.probe.clear();
        let mut keys = self.keys.clone();
        let mut steps = Vec::with_capacity(log.len());
        for call in log {
            if call.connection >= self.connections {
                return Err(format!(
                    "{} sends on connection {}, but the run has {} (one per actor)",
                    call.actor, call.connection, self.connections
                ));
            }
            for arg in &call.args {
                if let RedisArg::Key(k) = arg {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
            let lapsed = self.lapse(&keys, call.at_ms)?;
            let args: Vec<String> = call.args.iter().map(|a| self.server_arg(a)).collect();
            let server = self.probe.exec(call.connection, &args);
            steps.push(RedisCompared {
                model: call.clone(),
                server,
                lapsed,
            });
        }
        if let Some(last) = log.last() {
            self.lapse(&keys, last.at_ms)?;
        }
        let server_keys = keys
            .iter()
            .map(|k| {
                let held = match self.probe.exec(0, &["GET".into(), self.key(k)]) {
                    Reply::Bulk(value) => Some(HeldKey {
                        value,
                        lapses_at: self.deadline_ms(k)?.map(|ms| lapse_tick(ms.max(0) as u64)),
                    }),
                    _ => None,
                };
                Ok((k.clone(), held))
            })
            .collect::<Result<_, String>>()?;
        let witnessed = self.witness.map_or_else(Vec::new, |witness| {
            let served: Vec<(&RedisCall, &Reply)> =
                steps.iter().map(|c| (&c.model, &c.server)).collect();
            witness(&served)
        });
        Ok(RedisLogRun {
            steps,
            server_keys,
            prefix: self.prefix().to_owned(),
            witnessed,
        })
    }

    fn key(&self, k: &str) -> String {
        format!("{}{k}", self.probe.prefix())
    }

    fn server_arg(&self, arg: &RedisArg) -> String {
        match arg {
            RedisArg::Text(s) => s.clone(),
            RedisArg::Key(k) => self.key(k),
            RedisArg::At(ms) => (self.base_ms + *ms as i64).to_string(),
        }
    }

    /// A key's deadline in virtual ms (`None`: no expiry, or no key).
    fn deadline_ms(&mut self, k: &str) -> Result<Option<i64>, String> {
        match self.probe.exec(0, &["PEXPIRETIME".into(), self.key(k)]) {
            Reply::Int(at) if at >= 0 => Ok(Some(at - self.base_ms)),
            Reply::Int(_) => Ok(None),
            other => Err(format!("PEXPIRETIME {k}: {other:?}")),
        }
    }

    /// Deletes every key whose deadline is before virtual time `now_ms`: the keys
    /// the model no longer holds at `now_ms`.
    fn lapse(&mut self, keys: &[String], now_ms: u64) -> Result<Vec<String>, String> {
        let mut lapsed = Vec::new();
        for k in keys {
            if self.deadline_ms(k)?.is_some_and(|at| (now_ms as i64) > at) {
                self.probe.exec(0, &["DEL".into(), self.key(k)]);
                lapsed.push(k.clone());
            }
        }
        Ok(lapsed)
    }
}
