//! The real-server bench's results (`reports/servers.json`): written by
//! `locklab-pgload` (harness/servers), read by the report.

use serde::{Deserialize, Serialize};

/// Repeated measurements of one rate: mean and range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Mean over the runs, per second.
    pub mean: f64,
    /// The slowest run.
    pub min: f64,
    /// The fastest run.
    pub max: f64,
}

impl Rate {
    /// Mean and range of `xs` (per-second rates, at least one).
    pub fn of(xs: &[f64]) -> Rate {
        let n = xs.len().max(1) as f64;
        Rate {
            mean: xs.iter().sum::<f64>() / n,
            min: xs.iter().copied().fold(f64::INFINITY, f64::min),
            max: xs.iter().copied().fold(0.0, f64::max),
        }
    }
}

/// One rung at one client count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerBenchRow {
    /// The server the rung ran on: `PostgreSQL` or `Redis` (files from before Redis
    /// rows: `PostgreSQL`).
    #[serde(default = "postgresql")]
    pub server: String,
    /// The rung's scenario id.
    pub rung: String,
    /// Concurrent clients (one connection each).
    pub clients: usize,
    /// Claims (lease grants) that won: successful operations.
    pub successes: Rate,
    /// Claim statements (acquire commands) sent.
    pub attempts: Rate,
    /// Every statement (or command) sent: claims and releases, renewals.
    pub statements: Rate,
    /// The reference tool run beside ours: `pgbench` or `redis-benchmark`.
    #[serde(default = "pgbench")]
    pub reference: String,
    /// The reference tool running the same statements, statements (commands) per
    /// second.
    #[serde(alias = "pgbench_statements")]
    pub reference_statements: Rate,
}

fn postgresql() -> String {
    "PostgreSQL".to_owned()
}

fn pgbench() -> String {
    "pgbench".to_owned()
}

/// A whole run of the bench.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerBench {
    /// `SELECT version()` of the PostgreSQL server measured.
    pub server: String,
    /// The Redis server measured (`Redis <version>`), if Redis rows were measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis_server: Option<String>,
    /// Seconds each timed run lasted.
    pub seconds_per_run: u64,
    /// Timed runs per row (for ours and for pgbench each).
    pub runs: usize,
    /// The rows.
    pub rows: Vec<ServerBenchRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_from_before_the_redis_rows_still_reads_as_postgresql_and_pgbench() {
        let rate = r#"{"mean": 2.0, "min": 1.0, "max": 3.0}"#;
        let old = format!(
            r#"{{"server": "PostgreSQL 15", "seconds_per_run": 2, "runs": 3, "rows": [
                {{"rung": "r", "clients": 1, "successes": {rate}, "attempts": {rate},
                  "statements": {rate}, "pgbench_statements": {rate}}}]}}"#
        );
        let bench: ServerBench = serde_json::from_str(&old).unwrap();
        assert_eq!(bench.redis_server, None);
        let row = &bench.rows[0];
        assert_eq!(
            (row.server.as_str(), row.reference.as_str()),
            ("PostgreSQL", "pgbench")
        );
        assert_eq!(row.reference_statements, Rate::of(&[1.0, 3.0]));
    }
}
