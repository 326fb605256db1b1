//! Generated device-claim configurations: the correct rungs hold for every one; a
//! buggy rung's failure shrinks to its smallest configuration.

use locklab::engine::{explore, Budget, Pct};
use locklab::models::device_claim::{Config, Crash, DeviceClaim, Protocol};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestError, TestRunner};

#[derive(Debug, Clone)]
struct Generated {
    servers: usize,
    ttl: u64,
    crash: bool,
    pause: bool,
}

fn generated() -> impl Strategy<Value = Generated> {
    (2usize..=6, 2u64..=4, any::<bool>(), any::<bool>()).prop_map(|(servers, ttl, crash, pause)| {
        Generated {
            servers,
            ttl,
            crash,
            pause,
        }
    })
}

fn config(protocol: Protocol, g: &Generated) -> Config {
    let mut cfg = Config::new(protocol, g.servers);
    cfg.ttl = g.ttl;
    cfg.margin = 1;
    cfg.horizon = g.ttl + 3;
    if g.crash {
        cfg.crash = Some(Crash {
            server: g.servers - 1,
            at: 1,
        });
        cfg.horizon = 1 + cfg.reconnect_bound();
    }
    if g.pause {
        cfg.pausable = Some(0);
    }
    cfg.check_lease_at_connect = protocol == Protocol::EpochLease;
    cfg
}

fn violation(cfg: Config) -> Option<String> {
    let model = std::sync::Arc::new(DeviceClaim::new(cfg).expect("valid"));
    let v = explore(
        model,
        &Pct { depth: 3 },
        Budget::default().executions(300).seed(1),
    );
    v.failure().map(|f| f.violation.to_string())
}

proptest! {
    #![proptest_config(RunnerConfig::with_cases(24))]

    #[test]
    fn epoch_lease_holds_for_every_generated_configuration(g in generated()) {
        prop_assert_eq!(violation(config(Protocol::EpochLease, &g)), None);
    }

    #[test]
    fn conditional_update_holds_without_faults_for_every_server_count(servers in 2usize..=6) {
        prop_assert_eq!(violation(Config::new(Protocol::ConditionalUpdate, servers)), None);
    }
}

#[test]
fn an_expiring_claim_failure_shrinks_to_two_servers_and_the_shortest_ttl() {
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 64,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let result = runner.run(&(2usize..=6, 2u64..=4), |(servers, ttl)| {
        let g = Generated {
            servers,
            ttl,
            crash: false,
            pause: true,
        };
        let found = violation(config(Protocol::ExpiringClaim, &g));
        prop_assert!(found.is_none(), "{}", found.unwrap_or_default());
        Ok(())
    });
    match result {
        Err(TestError::Fail(reason, (servers, ttl))) => {
            assert_eq!((servers, ttl), (2, 2), "minimal configuration");
            assert!(
                reason.message().contains("exclusive-connection"),
                "{}",
                reason.message()
            );
        }
        other => panic!("expiring-claim should fail for some configuration: {other:?}"),
    }
}
