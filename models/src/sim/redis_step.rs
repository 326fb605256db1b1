//! Redis commands as steps: [`Actor::redis`] sends one command to the world's
//! [`Redis`] model as one step, and logs it — the arguments with their kinds, the
//! virtual time and the reply — so the same commands can be sent again, in the same
//! order, to a real Redis.
//!
//! A scheme writes each command once, as a template ([`RedisCommand`]): literal
//! arguments, and `$1…` for what it binds at run time. A bound argument says what it
//! is ([`RedisArg`]): a key (a server run puts it under the run's prefix), a time (a
//! server run maps virtual time onto its own clock), or plain text. Redis never makes
//! a command wait, so a command is always one step that completes.

use super::store::redis::{script_name, Redis, Reply};
use super::{Actor, Halt, Step, Tick};

/// Virtual milliseconds per tick: a command sent at tick `t` runs at `t * 1000` ms.
/// A lease of `ttl` ticks written at tick `t` is live through its last millisecond
/// `(t + ttl) * 1000 - 1` ([`lapses_at`]), and gone from tick `t + ttl` on.
pub const MS_PER_TICK: u64 = 1000;

/// The absolute deadline (virtual ms) of something that lapses at the start of tick
/// `tick`: Redis keeps a key while `now <= expires_at`, so its last live millisecond
/// is the one before.
pub fn lapses_at(tick: Tick) -> RedisArg {
    RedisArg::At((tick * MS_PER_TICK).saturating_sub(1))
}

/// The tick at which a key whose last live millisecond is `last_live_ms` has lapsed:
/// the first tick whose start is past it (the inverse of [`lapses_at`]).
pub fn lapse_tick(last_live_ms: u64) -> Tick {
    last_live_ms / MS_PER_TICK + 1
}

/// One argument of a command, with what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RedisArg {
    /// Sent as written.
    Text(String),
    /// A key: on a server, under the run's prefix.
    Key(String),
    /// An absolute time in virtual ms (`PXAT`, `PEXPIREAT`): on a server, the run
    /// maps it onto the server's clock.
    At(u64),
}

impl RedisArg {
    /// Plain text.
    pub fn text(s: impl ToString) -> RedisArg {
        RedisArg::Text(s.to_string())
    }

    /// The argument as the model receives it.
    pub fn model_text(&self) -> String {
        match self {
            RedisArg::Text(s) | RedisArg::Key(s) => s.clone(),
            RedisArg::At(ms) => ms.to_string(),
        }
    }
}

/// A command as a scheme writes it, once: `["SET", "$1", "$2", "NX", "PXAT", "$3"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedisCommand(pub &'static [&'static str]);

impl RedisCommand {
    /// The command with `$n` bound to `params[n - 1]`. Panics on a placeholder without
    /// a parameter: a scheme's own template and its call site disagree.
    pub fn bind(&self, params: &[RedisArg]) -> Vec<RedisArg> {
        self.0
            .iter()
            .map(
                |a| match a.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                    Some(n) => params
                        .get(n - 1)
                        .unwrap_or_else(|| panic!("{a} of {:?} has no parameter", self.0))
                        .clone(),
                    None => RedisArg::Text((*a).to_owned()),
                },
            )
            .collect()
    }

    /// Binds `params` and sends the command to `store` at `now` (a tick): what the
    /// model's steps and the bench's threads both call.
    pub fn run(&self, store: &mut Redis, params: &[RedisArg], now: Tick) -> Reply {
        let args: Vec<String> = self.bind(params).iter().map(RedisArg::model_text).collect();
        store.exec(&args, now * MS_PER_TICK)
    }
}

/// One command of a run, as it was sent and answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisCall {
    /// The actor that sent it.
    pub actor: String,
    /// Its connection (one per actor).
    pub connection: usize,
    /// When, in virtual ms.
    pub at_ms: u64,
    /// The arguments, bound.
    pub args: Vec<RedisArg>,
    /// The model's reply.
    pub reply: Reply,
}

impl<S> Actor<S> {
    /// Sends `command` with `params(now)` on `connection` to the Redis `store(state)`
    /// points at, as one step, and `then` runs in the same atomic step with the reply:
    /// what the world outside the store records about it (a property check), with
    /// nothing interleaved between the two.
    pub fn redis<T: std::hash::Hash + std::fmt::Debug>(
        &self,
        label: &'static str,
        store: impl Fn(&mut S) -> &mut Redis,
        connection: usize,
        command: RedisCommand,
        params: impl Fn(Tick) -> Vec<RedisArg>,
        then: impl Fn(&mut Step<'_, S>, &Reply) -> T,
    ) -> Result<T, Halt> {
        self.step(label, |s| {
            let bound = command.bind(&params(s.now));
            let args: Vec<String> = bound.iter().map(RedisArg::model_text).collect();
            let at_ms = s.now * MS_PER_TICK;
            let reply = store(s.state).exec(&args, at_ms);
            self.recorder().log_redis(RedisCall {
                actor: self.name().to_owned(),
                connection,
                at_ms,
                args: bound,
                reply: reply.clone(),
            });
            let out = then(s, &reply);
            // The timeline shows the command and its reply, then what the scheme made
            // of it (if it said).
            let meaning = s.saw.take();
            s.saw(|| {
                let sent = format!("{} → {}", shown(&args), describe(&reply));
                match meaning {
                    Some(m) => format!("{sent}: {m}"),
                    None => sent,
                }
            });
            out
        })
    }
}

/// A command as the timeline shows it: a known script by its name.
fn shown(args: &[String]) -> String {
    let words: Vec<&str> = args
        .iter()
        .map(|a| script_name(a).unwrap_or(a.as_str()))
        .collect();
    words.join(" ")
}

/// A reply as the timeline shows it: `OK`, `(nil)`, `1`, `"A"`, `ERR …`.
pub fn describe(reply: &Reply) -> String {
    match reply {
        Reply::Ok => "OK".to_owned(),
        Reply::Nil => "(nil)".to_owned(),
        Reply::Int(n) => n.to_string(),
        Reply::Bulk(s) => format!("\"{s}\""),
        Reply::Error(e) => e.clone(),
    }
}
