//! The device-claim ladder (seed 003, catalogue section 4).

use std::sync::Arc;

use locklab_models::device_claim::{Config, Crash, DeviceClaim, Protocol};
use locklab_models::sim::DynModel;

use crate::{Expected, LoomPlan, Param, Params, Scenario, ShuttlePlan};

const SERVERS: Param = Param {
    name: "servers",
    default: 3,
    min: 1,
    max: 8,
    help: "backend servers racing for the devices",
};
const DEVICES: Param = Param {
    name: "devices",
    default: 1,
    min: 1,
    max: 4,
    help: "devices to claim",
};
const TTL: Param = Param {
    name: "ttl",
    default: 3,
    min: 1,
    max: 10,
    help: "lease length in ticks",
};
const MARGIN: Param = Param {
    name: "margin",
    default: 1,
    min: 0,
    max: 9,
    help: "ticks before the lease ends at which the connection closes itself",
};
const CRASH_AT: Param = Param {
    name: "crash-at",
    default: 1,
    min: 0,
    max: 10,
    help: "tick at which a server crashes",
};

const NO_CLOCK: &[Param] = &[SERVERS, DEVICES];
const LEASED: &[Param] = &[SERVERS, DEVICES, TTL, MARGIN];
const LEASED_CRASH: &[Param] = &[SERVERS, DEVICES, TTL, MARGIN, CRASH_AT];

fn base(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = Config::new(protocol, p.count("servers"));
    cfg.devices = p.count("devices");
    cfg
}

fn leased(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = base(protocol, p);
    cfg.ttl = p.get("ttl");
    cfg.margin = p.get("margin");
    cfg
}

/// The last server crashes at `crash-at`; the clock runs just long enough for the
/// reconnect deadline to pass.
fn with_crash(mut cfg: Config, p: &Params) -> Config {
    let at = p.get("crash-at");
    cfg.crash = Some(Crash {
        server: cfg.servers - 1,
        at,
    });
    cfg.horizon = at + cfg.reconnect_bound();
    cfg
}

fn finish(cfg: Config) -> Result<Arc<dyn DynModel>, String> {
    Ok(Arc::new(DeviceClaim::new(cfg)?))
}

fn select_then_update(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    finish(base(Protocol::SelectThenUpdate, p))
}

fn conditional_update(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    finish(base(Protocol::ConditionalUpdate, p))
}

fn validate_then_connect(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = base(Protocol::ConditionalUpdate, p);
    cfg.operator = true;
    finish(cfg)
}

fn manual_recovery(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    finish(with_crash(leased(Protocol::ConditionalUpdate, p), p))
}

fn expiring_claim(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = leased(Protocol::ExpiringClaim, p);
    cfg.pausable = Some(0);
    cfg.horizon = cfg.ttl + 2;
    finish(cfg)
}

fn epoch_lease(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = with_crash(leased(Protocol::EpochLease, p), p);
    cfg.pausable = Some(0);
    cfg.check_lease_at_connect = true;
    finish(cfg)
}

/// The ladder, from the original bug to the correct fix.
pub static SCENARIOS: [Scenario; 6] = [
    Scenario {
        id: "device-claim/select-then-update",
        summary: "read the owner, write mine if empty: two servers both read NULL and both connect",
        expected: Expected::Violates("exclusive-connection"),
        actors_param: "servers",
        params: NO_CLOCK,
        build: select_then_update,
        loom: LoomPlan { sizes: &[("servers", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "device-claim/conditional-update",
        summary: "the write-up's fix: UPDATE … WHERE owner IS NULL, validate, connect (holds with no faults)",
        expected: Expected::Holds,
        actors_param: "servers",
        params: NO_CLOCK,
        build: conditional_update,
        loom: LoomPlan { sizes: &[("servers", 3)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[("servers", 5)], iterations: 10_000 },
    },
    Scenario {
        id: "device-claim/validate-then-connect",
        summary: "an operator clears a device between S1's validation and its connect: TOCTOU, two connections",
        expected: Expected::Violates("exclusive-connection"),
        actors_param: "servers",
        params: NO_CLOCK,
        build: validate_then_connect,
        loom: LoomPlan { sizes: &[("servers", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "device-claim/manual-recovery",
        summary: "a crashed server's devices stay assigned to it: nobody reconnects them until a person steps in",
        expected: Expected::Violates("reconnect-after-crash"),
        actors_param: "servers",
        params: LEASED_CRASH,
        build: manual_recovery,
        loom: LoomPlan { sizes: &[("servers", 2)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "device-claim/expiring-claim",
        summary: "claims expire after a TTL, but a paused holder's connection stays open after S2 takes over",
        expected: Expected::Violates("exclusive-connection"),
        actors_param: "servers",
        params: LEASED,
        build: expiring_claim,
        loom: LoomPlan { sizes: &[("servers", 2)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "device-claim/epoch-lease",
        summary: "correct: claim bumps an epoch, lease renewed with owner+epoch, connection closes itself before the lease ends",
        expected: Expected::Holds,
        actors_param: "servers",
        params: LEASED_CRASH,
        build: epoch_lease,
        loom: LoomPlan { sizes: &[("servers", 3), ("ttl", 1), ("margin", 0), ("crash-at", 0)], preemption_bound: Some(1) },
        shuttle: ShuttlePlan { sizes: &[("servers", 5)], iterations: 10_000 },
    },
];
