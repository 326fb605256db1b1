//! An unreachable server is a skip on a developer's machine and a failure under
//! `CI=true`. (Its own test binary: it changes the process environment.)

use std::panic::catch_unwind;

use locklab_servers::{require, PgConfig, PgProbe, RedisConfig, RedisProbe};

#[test]
fn unreachable_servers_skip_locally_and_fail_in_ci() {
    let nowhere = PgConfig {
        conninfo: "host=127.0.0.1 port=1 user=postgres dbname=test connect_timeout=1".into(),
    };
    let redis_nowhere = RedisConfig {
        url: "redis://127.0.0.1:1/".into(),
    };
    let ci = std::env::var("CI").ok();
    std::env::remove_var("CI");
    assert!(require("local", PgProbe::open(&nowhere, 1)).is_none());
    assert!(require("local", RedisProbe::open(&redis_nowhere, 1)).is_none());
    std::env::set_var("CI", "true");
    let pg = catch_unwind(|| require("in-ci", PgProbe::open(&nowhere, 1)).is_some());
    let message = pg.expect_err("CI=true must fail on an unreachable server");
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("CI=true requires the real server"), "{text}");
    assert!(
        catch_unwind(|| require("in-ci", RedisProbe::open(&redis_nowhere, 1)).is_some()).is_err()
    );
    match ci {
        Some(v) => std::env::set_var("CI", v),
        None => std::env::remove_var("CI"),
    }
}
