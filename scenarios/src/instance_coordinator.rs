//! The instance-coordinator ladder (seed 000, catalogue section 1): bot instances
//! buying the same pet for the same user, from the unlocked purchase to the correct
//! fixes, plus the profile "flicker".

use std::sync::Arc;

use locklab_models::instance_coordinator::{
    Config, Crash, InstanceCoordinator, ProfileRead, Protocol,
};
use locklab_models::sim::DynModel;

use crate::{Expected, LoomPlan, Param, Params, Scenario, ShuttlePlan};

const INSTANCES: Param = Param {
    name: "instances",
    default: 2,
    min: 1,
    max: 6,
    help: "bot instances handling the same \"buy pet\" command",
};
/// The lease rungs need a holder and a late contender.
const INSTANCES_LEASED: Param = Param {
    min: 2,
    default: 3,
    ..INSTANCES
};
const TTL: Param = Param {
    name: "ttl",
    default: 3,
    min: 1,
    max: 10,
    help: "lock expiry in ticks (the write-up's 30 s)",
};

const NO_CLOCK: &[Param] = &[INSTANCES];
const LEASED: &[Param] = &[INSTANCES_LEASED, TTL];

fn finish(cfg: Config) -> Result<Arc<dyn DynModel>, String> {
    Ok(Arc::new(InstanceCoordinator::new(cfg)?))
}

/// A at t=0 (the holder), the middle instances at t=0 too, the last one at t=ttl, when
/// A's lease has just expired; the clock stops there. A punctual instance does all its
/// work in the tick it arrives, so crashes are injected at t=0, at every step of it.
fn leased(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = Config::new(protocol, p.count("instances"));
    cfg.ttl = p.get("ttl");
    cfg.arrivals = (0..cfg.instances)
        .map(|i| if i + 1 == cfg.instances { cfg.ttl } else { 0 })
        .collect();
    cfg.horizon = cfg.ttl;
    cfg
}

fn unlocked_purchase(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    finish(Config::new(
        Protocol::UnlockedPurchase,
        p.count("instances"),
    ))
}

fn expiring_lock_table(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    // A may crash holding the lock; the late instance arrives alone at its expiry.
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.crash = Some(Crash { instance: 0, at: 0 });
    cfg.lone_contender = Some(cfg.instances - 1);
    finish(cfg)
}

fn pause_beyond_ttl(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.pausable = Some(0);
    finish(cfg)
}

fn release_without_owner_check(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.slow_finally = Some(0);
    cfg.release_by_key_alone = true;
    finish(cfg)
}

fn shared_instance_id(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    // The write-up's release (`AND holder = $instanceId`), but the late contender runs
    // in A's process: the instance id does not tell their leases apart.
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.slow_finally = Some(0);
    cfg.shared_process = true;
    finish(cfg)
}

fn clock_skew(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    // The last instance's clock runs a whole ttl ahead: A's fresh lease looks expired.
    let mut cfg = Config::new(Protocol::ExpiringLockTable, p.count("instances"));
    cfg.ttl = p.get("ttl");
    cfg.clock_ahead = Some((cfg.instances - 1, cfg.ttl));
    finish(cfg)
}

fn sweep_race(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = Config::new(Protocol::ExpiringLockTable, p.count("instances"));
    cfg.stale_lock = true;
    finish(cfg)
}

fn single_transaction(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    // The last instance's connection dies mid-transaction: the database rolls it back.
    let mut cfg = Config::new(Protocol::SingleTransaction, p.count("instances"));
    cfg.crash = Some(Crash {
        instance: cfg.instances - 1,
        at: 0,
    });
    finish(cfg)
}

fn fenced_lease(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    // A may pause past its lease; B (when there are three or more) may crash holding it.
    let mut cfg = leased(Protocol::FencedLease, p);
    cfg.pausable = Some(0);
    if cfg.instances >= 3 {
        cfg.crash = Some(Crash { instance: 1, at: 0 });
    }
    finish(cfg)
}

fn profile(read: ProfileRead, p: &Params) -> Result<Arc<dyn DynModel>, String> {
    let mut cfg = Config::new(Protocol::SingleTransaction, p.count("instances"));
    cfg.profile = Some(read);
    finish(cfg)
}

fn profile_two_reads(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    profile(ProfileRead::TwoStatements, p)
}

fn profile_snapshot(p: &Params) -> Result<Arc<dyn DynModel>, String> {
    profile(ProfileRead::Snapshot, p)
}

/// The ladder, from the original bug to the correct fixes, then the profile pair.
pub static SCENARIOS: [Scenario; 11] = [
    Scenario {
        id: "instance-coordinator/unlocked-purchase",
        summary: "read the balance, write balance = read - price and insert the pet: both read 100, both write 50, two pets for one payment",
        expected: Expected::Violates("balance-conserved"),
        actors_param: "instances",
        params: NO_CLOCK,
        build: unlocked_purchase,
        loom: LoomPlan { sizes: &[("instances", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/expiring-lock-table",
        summary: "the write-up's fix: a lock row per purchase with holder and expiry, swept on acquire; holds with punctual instances, even when the holder crashes",
        expected: Expected::Holds,
        actors_param: "instances",
        params: LEASED,
        build: expiring_lock_table,
        loom: LoomPlan { sizes: &[("instances", 3), ("ttl", 1)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[("instances", 4)], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/pause-beyond-ttl",
        summary: "A pauses inside the lock past its expiry; B sweeps A's row and buys; A wakes up and buys the same pet again",
        expected: Expected::Violates("purchase-once"),
        actors_param: "instances",
        params: LEASED,
        build: pause_beyond_ttl,
        loom: LoomPlan { sizes: &[("instances", 2), ("ttl", 1)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/release-without-owner-check",
        summary: "A's finally runs after its lease expired and B took the lock; DELETE by key alone removes B's live lease",
        expected: Expected::Violates("release-own-token"),
        actors_param: "instances",
        params: LEASED,
        build: release_without_owner_check,
        loom: LoomPlan { sizes: &[("instances", 2), ("ttl", 1)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/shared-instance-id",
        summary: "release checks the holder's instance id, but two tasks of one process share it: A's late finally deletes its sibling's live lease",
        expected: Expected::Violates("release-own-token"),
        actors_param: "instances",
        params: LEASED,
        build: shared_instance_id,
        loom: LoomPlan { sizes: &[("instances", 2), ("ttl", 1)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/sweep-race",
        summary: "A and B both see a crashed instance's expired row; B sweeps it and acquires; A's unconditional DELETE removes B's live lock and A acquires too",
        expected: Expected::Violates("exclusive-holder"),
        actors_param: "instances",
        params: NO_CLOCK,
        build: sweep_race,
        loom: LoomPlan { sizes: &[("instances", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/clock-skew",
        summary: "instances compute expiry on their own clocks: B's runs a ttl ahead, sees A's fresh lease as expired, sweeps it and acquires",
        expected: Expected::Violates("exclusive-holder"),
        actors_param: "instances",
        params: LEASED,
        build: clock_skew,
        loom: LoomPlan { sizes: &[("instances", 2)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/single-transaction",
        summary: "correct: one transaction locks the user row FOR UPDATE, debits with a balance >= price guard, inserts under unique (user, pet), commits",
        expected: Expected::Holds,
        actors_param: "instances",
        params: NO_CLOCK,
        build: single_transaction,
        loom: LoomPlan { sizes: &[("instances", 3)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[("instances", 5)], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/fenced-lease",
        summary: "correct: an atomic lease hands out a fence; the shop refuses writes older than a fence it has seen; release deletes only its own token",
        expected: Expected::Holds,
        actors_param: "instances",
        params: LEASED,
        build: fenced_lease,
        loom: LoomPlan { sizes: &[("instances", 3), ("ttl", 1)], preemption_bound: Some(2) },
        shuttle: ShuttlePlan { sizes: &[("instances", 4)], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/profile-two-reads",
        summary: "the profile reads the balance, then the pets: a purchase commits in between and the page shows a state that never existed",
        expected: Expected::Violates("consistent-profile"),
        actors_param: "instances",
        params: NO_CLOCK,
        build: profile_two_reads,
        loom: LoomPlan { sizes: &[("instances", 1)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[], iterations: 10_000 },
    },
    Scenario {
        id: "instance-coordinator/profile-snapshot",
        summary: "correct: the profile reads balance and pets in one snapshot",
        expected: Expected::Holds,
        actors_param: "instances",
        params: NO_CLOCK,
        build: profile_snapshot,
        loom: LoomPlan { sizes: &[("instances", 1)], preemption_bound: None },
        shuttle: ShuttlePlan { sizes: &[("instances", 4)], iterations: 10_000 },
    },
];
