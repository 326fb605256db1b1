//! What the correct lease's real commands cost on a real Redis: N clients (one tokio
//! task and one connection each) contending for ONE lease key — one bot token —
//! with `singleton-poller/renewed-lease`'s own command templates
//! (`models/src/singleton_poller/statements.rs`), beside `redis-benchmark` sending
//! the same commands to the same server in the same run.
//!
//! One *operation* is one client's turn, as [`PollerWorkload`]'s lease guard runs it
//! on OS threads: [`ACQUIRE_LEASE`] (`SET key me NX PXAT deadline`, the deadline the
//! server's clock now plus [`LEASE_TICKS`] s; on refusal the client sends it again
//! at once), then the critical section (an in-process counter), then
//! [`RENEW_LEASE`] once (compare-and-pexpireat) and [`RELEASE_LEASE`]
//! (compare-and-delete). An *attempt* is one acquire command sent, a *success* one
//! that was granted. Checked on the way: no grant while another client holds the
//! lease, every grant's renewal and compare-and-delete returned 1; afterwards the
//! key is gone and the counter equals the grants. Any of these failing is an `Err`.
//!
//! What the comparison with `redis-benchmark` is, exactly. `redis-benchmark -c N`
//! keeps one command in flight per client (`-P 1`, its default: no pipelining), with
//! no think time, from one C event loop, and runs *one* command over and over. Our
//! operation is three round trips at best (acquire, renew, release), more with
//! refused acquires, each decided on its reply, through the `redis` crate and tokio.
//! So [`RedisBenchmark`] runs each of the three commands in turn on the same hot key
//! (the key deleted first: its first `SET NX` is granted and the rest refused, as
//! most of ours are under contention; the renewals then all succeed; its first
//! release deletes the key and the rest find it gone), and
//! [`RedisBenchmark::commands_per_s_for`] weights the three rates by the mix our run
//! sent (acquires : renewals : releases = attempts : successes : successes): the
//! commands per second `redis-benchmark` sustains on that same mix, one command
//! kind at a time. The ratio is commands per second to commands per second; it says
//! what the client side and the round-trip-bound protocol cost, not that the
//! protocol does fewer operations than the server could.
//!
//! [`PollerWorkload`]: locklab_models::singleton_poller::PollerWorkload

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::sim::{RedisCommand, Tick};
use locklab_models::singleton_poller::statements::{
    lease_params, release_params, ACQUIRE_LEASE, RELEASE_LEASE, RENEW_LEASE,
};
use locklab_models::singleton_poller::LEASE_KEY;
use redis::Value as RValue;

use crate::load::Measured;
use crate::redis_client::{connect, send, server_args, server_ms};
use crate::redis_probe::RedisConfig;
use crate::run_name::run_name;

/// The lease's length in model ticks (1 s each): far longer than any operation, so
/// it never lapses under its holder (expiry is not measured).
pub const LEASE_TICKS: Tick = 30;

/// The three commands, in the order `redis-benchmark` runs them.
const COMMANDS: [(&str, RedisCommand); 3] = [
    ("acquire", ACQUIRE_LEASE),
    ("renew", RENEW_LEASE),
    ("release", RELEASE_LEASE),
];

/// `redis-benchmark`'s rates for the lease's three commands, requests per second.
#[derive(Debug, Clone, Copy)]
pub struct RedisBenchmark {
    /// `SET key 0 NX PXAT deadline` (all but the first refused).
    pub acquire_per_s: f64,
    /// The compare-and-pexpireat `EVAL` (all succeed).
    pub renew_per_s: f64,
    /// The compare-and-delete `EVAL` (the first deletes, the rest find the key gone).
    pub release_per_s: f64,
}

impl RedisBenchmark {
    /// The commands per second `redis-benchmark` sustains on the mix of commands `ours`
    /// sent (attempts acquires, successes renewals and as many releases): the total
    /// over the time each kind takes at its own rate.
    pub fn commands_per_s_for(&self, ours: &Measured) -> f64 {
        let (a, g) = (ours.attempts_per_s, ours.successes_per_s);
        let time = a / self.acquire_per_s + g / self.renew_per_s + g / self.release_per_s;
        if time > 0.0 {
            (a + 2.0 * g) / time
        } else {
            0.0
        }
    }
}

/// The lease bench's connection to a real Redis: a run's key prefix, deleted when
/// done.
pub struct LeaseLoad {
    cfg: RedisConfig,
    client: redis::Client,
    prefix: String,
    rt: tokio::runtime::Runtime,
    /// `redis-benchmark`'s last rate per (command, clients): how many requests make a
    /// run of the asked-for length.
    last_rate: RefCell<HashMap<(usize, usize), f64>>,
}

/// requests/s from `redis-benchmark --csv`: the header names the columns; the test
/// name (the command, with commas of its own) comes first, so count from the end.
fn csv_rps(out: &str) -> Option<f64> {
    let mut lines = out.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next()?.split(',').collect();
    let rps = header.iter().position(|h| h.trim_matches('"') == "rps")?;
    let row = lines.next()?;
    row.rsplit(',')
        .nth(header.len() - 1 - rps)?
        .trim_matches('"')
        .parse()
        .ok()
}

impl LeaseLoad {
    /// Connects (an error if the server is unreachable) and picks the run's prefix.
    pub fn create(cfg: &RedisConfig) -> Result<LeaseLoad, String> {
        let rt = crate::faults::runtime()?;
        let client = redis::Client::open(cfg.url.as_str())
            .map_err(|e| format!("Redis at {}: {e}", cfg.url))?;
        rt.block_on(async {
            let mut conn = connect(&client, &cfg.url).await?;
            server_ms(&mut conn).await.map(drop)
        })?;
        Ok(LeaseLoad {
            cfg: cfg.clone(),
            client,
            prefix: format!("{}:", run_name()),
            rt,
            last_rate: RefCell::new(HashMap::new()),
        })
    }

    /// The run's key prefix (every key it writes starts with it).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `Redis <redis_version>`, from `INFO server`.
    pub fn version(&self) -> Result<String, String> {
        self.rt.block_on(async {
            let mut conn = connect(&self.client, &self.cfg.url).await?;
            let info: String = redis::cmd("INFO")
                .arg("server")
                .query_async(&mut conn)
                .await
                .map_err(|e| format!("INFO: {e}"))?;
            let version = info
                .lines()
                .find_map(|l| l.strip_prefix("redis_version:"))
                .ok_or("no redis_version in INFO server")?;
            Ok(format!("Redis {}", version.trim()))
        })
    }

    /// Deletes every key under the run's prefix.
    fn clear(&self) -> Result<(), String> {
        self.rt.block_on(async {
            let mut conn = connect(&self.client, &self.cfg.url).await?;
            let mut cursor = 0u64;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(format!("{}*", self.prefix))
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| format!("SCAN: {e}"))?;
                if !keys.is_empty() {
                    let _: i64 = redis::cmd("DEL")
                        .arg(&keys)
                        .query_async(&mut conn)
                        .await
                        .map_err(|e| format!("DEL: {e}"))?;
                }
                if next == 0 {
                    return Ok(());
                }
                cursor = next;
            }
        })
    }

    /// `clients` tasks, each on its own connection, taking turns with the lease on
    /// the one hot key for `time` (see the module's doc). Rates are over the run's
    /// real length (up to one operation per client past `time`).
    pub fn run(&self, clients: usize, time: Duration) -> Result<Measured, String> {
        self.clear()?;
        let holders = Arc::new(AtomicU64::new(0));
        let polls = Arc::new(AtomicU64::new(0));
        let (prefix, url) = (self.prefix.as_str(), self.cfg.url.as_str());
        let (attempts, successes, released, elapsed, left) = self.rt.block_on(async {
            let mut conns = Vec::new();
            for _ in 0..clients {
                conns.push(connect(&self.client, url).await?);
            }
            let base_ms = server_ms(&mut conns[0]).await?;
            let start = Instant::now();
            // Server ms now: the server's clock read once, plus this host's monotonic
            // clock since (one host, so the two do not drift apart in a run).
            let now = move || base_ms + start.elapsed().as_millis() as i64;
            let mut tasks = Vec::new();
            for (me, mut conn) in conns.into_iter().enumerate() {
                let (holders, polls) = (Arc::clone(&holders), Arc::clone(&polls));
                let prefix = prefix.to_owned();
                tasks.push(tokio::spawn(async move {
                    // Bound at virtual tick 0: the deadline is virtual ms
                    // `LEASE_TICKS * 1000 - 1`, sent as that many ms after server-now.
                    let lease = lease_params(LEASE_KEY, me, LEASE_TICKS, 0);
                    let release =
                        server_args(RELEASE_LEASE, &release_params(LEASE_KEY, me), &prefix, 0);
                    let (mut attempts, mut successes, mut released) = (0u64, 0u64, 0u64);
                    'turns: while start.elapsed() < time {
                        loop {
                            attempts += 1;
                            let acquire = server_args(ACQUIRE_LEASE, &lease, &prefix, now());
                            match send(&mut conn, &acquire).await? {
                                RValue::Okay => break,
                                RValue::SimpleString(s) if s == "OK" => break,
                                RValue::Nil if start.elapsed() < time => continue,
                                RValue::Nil => break 'turns,
                                other => return Err(format!("SET NX PXAT replied {other:?}")),
                            }
                        }
                        successes += 1;
                        if holders.fetch_add(1, Ordering::SeqCst) != 0 {
                            return Err("two clients were granted the lease at once".to_owned());
                        }
                        polls.fetch_add(1, Ordering::SeqCst); // the poll
                        let renew = server_args(RENEW_LEASE, &lease, &prefix, now());
                        let renewed = send(&mut conn, &renew).await;
                        holders.fetch_sub(1, Ordering::SeqCst);
                        match renewed? {
                            RValue::Int(1) => {}
                            other => {
                                return Err(format!(
                                    "client {me}'s renewal of its granted lease replied {other:?}"
                                ))
                            }
                        }
                        match send(&mut conn, &release).await? {
                            RValue::Int(1) => released += 1,
                            other => {
                                return Err(format!(
                                    "client {me}'s compare-and-delete of its granted lease \
                                     replied {other:?}"
                                ))
                            }
                        }
                    }
                    Ok::<_, String>((attempts, successes, released))
                }));
            }
            let (mut a, mut s, mut r) = (0, 0, 0);
            for t in tasks {
                let (ta, ts, tr) = t.await.map_err(|e| e.to_string())??;
                a += ta;
                s += ts;
                r += tr;
            }
            let elapsed = start.elapsed();
            let mut conn = connect(&self.client, url).await?;
            let left: i64 = redis::cmd("EXISTS")
                .arg(format!("{prefix}{LEASE_KEY}"))
                .query_async(&mut conn)
                .await
                .map_err(|e| format!("EXISTS: {e}"))?;
            Ok::<_, String>((a, s, r, elapsed, left))
        })?;
        let polls = polls.load(Ordering::SeqCst);
        if released != successes || polls != successes || left != 0 {
            return Err(format!(
                "the lease: {successes} grants, {released} compare-and-deletes that returned \
                 1, {polls} polls, and the key {} afterwards",
                if left == 0 { "gone" } else { "still there" }
            ));
        }
        let secs = elapsed.as_secs_f64();
        Ok(Measured {
            successes_per_s: successes as f64 / secs,
            attempts_per_s: attempts as f64 / secs,
            statements_per_s: (attempts + 2 * successes) as f64 / secs,
        })
    }

    /// `redis-benchmark -c clients` on the same server and hot key: each of the three
    /// commands for about a third of `time` (see the module's doc).
    pub fn redis_benchmark(
        &self,
        clients: usize,
        time: Duration,
    ) -> Result<RedisBenchmark, String> {
        self.clear()?;
        let per = (time / 3).max(Duration::from_millis(300));
        let base_ms = self.rt.block_on(async {
            let mut conn = connect(&self.client, &self.cfg.url).await?;
            server_ms(&mut conn).await
        })?;
        // One fixed deadline for every request: the lease's length past the end of
        // the whole benchmark, so none is in the past.
        let now_ms = base_ms + (per * 3).as_millis() as i64;
        let lease = lease_params(LEASE_KEY, 0, LEASE_TICKS, 0);
        let release = release_params(LEASE_KEY, 0);
        let mut rates = [0.0; 3];
        for (i, (name, cmd)) in COMMANDS.iter().enumerate() {
            let params = if i == 2 { &release } else { &lease };
            let args = server_args(*cmd, params, &self.prefix, now_ms);
            let known = self.last_rate.borrow().get(&(i, clients)).copied();
            let rate = match known {
                Some(r) => r,
                // A short first run to size the real one.
                None => self.redis_benchmark_once(&args, clients, 10_000)?,
            };
            let count = ((rate * per.as_secs_f64()) as u64).max(1000);
            rates[i] = self
                .redis_benchmark_once(&args, clients, count)
                .map_err(|e| format!("{name}: {e}"))?;
            self.last_rate.borrow_mut().insert((i, clients), rates[i]);
        }
        self.clear()?;
        Ok(RedisBenchmark {
            acquire_per_s: rates[0],
            renew_per_s: rates[1],
            release_per_s: rates[2],
        })
    }

    fn redis_benchmark_once(
        &self,
        args: &[String],
        clients: usize,
        count: u64,
    ) -> Result<f64, String> {
        let out = std::process::Command::new("redis-benchmark")
            .args(["-u", &self.cfg.url])
            .args([
                "-c",
                &clients.to_string(),
                "-n",
                &count.to_string(),
                "--csv",
            ])
            .args(args)
            .output()
            .map_err(|e| format!("redis-benchmark did not run: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "redis-benchmark failed: {}{text}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        csv_rps(&text).ok_or_else(|| format!("no rps in redis-benchmark's output: {text}"))
    }
}

impl Drop for LeaseLoad {
    fn drop(&mut self) {
        let _ = self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requests_per_second_from_the_csv() {
        let out = "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n\
                   \"EVAL if redis.call('get',KEYS[1]) == ARGV[1] then return 0 end 1 k 0\",\"43196.54\",\"0.035\",\"0.008\",\"0.039\",\"0.071\",\"0.111\",\"0.615\"\n";
        assert_eq!(csv_rps(out), Some(43196.54));
    }

    #[test]
    fn binds_the_template_for_the_server() {
        let args = server_args(
            ACQUIRE_LEASE,
            &lease_params("k", 3, LEASE_TICKS, 0),
            "p:",
            1_000,
        );
        assert_eq!(args, ["SET", "p:k", "3", "NX", "PXAT", "30999"]);
    }
}
