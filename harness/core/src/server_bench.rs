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
    /// The rung's scenario id.
    pub rung: String,
    /// Concurrent clients (one connection each).
    pub clients: usize,
    /// Claims that won.
    pub successes: Rate,
    /// Claim statements sent.
    pub attempts: Rate,
    /// Every statement sent (claims and releases).
    pub statements: Rate,
    /// pgbench running the same statements, statements per second.
    pub pgbench_statements: Rate,
}

/// A whole run of the bench.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerBench {
    /// `SELECT version()` of the server measured.
    pub server: String,
    /// Seconds each timed run lasted.
    pub seconds_per_run: u64,
    /// Timed runs per row (for ours and for pgbench each).
    pub runs: usize,
    /// The rows.
    pub rows: Vec<ServerBenchRow>,
}
