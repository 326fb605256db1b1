//! [`RedisCase`]: commands written once, run on Redis and on the Redis model on the
//! same clock, compared reply by reply.

use std::time::Duration;

use locklab_models::sim::store::redis::{Redis, Reply};

use crate::redis_probe::{RedisConfig, RedisProbe};
use crate::require;

/// When a step runs. Ordinary steps run "now": on the server, back to back at the
/// server's clock; on the model, at the server time read when the case started.
/// Times in arguments are written `{now}`, `{now+N}`, `{now-N}` (ms) and stay far
/// enough from now that the few ms a run takes do not matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// Right after the previous step.
    Now,
    /// In the very millisecond this key expires (`now == expires_at`): the server
    /// runs the command in a script once the key's TTL reads 0; the model at
    /// `PEXPIRETIME`.
    Expiry(String),
    /// After this key has expired (server: once it is gone; model: 1 ms past it).
    AfterExpiry(String),
}

#[derive(Debug, Clone)]
struct RStep {
    client: usize,
    at: At,
    args: Vec<String>,
    expect: Option<Reply>,
    /// Integer replies may differ by this much (PTTL: the server's clock moved on).
    tolerance: i64,
}

/// What one step answered.
pub type RedisObserved = Reply;

/// A command interleaving over `clients` connections. Write keys as `{p}name`: `{p}`
/// becomes the run's prefix.
#[derive(Debug, Clone)]
pub struct RedisCase {
    name: String,
    clients: usize,
    steps: Vec<RStep>,
}

fn expand(arg: &str, prefix: &str, base: i64) -> String {
    let arg = arg.replace("{p}", prefix);
    let Some(start) = arg.find("{now") else {
        return arg;
    };
    let end = start
        + arg[start..]
            .find('}')
            .expect("closing } in a {now…} placeholder");
    let inner = &arg[start + 4..end];
    let offset: i64 = if inner.is_empty() {
        0
    } else {
        inner.parse().expect("{now+N} or {now-N}")
    };
    format!("{}{}{}", &arg[..start], base + offset, &arg[end + 1..])
}

impl RedisCase {
    /// A case named `name` over `clients` connections.
    pub fn new(name: &str, clients: usize) -> RedisCase {
        RedisCase {
            name: name.into(),
            clients,
            steps: Vec::new(),
        }
    }

    /// Adds a command on `client`, run now.
    pub fn step(self, client: usize, args: &[&str]) -> RedisCase {
        self.step_at(client, At::Now, args)
    }

    /// Adds a command on `client`, run at `at`.
    pub fn step_at(mut self, client: usize, at: At, args: &[&str]) -> RedisCase {
        assert!(client < self.clients, "{}: no client {client}", self.name);
        self.steps.push(RStep {
            client,
            at,
            args: args.iter().map(|a| a.to_string()).collect(),
            expect: None,
            tolerance: 0,
        });
        self
    }

    /// The last step must answer `reply` (on the server and the model).
    pub fn expect(mut self, reply: Reply) -> RedisCase {
        self.steps.last_mut().expect("a step").expect = Some(reply);
        self
    }

    /// The last step's integer reply may differ by `ms` between server and model.
    pub fn within(mut self, ms: i64) -> RedisCase {
        self.steps.last_mut().expect("a step").tolerance = ms;
        self
    }

    /// Runs the case on the model with the clock starting at `base` ms.
    pub fn run_model(&self, prefix: &str, base: i64) -> Vec<Reply> {
        let mut r = Redis::new();
        let mut now = base as u64;
        self.steps
            .iter()
            .map(|s| {
                let args: Vec<String> = s.args.iter().map(|a| expand(a, prefix, base)).collect();
                match &s.at {
                    At::Now => {}
                    At::Expiry(key) | At::AfterExpiry(key) => {
                        let key = expand(key, prefix, base);
                        let at = r.expire_time(&key, now).unwrap_or_else(|| {
                            panic!("{}: {key} has no expiry in the model", self.name)
                        });
                        now = now.max(at as u64 + u64::from(matches!(s.at, At::AfterExpiry(_))));
                    }
                }
                r.exec(&args, now)
            })
            .collect()
    }

    /// Runs the case on the server: `None` when unreachable outside CI. Returns the
    /// replies, the prefix and the server time the case started at.
    pub fn run_server(&self) -> Option<(Vec<Reply>, String, i64)> {
        let mut probe = require(
            &self.name,
            RedisProbe::open(&RedisConfig::default(), self.clients),
        )?;
        // The exact-millisecond step can miss its millisecond on a busy machine; the
        // whole case is then retried under a fresh prefix.
        for _attempt in 0..5 {
            if let Some(r) = self.try_server(&mut probe) {
                return Some(r);
            }
            probe = RedisProbe::open(&RedisConfig::default(), self.clients).ok()?;
        }
        panic!("{}: missed the expiry millisecond five times", self.name)
    }

    fn try_server(&self, probe: &mut RedisProbe) -> Option<(Vec<Reply>, String, i64)> {
        let base = probe.server_time_ms();
        let prefix = probe.prefix().to_owned();
        let mut out = Vec::new();
        for s in &self.steps {
            let args: Vec<String> = s.args.iter().map(|a| expand(a, &prefix, base)).collect();
            let within = Duration::from_secs(5);
            out.push(match &s.at {
                At::Now => probe.exec(s.client, &args),
                At::Expiry(key) => {
                    probe.exec_at_expiry(s.client, &expand(key, &prefix, base), &args, within)?
                }
                At::AfterExpiry(key) => {
                    probe.exec_after_expiry(s.client, &expand(key, &prefix, base), &args, within)
                }
            });
        }
        Some((out, prefix, base))
    }

    /// Runs both and asserts they agree reply by reply (and with the expectations).
    /// Returns whether the real server took part.
    pub fn check(&self) -> bool {
        let Some((server, prefix, base)) = self.run_server() else {
            let model = self.run_model("locklab_model:", 1_700_000_000_000);
            self.check_expectations("model", &model);
            return false;
        };
        let model = self.run_model(&prefix, base);
        self.check_expectations("model", &model);
        self.check_expectations("Redis", &server);
        for (i, (m, s)) in model.iter().zip(&server).enumerate() {
            let close = match (m, s) {
                (Reply::Int(a), Reply::Int(b)) => (a - b).abs() <= self.steps[i].tolerance,
                _ => m == s,
            };
            assert!(
                close,
                "{}: step {i} {:?}: model {m:?} vs Redis {s:?}",
                self.name, self.steps[i].args
            );
        }
        true
    }

    fn check_expectations(&self, who: &str, replies: &[Reply]) {
        for (i, (s, got)) in self.steps.iter().zip(replies).enumerate() {
            let Some(want) = &s.expect else { continue };
            let ok = match (want, got) {
                (Reply::Int(a), Reply::Int(b)) => (a - b).abs() <= s.tolerance,
                _ => want == got,
            };
            assert!(
                ok,
                "{}: step {i} {:?} on {who}: expected {want:?}, got {got:?}",
                self.name, s.args
            );
        }
    }
}
