//! The start-up guards: how a process decides it may poll (a lock file, a pid check,
//! a kernel lock, a lease), how it keeps that right from tick to tick, and how it
//! gives it back on clean shutdown. Each system call or store command is one step.

use crate::sim::{lapse_tick, Actor, Halt, Step, MS_PER_TICK};

use super::statements;
use super::world::{PollerWorld, LEASE_KEY};
use super::{Config, Protocol, LOCK_PATH};

/// Where a process stands with its guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// It may poll.
    Polling,
    /// It waits for the lease and tries again next tick (renewed lease only).
    Standby,
    /// Another instance holds the lock: it exits.
    Exit,
}

/// Runs the guard at start-up.
pub fn start(a: &Actor<PollerWorld>, cfg: &Config, me: usize) -> Result<Standing, Halt> {
    match cfg.protocol {
        Protocol::Unguarded => Ok(Standing::Polling),
        Protocol::ExclusiveLockFile => create_lock_file(a, cfg, me, true),
        Protocol::PidTakeover => match create_lock_file(a, cfg, me, false)? {
            Standing::Exit => take_over_if_stale(a, cfg, me),
            other => Ok(other),
        },
        Protocol::KernelFileLock => flock(a, cfg, me),
        Protocol::RenewedLease => acquire_lease(a, cfg, me),
    }
}

/// Before each poll after the first: the lease is renewed (or, standing by, tried
/// again); the other guards hold for the process's lifetime.
pub fn before_poll(
    a: &Actor<PollerWorld>,
    cfg: &Config,
    me: usize,
    standing: Standing,
) -> Result<Standing, Halt> {
    match (cfg.protocol, standing) {
        (Protocol::RenewedLease, Standing::Polling) => renew_lease(a, cfg, me),
        (Protocol::RenewedLease, Standing::Standby) => acquire_lease(a, cfg, me),
        (_, other) => Ok(other),
    }
}

/// Clean shutdown, after the last confirming poll: give the guard back and exit.
pub fn release(a: &Actor<PollerWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let (h, pid) = (cfg.host_of(me), cfg.pid_of(me));
    match cfg.protocol {
        Protocol::Unguarded => Ok(()),
        Protocol::ExclusiveLockFile | Protocol::PidTakeover => a.step("remove lock file", |s| {
            let host = &mut s.state.hosts[h];
            let removed = statements::remove_lock_file(host, LOCK_PATH, pid);
            let path = host.display(LOCK_PATH);
            s.saw(|| match removed {
                Some(p) if p == pid => format!("unlink {path} (pid {p}, mine); exit"),
                Some(p) => format!("unlink {path}: removed pid {p}'s file, not mine; exit"),
                None => format!("unlink {path}: ENOENT; exit"),
            });
        }),
        Protocol::KernelFileLock => a.step("exit", |s| {
            let host = &mut s.state.hosts[h];
            statements::exit(host, pid);
            let path = host.display(LOCK_PATH);
            s.saw(|| format!("pid {pid} exits: the kernel releases its flock; {path} stays"));
        }),
        // Compare-and-delete matters only for a process that shuts down after losing
        // its lease to another; the clean shutdown runs only without a clock, where no
        // lease can lapse, so no scenario needs it (the kit's test checks the script).
        Protocol::RenewedLease => a.redis(
            "release lease",
            |w| &mut w.store,
            me,
            statements::RELEASE_LEASE,
            |_| statements::release_params(LEASE_KEY, me),
            |s, reply| {
                let released = statements::confirmed(reply);
                s.saw(|| {
                    if released {
                        "released; exit".to_owned()
                    } else {
                        format!("{LEASE_KEY} is not mine any more: left alone; exit")
                    }
                });
            },
        ),
    }
}

/// `open(O_CREAT|O_EXCL)`. On EEXIST the write-up's process exits; with
/// `exit_if_exists` false the pid takeover goes on to look inside.
fn create_lock_file(
    a: &Actor<PollerWorld>,
    cfg: &Config,
    me: usize,
    exit_if_exists: bool,
) -> Result<Standing, Halt> {
    let (h, pid) = (cfg.host_of(me), cfg.pid_of(me));
    a.step("create lock file", |s| {
        let host = &mut s.state.hosts[h];
        let path = host.display(LOCK_PATH);
        match statements::create_lock_file(host, LOCK_PATH, pid) {
            Ok(()) => {
                s.saw(|| format!("open {path} O_CREAT|O_EXCL: created, pid {pid} written: lock acquired"));
                Standing::Polling
            }
            Err(holder) => {
                let held = host.describe_pid(holder);
                if exit_if_exists {
                    statements::exit(host, pid);
                    s.saw(|| format!("open {path} O_CREAT|O_EXCL: EEXIST, it holds {held}: \"another instance is running\", exit"));
                } else {
                    s.saw(|| format!("open {path} O_CREAT|O_EXCL: EEXIST"));
                }
                Standing::Exit
            }
        }
    })
}

/// The pid takeover: read the pid in the file and `kill(pid, 0)` it (one step: only the
/// file can change in between, and a file replaced meanwhile is mishandled the same
/// way); if it is dead or the file is gone, unlink it and create it again.
fn take_over_if_stale(a: &Actor<PollerWorld>, cfg: &Config, me: usize) -> Result<Standing, Halt> {
    let (h, pid) = (cfg.host_of(me), cfg.pid_of(me));
    let stale = a.step("check pid in lock file", |s| {
        let host = &mut s.state.hosts[h];
        let path = host.display(LOCK_PATH);
        match statements::probe_lock_file(host, LOCK_PATH) {
            Some((p, true)) => {
                statements::exit(host, pid);
                s.saw(|| {
                    format!("{path} holds pid {p}, alive: \"another instance is running\", exit")
                });
                false
            }
            Some((p, false)) => {
                s.saw(|| {
                    format!(
                        "{path} holds pid {p}: no such process, the file is stale: take it over"
                    )
                });
                true
            }
            None => {
                s.saw(|| format!("{path} is gone: take it over"));
                true
            }
        }
    })?;
    if !stale {
        return Ok(Standing::Exit);
    }
    a.step("remove stale lock file", |s| {
        let host = &mut s.state.hosts[h];
        let path = host.display(LOCK_PATH);
        let removed = statements::unlink_lock_file(host, LOCK_PATH);
        let held = removed.map(|p| host.describe_pid(p));
        s.saw(|| match held {
            Some(held) => format!("unlink {path}: removed the file holding {held}"),
            None => format!("unlink {path}: ENOENT, already gone"),
        });
    })?;
    create_lock_file(a, cfg, me, true)
}

/// `flock(LOCK_EX|LOCK_NB)` on the lock file (opened with `O_CREAT`, never unlinked).
fn flock(a: &Actor<PollerWorld>, cfg: &Config, me: usize) -> Result<Standing, Halt> {
    let (h, pid) = (cfg.host_of(me), cfg.pid_of(me));
    a.step("flock lock file", |s| {
        let host = &mut s.state.hosts[h];
        let path = host.display(LOCK_PATH);
        match statements::flock(host, LOCK_PATH, pid) {
            Ok(()) => {
                s.saw(|| format!("open {path}, flock(LOCK_EX|LOCK_NB): locked by pid {pid}"));
                Standing::Polling
            }
            Err(holder) => {
                statements::exit(host, pid);
                s.saw(|| format!("flock {path}: EWOULDBLOCK, pid {holder} holds it: \"another instance is running\", exit"));
                Standing::Exit
            }
        }
    })
}

/// `SET bot-token-poller <me> NX PXAT deadline`: poll if it was set, stand by if not.
fn acquire_lease(a: &Actor<PollerWorld>, cfg: &Config, me: usize) -> Result<Standing, Halt> {
    a.redis(
        "acquire lease",
        |w| &mut w.store,
        me,
        statements::ACQUIRE_LEASE,
        |now| statements::lease_params(LEASE_KEY, me, cfg.ttl, now),
        |s, reply| {
            if statements::granted(reply) {
                let until = s.now + cfg.ttl;
                s.saw(|| format!("lease until t={until}"));
                Standing::Polling
            } else {
                let held = describe_lease(s);
                s.saw(|| format!("{held}: stand by"));
                Standing::Standby
            }
        },
    )
}

/// Compare-and-expire: renewed, or lost (expired, or someone else's now). A process
/// that lost it closes its connection before anything else, and sends no final
/// confirming poll: that `getUpdates` would terminate the new holder's long poll.
fn renew_lease(a: &Actor<PollerWorld>, cfg: &Config, me: usize) -> Result<Standing, Halt> {
    let renewed = a.redis(
        "renew lease",
        |w| &mut w.store,
        me,
        statements::RENEW_LEASE,
        |now| statements::lease_params(LEASE_KEY, me, cfg.ttl, now),
        |s, reply| {
            let renewed = statements::confirmed(reply);
            let held = describe_lease(s);
            let until = s.now + cfg.ttl;
            s.saw(|| {
                if renewed {
                    format!("{LEASE_KEY} is mine: renewed until t={until}")
                } else {
                    format!("{held}: lease lost, stop polling")
                }
            });
            renewed
        },
    )?;
    if renewed {
        return Ok(Standing::Polling);
    }
    a.step("stop polling", |s| {
        s.state.server.disconnect(me);
        s.saw(|| "connection to the server closed; stand by for the lease".to_owned());
    })?;
    Ok(Standing::Standby)
}

/// The lease as the store holds it: `held by B until t=3`, or `expired`.
fn describe_lease(s: &Step<'_, PollerWorld>) -> String {
    let now_ms = s.now * MS_PER_TICK;
    let holder = s.state.store.get(LEASE_KEY, now_ms);
    match holder.and_then(|h| h.parse::<usize>().ok()) {
        Some(holder) => {
            let until = s
                .state
                .store
                .expire_time(LEASE_KEY, now_ms)
                .map_or(s.now, |ms| lapse_tick(ms as u64));
            format!(
                "{LEASE_KEY} held by {} until t={until}",
                s.state.name(holder)
            )
        }
        None => format!("{LEASE_KEY} has expired"),
    }
}
