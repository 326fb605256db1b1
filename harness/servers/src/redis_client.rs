//! What the Redis load and fault runs share: a scheme's command as the server gets
//! it, sent on an async connection, and the server's clock.

use std::time::Duration;

use locklab_models::sim::{RedisArg, RedisCommand};
use redis::aio::MultiplexedConnection;
use redis::Value as RValue;

/// The server's arguments of `cmd` bound to `params`: the key under `prefix`, a time
/// (virtual ms from virtual 0) as absolute server ms from `now_ms`, text as is.
pub(crate) fn server_args(
    cmd: RedisCommand,
    params: &[RedisArg],
    prefix: &str,
    now_ms: i64,
) -> Vec<String> {
    cmd.bind(params)
        .into_iter()
        .map(|a| match a {
            RedisArg::Text(s) => s,
            RedisArg::Key(k) => format!("{prefix}{k}"),
            RedisArg::At(ms) => (now_ms + ms as i64).to_string(),
        })
        .collect()
}

pub(crate) async fn send(
    conn: &mut MultiplexedConnection,
    args: &[String],
) -> Result<RValue, String> {
    let mut cmd = redis::cmd(&args[0]);
    for a in &args[1..] {
        cmd.arg(a);
    }
    match cmd.query_async(conn).await {
        Ok(RValue::ServerError(e)) => Err(format!("{}: {e:?}", args[0])),
        Ok(v) => Ok(v),
        Err(e) => Err(format!("{}: {e}", args[0])),
    }
}

pub(crate) async fn connect(
    client: &redis::Client,
    url: &str,
) -> Result<MultiplexedConnection, String> {
    tokio::time::timeout(
        Duration::from_secs(3),
        client.get_multiplexed_async_connection(),
    )
    .await
    .map_err(|_| format!("Redis at {url}: connect timed out"))?
    .map_err(|e| format!("Redis at {url} is unreachable: {e}"))
}

/// The server's clock, in ms (`TIME`).
pub(crate) async fn server_ms(conn: &mut MultiplexedConnection) -> Result<i64, String> {
    let (s, us): (i64, i64) = redis::cmd("TIME")
        .query_async(conn)
        .await
        .map_err(|e| format!("TIME: {e}"))?;
    Ok(s * 1000 + us / 1000)
}
