//! The singleton-poller ladder (seed 001, catalogue section 2): bot processes polling
//! one token, from no guard at all to a kernel lock (one host) and a renewed lease
//! (across hosts).

use locklab_models::singleton_poller::{Config, Protocol, SingletonPoller, RESTART_DELAY};
use locklab_models::singleton_poller::{POLLER_RESUMES, SINGLE_POLLER};

use crate::{LoomPlan, Param, Params, Scenario, ShuttlePlan, StatesPlan};

const PROCESSES: Param = Param {
    name: "processes",
    default: 2,
    min: 1,
    max: 6,
    help: "bot processes started at t=0 with the same token",
};
/// The write-up's fix is proven with a third process racing for the file.
const PROCESSES_3: Param = Param {
    default: 3,
    ..PROCESSES
};
/// Two hosts are the point of the rung: one process each.
const HOSTS: Param = Param {
    name: "processes",
    default: 2,
    min: 2,
    max: 6,
    help: "bot processes, each on its own host (its own /tmp)",
};
const TTL: Param = Param {
    name: "ttl",
    default: 2,
    min: 1,
    max: 10,
    help: "lease length in ticks; a fresh process must poll within ttl + 1 of the kill",
};
const KILL_AT: Param = Param {
    name: "kill-at",
    default: 1,
    min: 0,
    max: 10,
    help: "tick at which every process is killed (SIGKILL); the supervisor starts a fresh one a tick later",
};

const PAUSED: &[Param] = &[PROCESSES, TTL];
const NO_CLOCK: &[Param] = &[PROCESSES];
const NO_CLOCK_3: &[Param] = &[PROCESSES_3];
const SEPARATE_HOSTS: &[Param] = &[HOSTS];
const KILLED: &[Param] = &[PROCESSES, TTL, KILL_AT];

fn finish(cfg: Config) -> Result<SingletonPoller, String> {
    SingletonPoller::new(cfg)
}

/// Processes poll once a tick; all of them are killed at `kill-at`; the clock runs
/// until the liveness deadline (kill + ttl + 1). Update 1 waits from the start;
/// update 2 arrives when the fresh process starts, so it has something of its own to
/// handle.
fn killed(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = Config::new(protocol, p.count(PROCESSES));
    cfg.ttl = p.get(TTL);
    let at = p.get(KILL_AT);
    cfg.kill_at = Some(at);
    cfg.horizon = at + cfg.resume_bound();
    cfg.updates = vec![0, at + RESTART_DELAY];
    cfg
}

fn unguarded_pollers(p: &Params) -> Result<SingletonPoller, String> {
    finish(Config::new(Protocol::Unguarded, p.count(PROCESSES)))
}

fn exclusive_lock_file(p: &Params) -> Result<SingletonPoller, String> {
    finish(Config::new(Protocol::ExclusiveLockFile, p.count(PROCESSES)))
}

fn separate_filesystems(p: &Params) -> Result<SingletonPoller, String> {
    let mut cfg = Config::new(Protocol::ExclusiveLockFile, p.count(PROCESSES));
    cfg.separate_hosts = true;
    finish(cfg)
}

fn stale_lock_file(p: &Params) -> Result<SingletonPoller, String> {
    finish(killed(Protocol::ExclusiveLockFile, p))
}

fn stale_pid_takeover(p: &Params) -> Result<SingletonPoller, String> {
    let mut cfg = Config::new(Protocol::PidTakeover, p.count(PROCESSES));
    cfg.stale_lock_file = true;
    finish(cfg)
}

fn kernel_file_lock(p: &Params) -> Result<SingletonPoller, String> {
    let mut cfg = killed(Protocol::KernelFileLock, p);
    cfg.idempotent_handler = true;
    finish(cfg)
}

fn renewed_lease(p: &Params) -> Result<SingletonPoller, String> {
    let mut cfg = killed(Protocol::RenewedLease, p);
    cfg.separate_hosts = true;
    cfg.idempotent_handler = true;
    finish(cfg)
}

/// The renewed lease without its assumption: A takes the lease at t=0 and is paused
/// (GC, swap) until the lease has lapsed; its poll still goes out, and getUpdates
/// takes no fencing token to refuse it.
fn paused_lease_holder(p: &Params) -> Result<SingletonPoller, String> {
    let mut cfg = Config::new(Protocol::RenewedLease, p.count(PROCESSES));
    cfg.ttl = p.get(TTL);
    cfg.separate_hosts = true;
    cfg.idempotent_handler = true;
    cfg.horizon = cfg.ttl;
    cfg.pausable = Some(0);
    finish(cfg)
}

/// The renewed lease when a renewal comes too late: A (the holder) may stall just
/// before renewing, long enough for its lease to lapse and B to take it; A's renewal
/// then fails and A must stop polling.
fn late_renewal(p: &Params) -> Result<SingletonPoller, String> {
    let mut cfg = Config::new(Protocol::RenewedLease, p.count(PROCESSES));
    cfg.ttl = p.get(TTL);
    cfg.separate_hosts = true;
    cfg.idempotent_handler = true;
    cfg.horizon = cfg.ttl + 1;
    cfg.stall_before_renewal = Some(0);
    finish(cfg)
}

/// Every rung, from the original bug to the correct fixes.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::try_new("singleton-poller/unguarded-pollers", unguarded_pollers)
            .about("no guard: two processes poll the token, the server answers the older long poll with 409 Conflict (and both handle the same update)")
            .violates(SINGLE_POLLER)
            .actors(PROCESSES)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(PROCESSES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("singleton-poller/exclusive-lock-file", exclusive_lock_file)
            .about("the write-up's fix: open(O_CREAT|O_EXCL) /tmp/bot.lock at start-up, exit if it exists, unlink on clean shutdown; exclusive on one host with no kills")
            .holds()
            .actors(PROCESSES)
            .params(NO_CLOCK_3)
            .loom(LoomPlan::bounded(2).set(PROCESSES, 3))
            .shuttle(ShuttlePlan::pct(10_000).set(PROCESSES, 5))
            .states(StatesPlan::new().set(PROCESSES, 4)),
        Scenario::try_new("singleton-poller/separate-filesystems", separate_filesystems)
            .about("the old and the new deploy run on two hosts, each with its own /tmp: both create \"the\" lock file and both poll")
            .violates(SINGLE_POLLER)
            .actors(PROCESSES)
            .params(SEPARATE_HOSTS)
            .loom(LoomPlan::unbounded().set(PROCESSES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("singleton-poller/stale-lock-file", stale_lock_file)
            .about("the lock-file holder is killed (SIGKILL, OOM): no cleanup runs, the restarted process sees the file and exits, nothing polls again")
            .violates(POLLER_RESUMES)
            .actors(PROCESSES)
            .params(KILLED)
            .loom(LoomPlan::unbounded().set(PROCESSES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("singleton-poller/stale-pid-takeover", stale_pid_takeover)
            .about("\"the pid in the file is dead: remove it and create mine\": two processes judge a stale file dead; one recreates it, the other removes that live file and creates its own; two pollers")
            .violates(SINGLE_POLLER)
            .actors(PROCESSES)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(PROCESSES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("singleton-poller/kernel-file-lock", kernel_file_lock)
            .about("correct on one host: flock(LOCK_EX|LOCK_NB) held for the process's lifetime, released by the kernel when it is killed; the handler commits last_update_id with each effect, so a redelivered update is skipped")
            .holds()
            .actors(PROCESSES)
            .params(KILLED)
            .loom(LoomPlan::bounded(2).set(PROCESSES, 2))
            .shuttle(ShuttlePlan::pct(10_000).set(PROCESSES, 4))
            .states(StatesPlan::new().set(PROCESSES, 4)),
        Scenario::try_new("singleton-poller/renewed-lease", renewed_lease)
            .about("correct across hosts: a lease in the shared store (SET NX PX), renewed before every poll, polling stops when renewal fails; last_update_id commits with each effect. Assumes no process pauses a whole ttl between renewing and polling: getUpdates takes no fencing token")
            .holds()
            .actors(PROCESSES)
            .params(KILLED)
            .loom(LoomPlan::bounded(2).set(PROCESSES, 2).set(KILL_AT, 0))
            .shuttle(ShuttlePlan::pct(10_000).set(PROCESSES, 4))
            .states(StatesPlan::new().set(PROCESSES, 3)),
        Scenario::try_new("singleton-poller/late-renewal", late_renewal)
            .about("correct, when a renewal fails: A stalls before renewing until its lease lapses and B takes it; A's compare-and-expire fails and A stops polling")
            .holds()
            .actors(PROCESSES)
            .params(PAUSED)
            .loom(LoomPlan::bounded(1).set(PROCESSES, 2))
            .shuttle(ShuttlePlan::pct(1_000).set(PROCESSES, 3))
            .states(StatesPlan::new().set(PROCESSES, 2)),
        Scenario::try_new("singleton-poller/paused-lease-holder", paused_lease_holder)
            .about("the renewed lease without its assumption: A takes the lease, pauses past its ttl, then polls; B has taken the lapsed lease and polls too. getUpdates takes no fencing token, so only the pause bound keeps the lease exclusive")
            .violates(SINGLE_POLLER)
            .actors(PROCESSES)
            .params(PAUSED)
            .loom(LoomPlan::bounded(2).set(PROCESSES, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
    ]
}
