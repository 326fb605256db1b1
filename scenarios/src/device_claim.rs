//! The device-claim ladder (seed 003, catalogue section 4).

use locklab_models::device_claim::{Config, Crash, DeviceClaim, Protocol};
use locklab_models::device_claim::{EXCLUSIVE_CONNECTION, RECONNECT_AFTER_CRASH};

use crate::{LoomPlan, Param, Params, Scenario, ShuttlePlan, StatesPlan};

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
    let mut cfg = Config::new(protocol, p.count(SERVERS));
    cfg.devices = p.count(DEVICES);
    cfg
}

fn leased(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = base(protocol, p);
    cfg.ttl = p.get(TTL);
    cfg.margin = p.get(MARGIN);
    cfg
}

/// The last server crashes at `crash-at`; the clock runs just long enough for the
/// reconnect deadline to pass.
fn with_crash(mut cfg: Config, p: &Params) -> Config {
    let at = p.get(CRASH_AT);
    cfg.crash = Some(Crash {
        server: cfg.servers - 1,
        at,
    });
    cfg.horizon = at + cfg.reconnect_bound();
    cfg
}

fn finish(cfg: Config) -> Result<DeviceClaim, String> {
    DeviceClaim::new(cfg)
}

fn select_then_update(p: &Params) -> Result<DeviceClaim, String> {
    finish(base(Protocol::SelectThenUpdate, p))
}

fn conditional_update(p: &Params) -> Result<DeviceClaim, String> {
    finish(base(Protocol::ConditionalUpdate, p))
}

fn validate_then_connect(p: &Params) -> Result<DeviceClaim, String> {
    let mut cfg = base(Protocol::ConditionalUpdate, p);
    cfg.operator = true;
    finish(cfg)
}

fn manual_recovery(p: &Params) -> Result<DeviceClaim, String> {
    finish(with_crash(leased(Protocol::ConditionalUpdate, p), p))
}

fn expiring_claim(p: &Params) -> Result<DeviceClaim, String> {
    let mut cfg = leased(Protocol::ExpiringClaim, p);
    cfg.pausable = Some(0);
    cfg.horizon = cfg.ttl + 2;
    finish(cfg)
}

fn epoch_lease(p: &Params) -> Result<DeviceClaim, String> {
    let mut cfg = with_crash(leased(Protocol::EpochLease, p), p);
    cfg.pausable = Some(0);
    cfg.check_lease_at_connect = true;
    finish(cfg)
}

/// The ladder, from the original bug to the correct fix.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::try_new("device-claim/select-then-update", select_then_update)
            .about("read the owner, write mine if empty: two servers both read NULL and both connect")
            .violates(EXCLUSIVE_CONNECTION)
            .actors(SERVERS)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(SERVERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("device-claim/conditional-update", conditional_update)
            .about("the write-up's fix: UPDATE … WHERE owner IS NULL, validate, connect (holds with no faults)")
            .holds()
            .actors(SERVERS)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(SERVERS, 3))
            .shuttle(ShuttlePlan::pct(10_000).set(SERVERS, 5))
            .states(StatesPlan::new().set(SERVERS, 4)),
        Scenario::try_new("device-claim/validate-then-connect", validate_then_connect)
            .about("an operator clears a device between S1's validation and its connect: TOCTOU, two connections")
            .violates(EXCLUSIVE_CONNECTION)
            .actors(SERVERS)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(SERVERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("device-claim/manual-recovery", manual_recovery)
            .about("a crashed server's devices stay assigned to it: nobody reconnects them until a person steps in")
            .violates(RECONNECT_AFTER_CRASH)
            .actors(SERVERS)
            .params(LEASED_CRASH)
            .loom(LoomPlan::bounded(2).set(SERVERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("device-claim/expiring-claim", expiring_claim)
            .about("claims expire after a TTL, but a paused holder's connection stays open after S2 takes over")
            .violates(EXCLUSIVE_CONNECTION)
            .actors(SERVERS)
            .params(LEASED)
            .loom(LoomPlan::bounded(2).set(SERVERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("device-claim/epoch-lease", epoch_lease)
            .about("correct: claim bumps an epoch, lease renewed with owner+epoch, connection closes itself before the lease ends")
            .holds()
            .actors(SERVERS)
            .params(LEASED_CRASH)
            .loom(LoomPlan::bounded(1).set(SERVERS, 3).set(TTL, 1).set(MARGIN, 0).set(CRASH_AT, 0))
            .shuttle(ShuttlePlan::pct(10_000).set(SERVERS, 5))
            .states(StatesPlan::new().set(SERVERS, 3)),
    ]
}
