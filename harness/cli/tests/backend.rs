//! `--backend postgres|redis` from the command line: a counterexample reproduced on
//! the server, an unreachable server refused as bad input, nothing left behind.

use std::process::{Command, Output};

const BUGGY: &str = "device-claim/select-then-update";

fn locklab(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_locklab"));
    cmd.args(args).env_remove("RUST_BACKTRACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("locklab runs")
}

/// Whether `schema` exists, asked with psql (`None`: psql or the server is missing).
fn schema_exists(schema: &str) -> Option<bool> {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-tAc"])
        .arg(format!(
            "SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"
        ))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim() != "0")
}

fn server_up() -> bool {
    let up = schema_exists("public").is_some();
    if !up && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true requires PostgreSQL at 127.0.0.1:5432 (and psql)");
    }
    up
}

#[test]
fn a_counterexample_is_reproduced_on_postgres_and_its_schema_dropped() {
    if !server_up() {
        eprintln!("SKIP: no PostgreSQL at 127.0.0.1:5432");
        return;
    }
    let out = locklab(&["explore", BUGGY, "--backend", "postgres"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a violation exits 1:\n{stdout}");
    assert!(stdout.contains("REPRODUCED on PostgreSQL"), "{stdout}");
    assert!(stdout.contains("1 row(s) | 1 row(s)"), "{stdout}");
    // Both blind writes were acknowledged: the server's own answers show two owners.
    assert!(
        stdout.contains("in the server's answers, two owners: ")
            && stdout.contains("the server shows: two owners"),
        "{stdout}"
    );
    let schema = stdout
        .split("(schema ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("the run names its schema");
    assert_eq!(schema_exists(schema), Some(false), "{schema} left behind");
}

#[test]
fn check_on_postgres_as_json_is_the_reports_agreement_data() {
    if !server_up() {
        eprintln!("SKIP: no PostgreSQL at 127.0.0.1:5432");
        return;
    }
    let out = locklab(
        &[
            "check",
            "--backend",
            "postgres",
            "--json",
            "--only",
            "jackpot/version-",
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let held: locklab::agreement::ServerAgreement =
        serde_json::from_str(&stdout).expect("the agreement JSON");
    assert_eq!(held.server, "PostgreSQL");
    let rows: Vec<(&str, bool, &[String])> = held
        .rows
        .iter()
        .map(|r| (r.scenario.as_str(), r.ok, r.harm_on_server.as_slice()))
        .collect();
    assert_eq!(
        rows,
        [
            ("jackpot/version-cas", true, &[][..]),
            (
                "jackpot/version-reset",
                true,
                &["a version not advanced".to_owned()][..]
            ),
        ]
    );
}

#[test]
fn an_unreachable_server_is_bad_input() {
    let nowhere = "host=127.0.0.1 port=1 user=postgres dbname=test connect_timeout=1";
    let out = locklab(
        &["explore", BUGGY, "--backend", "postgres"],
        &[("LOCKLAB_PG", nowhere)],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unreachable") && err.contains("LOCKLAB_PG"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing searched before the refusal");
    assert!(!err.contains("panicked"), "{err}");
}

/// How many keys match `pattern` on the Redis at 127.0.0.1:6379, asked with
/// redis-cli (`None`: redis-cli or the server is missing).
fn redis_keys(pattern: &str) -> Option<usize> {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "--scan", "--pattern", pattern])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).lines().count())
}

#[test]
fn a_lease_counterexample_is_reproduced_on_redis_and_its_keys_deleted() {
    if redis_keys("locklab-none*").is_none() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true requires Redis at 127.0.0.1:6379 (and redis-cli)"
        );
        eprintln!("SKIP: no Redis at 127.0.0.1:6379");
        return;
    }
    let out = locklab(
        &[
            "explore",
            "singleton-poller/paused-lease-holder",
            "--backend",
            "redis",
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a violation exits 1:\n{stdout}");
    assert!(stdout.contains("REPRODUCED on Redis"), "{stdout}");
    assert!(
        stdout.contains("(bot-token-poller lapsed: deleted)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bot-token-poller on the server at the end: \"1\""),
        "B holds the lease: {stdout}"
    );
    let prefix = stdout
        .split("(keys under ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("the run names its key prefix");
    assert_eq!(
        redis_keys(&format!("{prefix}*")),
        Some(0),
        "{prefix} left behind"
    );
}

#[test]
fn an_unreachable_redis_is_bad_input() {
    let out = locklab(
        &[
            "explore",
            "singleton-poller/renewed-lease",
            "--backend",
            "redis",
        ],
        &[("LOCKLAB_REDIS", "redis://127.0.0.1:1/")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unreachable") && err.contains("LOCKLAB_REDIS"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing searched before the refusal");
}
