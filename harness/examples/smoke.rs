//! scratch
use locklab::engine::{explore, Budget, Engine};
use locklab::models::device_claim::{Config, Crash, DeviceClaim, Protocol};
use std::sync::Arc;

fn main() {
    let arg: Vec<String> = std::env::args().collect();
    let servers: usize = arg.get(1).map(|s| s.parse().unwrap()).unwrap_or(2);
    let pb: Option<usize> = arg.get(2).and_then(|s| s.parse().ok());
    let mut cfgs = vec![];
    cfgs.push((
        "select-then-update",
        Config::new(Protocol::SelectThenUpdate, servers),
    ));
    cfgs.push((
        "conditional-update",
        Config::new(Protocol::ConditionalUpdate, servers),
    ));
    let mut c = Config::new(Protocol::ConditionalUpdate, servers);
    c.operator = true;
    cfgs.push(("validate-then-connect", c));
    let mut c = Config::new(Protocol::ConditionalUpdate, servers);
    c.crash = Some(Crash { server: 0, at: 1 });
    c.horizon = 6;
    cfgs.push(("manual-recovery", c));
    let mut c = Config::new(Protocol::ExpiringClaim, servers);
    c.pausable = Some(0);
    c.horizon = 5;
    cfgs.push(("expiring-claim", c));
    let mut c = Config::new(Protocol::EpochLease, servers);
    c.pausable = Some(0);
    c.crash = Some(Crash {
        server: servers - 1,
        at: 1,
    });
    c.horizon = 6;
    c.check_lease_at_connect = true;
    cfgs.push(("epoch-lease", c));
    let only = std::env::var("ONLY").ok();
    let horizon: Option<u64> = std::env::var("H").ok().map(|s| s.parse().unwrap());
    for (name, mut cfg) in cfgs {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        if let Some(h) = horizon {
            cfg.horizon = h;
        }
        if let Ok(t) = std::env::var("TTL") {
            cfg.ttl = t.parse().unwrap();
        }
        if let Ok(t) = std::env::var("MARGIN") {
            cfg.margin = t.parse().unwrap();
        }
        if let Ok(t) = std::env::var("CRASHAT") {
            cfg.crash.as_mut().map(|c| c.at = t.parse().unwrap());
        }
        if std::env::var("NOPAUSE").is_ok() {
            cfg.pausable = None;
        }
        let m = Arc::new(DeviceClaim::new(cfg).unwrap());
        for engine in [
            Engine::Loom {
                preemption_bound: pb,
                max_branches: 20000,
            },
            Engine::Random,
            Engine::PCT,
            Engine::Threads,
        ] {
            let v = explore(
                m.clone(),
                engine,
                Budget {
                    iterations: if matches!(engine, Engine::Loom { .. }) {
                        2_000_000
                    } else {
                        10_000
                    },
                    seed: 1,
                    max_time: std::time::Duration::from_secs(60),
                },
            );
            println!(
                "{name:24} {engine:12} execs={:8} {:?} {:?}",
                v.executions,
                v.elapsed,
                v.failure()
                    .map(|f| f.violation.to_string())
                    .unwrap_or_else(|| format!("{:?}", v.outcome))
            );
        }
    }
}
