//! The real-Redis bench's lease load, briefly: the clients' counts add up, every
//! grant was released, redis-benchmark runs the same commands, and the run's keys
//! are gone afterwards.

use std::time::Duration;

use locklab_servers::{require, LeaseLoad, RedisConfig, RedisProbe, ServerUnavailable};

#[test]
fn the_lease_load_counts_add_up_and_leaves_no_keys() {
    let Some(load) = require(
        "redis_load",
        LeaseLoad::create(&RedisConfig::default()).map_err(|reason| ServerUnavailable {
            server: "Redis".into(),
            reason,
        }),
    ) else {
        return;
    };
    let prefix = load.prefix().to_owned();
    let m = load.run(2, Duration::from_secs(1)).unwrap();
    assert!(m.successes_per_s > 0.0, "{m:?}");
    assert!(m.attempts_per_s >= m.successes_per_s, "{m:?}");
    // Each grant sends a renewal and a release besides its acquires.
    assert!(
        (m.statements_per_s - m.attempts_per_s - 2.0 * m.successes_per_s).abs() < 1e-6,
        "{m:?}"
    );
    let rb = load.redis_benchmark(2, Duration::from_secs(1)).unwrap();
    assert!(rb.acquire_per_s > 0.0 && rb.renew_per_s > 0.0 && rb.release_per_s > 0.0);
    assert!(rb.commands_per_s_for(&m) > 0.0, "{rb:?}");
    drop(load);
    let mut probe = RedisProbe::open(&RedisConfig::default(), 1).unwrap();
    let left: Vec<String> = probe
        .leftover_keys()
        .into_iter()
        .filter(|k| k.starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "{prefix} left behind: {left:?}");
}
