//! A Redis model that executes commands as sent to the server, on a virtual clock.
//!
//! [`Redis::exec`] takes the argument list a client sends (`["SET", "k", "v", "NX",
//! "PX", "30000"]`) and the virtual time in milliseconds, and answers as Redis 7
//! does; `harness/servers/tests/redis_spec.rs` pins each rule against the real
//! server. Time never comes from the wall clock.
//!
//! Expiry follows Redis exactly: a key is visible while `now <= expires_at` (it
//! expires when `now > expires_at`), but a command that *sets* an expiry at or before
//! `now` (`SET … PXAT`, `PEXPIREAT`, `PEXPIRE k 0`) deletes the key at once; a
//! non-positive `SET` expire is `ERR invalid expire time in 'set' command`.

use std::collections::BTreeMap;

/// A reply, mirroring RESP.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reply {
    /// `+OK`.
    Ok,
    /// The null bulk string (`GET` of a missing key, `SET NX` that did not set).
    Nil,
    /// `:n`.
    Int(i64),
    /// A bulk string.
    Bulk(String),
    /// `-ERR …`: the whole error line, code first.
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Entry {
    value: String,
    /// Absolute expiry in ms; `None`: persistent.
    expires_at: Option<i64>,
}

/// Keys to string values with optional expiry; plain data (clone, compare, hash).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Redis {
    entries: BTreeMap<String, Entry>,
}

const CAD: &str =
    "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end";
const CAPEXPIRE: &str = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('pexpire',KEYS[1],ARGV[2]) else return 0 end";
const CAPEXPIREAT: &str = "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('pexpireat',KEYS[1],ARGV[2]) else return 0 end";

/// The standard compare-and-delete script (release a lock only if it is still yours).
pub const COMPARE_AND_DELETE: &str = CAD;
/// The standard compare-and-pexpire script (renew a lock only if it is still yours).
pub const COMPARE_AND_PEXPIRE: &str = CAPEXPIRE;
/// The compare-and-pexpireat script: renew a lock only if it is still yours, to an
/// absolute deadline (how a scheme passes the harness clock to the store).
pub const COMPARE_AND_PEXPIREAT: &str = CAPEXPIREAT;

/// A script the model runs: `if GET KEYS[1] == ARGV[1] then <command> KEYS[1]
/// ARGV[2..] else 0`, recognised by its text.
struct Known {
    text: &'static str,
    /// For timelines.
    name: &'static str,
    command: &'static str,
    /// Arguments after `ARGV[1]` the command takes.
    extra: usize,
}

const KNOWN: [Known; 3] = [
    Known {
        text: CAD,
        name: "<compare-and-delete>",
        command: "del",
        extra: 0,
    },
    Known {
        text: CAPEXPIRE,
        name: "<compare-and-pexpire>",
        command: "pexpire",
        extra: 1,
    },
    Known {
        text: CAPEXPIREAT,
        name: "<compare-and-pexpireat>",
        command: "pexpireat",
        extra: 1,
    },
];

/// The known script `script` is, whitespace, case and quotes aside. The known texts
/// are normalised once: an `EVAL` is a step the engines run millions of times.
fn known(script: &str) -> Option<&'static Known> {
    static NORMALISED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let texts = NORMALISED.get_or_init(|| KNOWN.iter().map(|k| normalise(k.text)).collect());
    let s = normalise(script);
    KNOWN
        .iter()
        .zip(texts)
        .find(|(_, t)| **t == s)
        .map(|(k, _)| k)
}

/// The name of a script the model knows (`<compare-and-delete>`), for timelines.
pub fn script_name(script: &str) -> Option<&'static str> {
    known(script).map(|k| k.name)
}

fn normalise(script: &str) -> String {
    script
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c == '"' {
                '\''
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn err(msg: &str) -> Reply {
    Reply::Error(format!("ERR {msg}"))
}

fn not_integer() -> Reply {
    err("value is not an integer or out of range")
}

fn arity(cmd: &str) -> Reply {
    err(&format!("wrong number of arguments for '{cmd}' command"))
}

fn parse_int(s: &str) -> Option<i64> {
    s.parse().ok()
}

impl Redis {
    /// An empty store.
    pub fn new() -> Redis {
        Redis::default()
    }

    fn live(&self, key: &str, now: i64) -> Option<&Entry> {
        self.entries
            .get(key)
            .filter(|e| e.expires_at.is_none_or(|at| now <= at))
    }

    /// `GET key` at `now_ms`, without going through argument lists.
    pub fn get(&self, key: &str, now_ms: u64) -> Option<&str> {
        self.live(key, now_ms as i64).map(|e| e.value.as_str())
    }

    /// When a live `key` expires (`PEXPIRETIME`), if it has an expiry.
    pub fn expire_time(&self, key: &str, now_ms: u64) -> Option<i64> {
        self.live(key, now_ms as i64).and_then(|e| e.expires_at)
    }

    /// Every live key and value at `now_ms`, in key order (for properties).
    pub fn live_entries(&self, now_ms: u64) -> impl Iterator<Item = (&str, &str)> {
        let now = now_ms as i64;
        self.entries
            .iter()
            .filter(move |(_, e)| e.expires_at.is_none_or(|at| now <= at))
            .map(|(k, e)| (k.as_str(), e.value.as_str()))
    }

    /// Drops expired keys (Redis's active expiry): no reply changes, but two stores
    /// holding the same live keys then compare equal.
    pub fn purge_expired(&mut self, now_ms: u64) {
        let now = now_ms as i64;
        self.entries
            .retain(|_, e| e.expires_at.is_none_or(|at| now <= at));
    }

    /// Executes one command, given as the argument list sent to the server, at virtual
    /// time `now_ms`. Supported: `SET` (`NX`/`XX`, `EX`/`PX`/`EXAT`/`PXAT`/`KEEPTTL`),
    /// `GET`, `DEL`, `EXISTS`, `INCR`, `PEXPIRE`, `PEXPIREAT` (`NX`/`XX`/`GT`/`LT`),
    /// `PTTL`, `PEXPIRETIME`, and `EVAL` of [`COMPARE_AND_DELETE`],
    /// [`COMPARE_AND_PEXPIRE`] and [`COMPARE_AND_PEXPIREAT`] (recognised by their text). Anything else is an error
    /// naming it.
    pub fn exec<S: AsRef<str>>(&mut self, args: &[S], now_ms: u64) -> Reply {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let Some(cmd) = args.first() else {
            return err("empty command");
        };
        let now = now_ms as i64;
        let cmd = cmd.to_ascii_lowercase();
        let rest = &args[1..];
        match (cmd.as_str(), rest) {
            ("set", [key, value, opts @ ..]) => self.set(key, value, opts, now),
            ("get", [key]) => self
                .live(key, now)
                .map_or(Reply::Nil, |e| Reply::Bulk(e.value.clone())),
            ("del", keys) if !keys.is_empty() => {
                Reply::Int(keys.iter().filter(|k| self.delete(k, now)).count() as i64)
            }
            ("exists", keys) if !keys.is_empty() => {
                Reply::Int(keys.iter().filter(|k| self.live(k, now).is_some()).count() as i64)
            }
            ("incr", [key]) => self.incr(key, now),
            ("pexpire", [key, ms, opts @ ..]) => match parse_int(ms) {
                None => not_integer(),
                Some(ms) => match now.checked_add(ms) {
                    None => err("invalid expire time in 'pexpire' command"),
                    Some(at) => self.expire_at(key, at, opts, now),
                },
            },
            ("pexpireat", [key, at, opts @ ..]) => match parse_int(at) {
                None => not_integer(),
                Some(at) => self.expire_at(key, at, opts, now),
            },
            ("pttl", [key]) => Reply::Int(match self.live(key, now) {
                None => -2,
                Some(Entry {
                    expires_at: None, ..
                }) => -1,
                Some(Entry {
                    expires_at: Some(at),
                    ..
                }) => (at - now).max(0),
            }),
            ("pexpiretime", [key]) => Reply::Int(match self.live(key, now) {
                None => -2,
                Some(e) => e.expires_at.unwrap_or(-1),
            }),
            ("eval", [script, numkeys, params @ ..]) => self.eval(script, numkeys, params, now),
            (
                "set" | "get" | "del" | "exists" | "incr" | "pexpire" | "pexpireat" | "pttl"
                | "pexpiretime" | "eval",
                _,
            ) => arity(&cmd),
            _ => err(&format!(
                "command '{cmd}' is not supported by the locklab Redis model"
            )),
        }
    }

    /// Removes a live key; whether it was there.
    fn delete(&mut self, key: &str, now: i64) -> bool {
        let live = self.live(key, now).is_some();
        self.entries.remove(key);
        live
    }

    fn set(&mut self, key: &str, value: &str, opts: &[&str], now: i64) -> Reply {
        let (mut nx, mut xx, mut keepttl) = (false, false, false);
        let mut expire: Option<(&str, &str)> = None;
        let mut i = 0;
        while i < opts.len() {
            let opt = opts[i].to_ascii_lowercase();
            match opt.as_str() {
                "nx" if !xx => nx = true,
                "xx" if !nx => xx = true,
                "keepttl" if expire.is_none() => keepttl = true,
                "ex" | "px" | "exat" | "pxat"
                    if !keepttl && expire.is_none_or(|(u, _)| u == opt) && i + 1 < opts.len() =>
                {
                    i += 1;
                    expire = Some((
                        ["ex", "px", "exat", "pxat"]
                            .into_iter()
                            .find(|u| *u == opt)
                            .unwrap_or("px"),
                        opts[i],
                    ));
                }
                "get" => return err("SET … GET is not supported by the locklab Redis model"),
                _ => return err("syntax error"),
            }
            i += 1;
        }
        let invalid = || err("invalid expire time in 'set' command");
        let expires_at = match expire {
            None => None,
            Some((unit, n)) => {
                let Some(n) = parse_int(n) else {
                    return not_integer();
                };
                if n <= 0 {
                    return invalid();
                }
                let at = match unit {
                    "ex" => n.checked_mul(1000).and_then(|ms| now.checked_add(ms)),
                    "px" => now.checked_add(n),
                    "exat" => n.checked_mul(1000),
                    _ => Some(n),
                };
                match at {
                    Some(at) => Some(at),
                    None => return invalid(),
                }
            }
        };
        let existing = self.live(key, now);
        if (nx && existing.is_some()) || (xx && existing.is_none()) {
            return Reply::Nil;
        }
        let expires_at = if keepttl {
            existing.and_then(|e| e.expires_at)
        } else {
            expires_at
        };
        if expires_at.is_some_and(|at| at <= now) {
            // Redis deletes a key whose new expiry is already due.
            self.entries.remove(key);
            return Reply::Ok;
        }
        self.entries.insert(
            key.to_owned(),
            Entry {
                value: value.to_owned(),
                expires_at,
            },
        );
        Reply::Ok
    }

    fn incr(&mut self, key: &str, now: i64) -> Reply {
        let (current, expires_at) = match self.live(key, now) {
            None => (0, None),
            Some(e) => match parse_int(&e.value) {
                Some(n) => (n, e.expires_at),
                None => return not_integer(),
            },
        };
        let Some(next) = current.checked_add(1) else {
            return err("increment or decrement would overflow");
        };
        self.entries.insert(
            key.to_owned(),
            Entry {
                value: next.to_string(),
                expires_at,
            },
        );
        Reply::Int(next)
    }

    fn expire_at(&mut self, key: &str, at: i64, opts: &[&str], now: i64) -> Reply {
        let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
        for opt in opts {
            match opt.to_ascii_lowercase().as_str() {
                "nx" => nx = true,
                "xx" => xx = true,
                "gt" => gt = true,
                "lt" => lt = true,
                other => return err(&format!("Unsupported option {other}")),
            }
        }
        if nx && (xx || gt || lt) {
            return err("NX and XX, GT or LT options at the same time are not compatible");
        }
        if gt && lt {
            return err("GT and LT options at the same time are not compatible");
        }
        let Some(e) = self.live(key, now) else {
            return Reply::Int(0);
        };
        let allowed = match e.expires_at {
            None => !(xx || gt),
            Some(cur) => !(nx || (gt && at <= cur) || (lt && at >= cur)),
        };
        if !allowed {
            return Reply::Int(0);
        }
        if at <= now {
            self.entries.remove(key);
        } else if let Some(e) = self.entries.get_mut(key) {
            e.expires_at = Some(at);
        }
        Reply::Int(1)
    }

    fn eval(&mut self, script: &str, numkeys: &str, params: &[&str], now: i64) -> Reply {
        let Some(n) = parse_int(numkeys).filter(|n| *n >= 0) else {
            return not_integer();
        };
        if n as usize > params.len() {
            return err("Number of keys can't be greater than number of args");
        }
        let (keys, argv) = params.split_at(n as usize);
        if let Some(k) = known(script).filter(|k| !keys.is_empty() && argv.len() > k.extra) {
            let now = now as u64;
            if self.get(keys[0], now).is_some_and(|v| v == argv[0]) {
                let mut args = vec![k.command, keys[0]];
                args.extend_from_slice(&argv[1..=k.extra]);
                return self.exec(&args, now);
            }
            return Reply::Int(0);
        }
        err("the locklab Redis model only runs the compare-and-delete, compare-and-pexpire and compare-and-pexpireat scripts")
    }
}
