//! [`RedisProbe`]: commands on a real Redis, one connection per client, keys under a
//! per-run prefix that is deleted at the end.

use std::time::{Duration, Instant};

use locklab_models::sim::store::redis::Reply;
use redis::aio::MultiplexedConnection;
use redis::Value as RValue;
use tokio::runtime::Runtime;

use crate::availability::ServerUnavailable;
use crate::run_name::{process_prefix, run_name};

/// Where the server is. `LOCKLAB_REDIS` overrides the default URL.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// A `redis://` URL.
    pub url: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            url: std::env::var("LOCKLAB_REDIS")
                .unwrap_or_else(|_| "redis://127.0.0.1:6379/".into()),
        }
    }
}

/// Runs a command inside a script only once the key's TTL reached 0 — the millisecond
/// it expires in. Inside a script Redis checks expiry against the script's start time,
/// so the PTTL and the command see the same instant.
const AT_EXPIRY: &str = "local t = redis.call('PTTL', KEYS[1]) \
    if t ~= 0 then return {t} end \
    return {t, redis.call(unpack(ARGV))}";

/// Clients connected to a real Redis, sharing one run's key prefix.
pub struct RedisProbe {
    rt: Runtime,
    conns: Vec<MultiplexedConnection>,
    prefix: String,
}

fn reply(v: Result<RValue, redis::RedisError>) -> Reply {
    match v {
        Ok(RValue::Nil) => Reply::Nil,
        Ok(RValue::Okay) => Reply::Ok,
        Ok(RValue::SimpleString(s)) if s == "OK" => Reply::Ok,
        Ok(RValue::SimpleString(s)) => Reply::Bulk(s),
        Ok(RValue::Int(n)) => Reply::Int(n),
        Ok(RValue::BulkString(b)) => Reply::Bulk(String::from_utf8_lossy(&b).into_owned()),
        Ok(RValue::ServerError(e)) => Reply::Error(
            format!("{} {}", e.code(), e.details().unwrap_or(""))
                .trim_end()
                .to_owned(),
        ),
        Ok(other) => Reply::Error(format!("probe: unexpected reply {other:?}")),
        Err(e) => match (e.code(), e.detail()) {
            (Some(code), Some(detail)) => Reply::Error(format!("{code} {detail}")),
            (Some(code), None) => Reply::Error(code.to_owned()),
            _ => Reply::Error(format!("probe: {e}")),
        },
    }
}

async fn call(
    conn: &mut MultiplexedConnection,
    args: &[String],
) -> Result<RValue, redis::RedisError> {
    let mut cmd = redis::cmd(&args[0]);
    for a in &args[1..] {
        cmd.arg(a);
    }
    cmd.query_async(conn).await
}

impl RedisProbe {
    /// Connects `clients` connections.
    pub fn open(cfg: &RedisConfig, clients: usize) -> Result<RedisProbe, ServerUnavailable> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread tokio runtime");
        let unavailable = |reason: String| ServerUnavailable {
            server: format!("Redis at {}", cfg.url),
            reason,
        };
        let client =
            redis::Client::open(cfg.url.as_str()).map_err(|e| unavailable(e.to_string()))?;
        let conns = rt.block_on(async {
            let mut out = Vec::new();
            for _ in 0..clients.max(1) {
                let conn = tokio::time::timeout(
                    Duration::from_secs(3),
                    client.get_multiplexed_async_connection(),
                )
                .await
                .map_err(|_| unavailable("connect timed out".into()))?
                .map_err(|e| unavailable(e.to_string()))?;
                out.push(conn);
            }
            Ok::<_, ServerUnavailable>(out)
        })?;
        Ok(RedisProbe {
            rt,
            conns,
            prefix: format!("{}:", run_name()),
        })
    }

    /// The run's key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The server's clock, in ms (`TIME`).
    pub fn server_time_ms(&mut self) -> i64 {
        let conn = &mut self.conns[0];
        let (s, us): (i64, i64) = self
            .rt
            .block_on(redis::cmd("TIME").query_async(conn))
            .expect("TIME");
        s * 1000 + us / 1000
    }

    /// Sends one command on client `client`'s connection.
    pub fn exec(&mut self, client: usize, args: &[String]) -> Reply {
        let conn = &mut self.conns[client];
        reply(self.rt.block_on(call(conn, args)))
    }

    /// Runs `args` in the millisecond `key` expires in (its TTL is 0 but it is still
    /// there), spinning for at most `within`. `None`: that millisecond was missed.
    pub fn exec_at_expiry(
        &mut self,
        client: usize,
        key: &str,
        args: &[String],
        within: Duration,
    ) -> Option<Reply> {
        let conn = &mut self.conns[client];
        let start = Instant::now();
        self.rt.block_on(async {
            while start.elapsed() < within {
                let mut cmd = redis::cmd("EVAL");
                cmd.arg(AT_EXPIRY).arg(1).arg(key);
                for a in args {
                    cmd.arg(a);
                }
                let r: RValue = cmd.query_async(conn).await.expect("the at-expiry script");
                let RValue::Array(items) = r else {
                    panic!("at-expiry script returned {r:?}")
                };
                match items.as_slice() {
                    [RValue::Int(t)] if *t > 0 => continue,
                    [RValue::Int(_)] => return None,
                    [RValue::Int(0), inner] => return Some(reply(Ok(inner.clone()))),
                    other => panic!("at-expiry script returned {other:?}"),
                }
            }
            None
        })
    }

    /// Waits (spinning, at most `within`) until `key` is gone, then sends `args`.
    pub fn exec_after_expiry(
        &mut self,
        client: usize,
        key: &str,
        args: &[String],
        within: Duration,
    ) -> Reply {
        let start = Instant::now();
        loop {
            let ttl = self.exec(client, &["PTTL".to_owned(), key.to_owned()]);
            if ttl == Reply::Int(-2) {
                break;
            }
            assert!(
                start.elapsed() < within,
                "{key} did not expire within {within:?}"
            );
            self.rt
                .block_on(async { tokio::time::sleep(Duration::from_micros(200)).await });
        }
        self.exec(client, args)
    }

    /// Keys of this process's other runs that still exist (a leak check).
    pub fn leftover_keys(&mut self) -> Vec<String> {
        let pattern = format!("{}*", process_prefix());
        let own = self.prefix.clone();
        self.keys(&pattern)
            .into_iter()
            .filter(|k| !k.starts_with(&own))
            .collect()
    }

    fn keys(&mut self, pattern: &str) -> Vec<String> {
        let conn = &mut self.conns[0];
        self.rt.block_on(async {
            let mut cursor = 0u64;
            let mut out = Vec::new();
            loop {
                let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(conn)
                    .await
                    .unwrap_or((0, Vec::new()));
                out.extend(batch);
                if next == 0 {
                    return out;
                }
                cursor = next;
            }
        })
    }
}

impl RedisProbe {
    /// Deletes every key of this run: the store starts empty again.
    pub fn clear(&mut self) {
        let pattern = format!("{}*", self.prefix);
        let keys = self.keys(&pattern);
        if keys.is_empty() {
            return;
        }
        let conn = &mut self.conns[0];
        let _: Result<i64, _> = self
            .rt
            .block_on(redis::cmd("DEL").arg(&keys).query_async(conn));
    }
}

impl Drop for RedisProbe {
    fn drop(&mut self) {
        self.clear();
    }
}
