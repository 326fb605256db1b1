//! The instance-coordinator ladder (seed 000, catalogue section 1): bot instances
//! buying the same pet for the same user, from the unlocked purchase to the correct
//! fixes, plus the profile "flicker".

use locklab_models::instance_coordinator::{
    Config, Crash, InstanceCoordinator, ProfileRead, Protocol,
};
use locklab_models::instance_coordinator::{
    BALANCE_CONSERVED, CONSISTENT_PROFILE, EXCLUSIVE_HOLDER, PURCHASE_ONCE, RELEASE_OWN_TOKEN,
};

use crate::{LoomPlan, Param, Params, Scenario, ShuttlePlan, StatesPlan};

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

fn finish(cfg: Config) -> Result<InstanceCoordinator, String> {
    InstanceCoordinator::new(cfg)
}

/// A at t=0 (the holder), the middle instances at t=0 too, the last one at t=ttl, when
/// A's lease has just expired; the clock stops there. A punctual instance does all its
/// work in the tick it arrives, so crashes are injected at t=0, at every step of it.
fn leased(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = Config::new(protocol, p.count(INSTANCES));
    cfg.ttl = p.get(TTL);
    cfg.arrivals = (0..cfg.instances)
        .map(|i| if i + 1 == cfg.instances { cfg.ttl } else { 0 })
        .collect();
    cfg.horizon = cfg.ttl;
    cfg
}

fn unlocked_purchase(p: &Params) -> Result<InstanceCoordinator, String> {
    finish(Config::new(Protocol::UnlockedPurchase, p.count(INSTANCES)))
}

fn expiring_lock_table(p: &Params) -> Result<InstanceCoordinator, String> {
    // A may crash holding the lock; the late instance arrives alone at its expiry.
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.crash = Some(Crash { instance: 0, at: 0 });
    cfg.lone_contender = Some(cfg.instances - 1);
    finish(cfg)
}

fn pause_beyond_ttl(p: &Params) -> Result<InstanceCoordinator, String> {
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.pausable = Some(0);
    finish(cfg)
}

fn release_without_owner_check(p: &Params) -> Result<InstanceCoordinator, String> {
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.slow_finally = Some(0);
    cfg.release_by_key_alone = true;
    finish(cfg)
}

fn shared_instance_id(p: &Params) -> Result<InstanceCoordinator, String> {
    // The write-up's release (`AND holder = $instanceId`), but the late contender runs
    // in A's process: the instance id does not tell their leases apart.
    let mut cfg = leased(Protocol::ExpiringLockTable, p);
    cfg.slow_finally = Some(0);
    cfg.shared_process = true;
    finish(cfg)
}

fn clock_skew(p: &Params) -> Result<InstanceCoordinator, String> {
    // The last instance's clock runs a whole ttl ahead: A's fresh lease looks expired.
    let mut cfg = Config::new(Protocol::ExpiringLockTable, p.count(INSTANCES));
    cfg.ttl = p.get(TTL);
    cfg.clock_ahead = Some((cfg.instances - 1, cfg.ttl));
    finish(cfg)
}

fn sweep_race(p: &Params) -> Result<InstanceCoordinator, String> {
    let mut cfg = Config::new(Protocol::ExpiringLockTable, p.count(INSTANCES));
    cfg.stale_lock = true;
    finish(cfg)
}

fn single_transaction(p: &Params) -> Result<InstanceCoordinator, String> {
    // The last instance's connection dies mid-transaction: the database rolls it back.
    let mut cfg = Config::new(Protocol::SingleTransaction, p.count(INSTANCES));
    cfg.crash = Some(Crash {
        instance: cfg.instances - 1,
        at: 0,
    });
    finish(cfg)
}

/// The user cannot afford the pet: every purchase must fail with nothing changed.
fn insufficient_balance(p: &Params) -> Result<InstanceCoordinator, String> {
    let mut cfg = Config::new(Protocol::SingleTransaction, p.count(INSTANCES));
    cfg.price = cfg.balance + 1;
    finish(cfg)
}

fn fenced_lease(p: &Params) -> Result<InstanceCoordinator, String> {
    // A may pause past its lease; B (when there are three or more) may crash holding it.
    let mut cfg = leased(Protocol::FencedLease, p);
    cfg.pausable = Some(0);
    if cfg.instances >= 3 {
        cfg.crash = Some(Crash { instance: 1, at: 0 });
    }
    finish(cfg)
}

fn profile(read: ProfileRead, p: &Params) -> Result<InstanceCoordinator, String> {
    let mut cfg = Config::new(Protocol::SingleTransaction, p.count(INSTANCES));
    cfg.profile = Some(read);
    finish(cfg)
}

fn profile_two_reads(p: &Params) -> Result<InstanceCoordinator, String> {
    profile(ProfileRead::TwoStatements, p)
}

fn profile_snapshot(p: &Params) -> Result<InstanceCoordinator, String> {
    profile(ProfileRead::Snapshot, p)
}

/// The ladder, from the original bug to the correct fixes, then the profile pair.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::try_new("instance-coordinator/unlocked-purchase", unlocked_purchase)
            .about("read the balance, write balance = read - price and insert the pet: both read 100, both write 50, two pets for one payment")
            .violates(BALANCE_CONSERVED)
            .actors(INSTANCES)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(INSTANCES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("instance-coordinator/expiring-lock-table", expiring_lock_table)
            .about("the write-up's fix: a lock row per purchase with holder and expiry, swept on acquire; holds with punctual instances, even when the holder crashes")
            .holds()
            .actors(INSTANCES)
            .params(LEASED)
            .loom(LoomPlan::bounded(2).set(INSTANCES, 3).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000).set(INSTANCES, 4))
            .states(StatesPlan::new().set(INSTANCES, 4)),
        Scenario::try_new("instance-coordinator/pause-beyond-ttl", pause_beyond_ttl)
            .about("A pauses inside the lock past its expiry; B sweeps A's row and buys; A wakes up and buys the same pet again")
            .violates(PURCHASE_ONCE)
            .actors(INSTANCES)
            .params(LEASED)
            .loom(LoomPlan::bounded(2).set(INSTANCES, 2).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("instance-coordinator/release-without-owner-check", release_without_owner_check)
            .about("A's finally runs after its lease expired and B took the lock; DELETE by key alone removes B's live lease")
            .violates(RELEASE_OWN_TOKEN)
            .actors(INSTANCES)
            .params(LEASED)
            .loom(LoomPlan::unbounded().set(INSTANCES, 2).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("instance-coordinator/shared-instance-id", shared_instance_id)
            .about("release checks the holder's instance id, but two tasks of one process share it: A's late finally deletes its sibling's live lease")
            .violates(RELEASE_OWN_TOKEN)
            .actors(INSTANCES)
            .params(LEASED)
            .loom(LoomPlan::unbounded().set(INSTANCES, 2).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("instance-coordinator/sweep-race", sweep_race)
            .about("A and B both see a crashed instance's expired row; B sweeps it and acquires; A's unconditional DELETE removes B's live lock and A acquires too")
            .violates(EXCLUSIVE_HOLDER)
            .actors(INSTANCES)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(INSTANCES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("instance-coordinator/clock-skew", clock_skew)
            .about("instances compute expiry on their own clocks: B's runs a ttl ahead, sees A's fresh lease as expired, sweeps it and acquires")
            .violates(EXCLUSIVE_HOLDER)
            .actors(INSTANCES)
            .params(LEASED)
            .loom(LoomPlan::unbounded().set(INSTANCES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("instance-coordinator/single-transaction", single_transaction)
            .about("correct: one transaction locks the user row FOR UPDATE, debits with a balance >= price guard, inserts under unique (user, pet), commits")
            .holds()
            .actors(INSTANCES)
            .params(NO_CLOCK)
            .loom(LoomPlan::bounded(2).set(INSTANCES, 3))
            .shuttle(ShuttlePlan::pct(10_000).set(INSTANCES, 5))
            .states(StatesPlan::new().set(INSTANCES, 4)),
        Scenario::try_new("instance-coordinator/insufficient-balance", insufficient_balance)
            .about("correct, when the user cannot pay: the price exceeds the balance, the guarded debit updates 0 rows and every purchase rolls back")
            .holds()
            .actors(INSTANCES)
            .params(NO_CLOCK)
            .loom(LoomPlan::bounded(2).set(INSTANCES, 2))
            .shuttle(ShuttlePlan::pct(1_000).set(INSTANCES, 3))
            .states(StatesPlan::new().set(INSTANCES, 3)),
        Scenario::try_new("instance-coordinator/fenced-lease", fenced_lease)
            .about("correct: an atomic lease hands out a fence; the shop refuses writes older than a fence it has seen; release deletes only its own token")
            .holds()
            .actors(INSTANCES)
            .params(LEASED)
            .loom(LoomPlan::bounded(2).set(INSTANCES, 3).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000).set(INSTANCES, 4))
            .states(StatesPlan::new().set(INSTANCES, 4)),
        Scenario::try_new("instance-coordinator/profile-two-reads", profile_two_reads)
            .about("the profile reads the balance, then the pets: a purchase commits in between and the page shows a state that never existed")
            .violates(CONSISTENT_PROFILE)
            .actors(INSTANCES)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(INSTANCES, 1))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("instance-coordinator/profile-snapshot", profile_snapshot)
            .about("correct: the profile reads balance and pets in one snapshot")
            .holds()
            .actors(INSTANCES)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(INSTANCES, 1))
            .shuttle(ShuttlePlan::pct(10_000).set(INSTANCES, 4))
            .states(StatesPlan::new().set(INSTANCES, 4)),
    ]
}
