//! The singleton-poller [`Scheme`]: the bot processes (and the fresh one the
//! supervisor starts after a kill), the kill, and the end-of-execution liveness
//! checks. The kit runs the clock.

use crate::sim::{ActorId, Cast, Property, RedisForm, Scheme, Step};

use super::world::{PollerWorld, LEASE_KEY};
use super::{
    process, statements, Config, Protocol, POLLER_RESUMES, RESTART_DELAY, SINGLE_POLLER,
    UPDATE_HANDLED, UPDATE_ONCE,
};

/// A singleton-poller model, ready to run under any engine.
#[derive(Debug, Clone, Hash)]
pub struct SingletonPoller {
    cfg: Config,
}

impl SingletonPoller {
    /// Checks `cfg` and wraps it.
    pub fn new(cfg: Config) -> Result<Self, String> {
        cfg.validate()?;
        Ok(SingletonPoller { cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

impl Scheme for SingletonPoller {
    type State = PollerWorld;

    fn init(&self) -> PollerWorld {
        PollerWorld::new(&self.cfg)
    }

    fn redis(&self) -> Option<RedisForm> {
        // The lease is the only guard in a shared store; files and flocks are the
        // host's (the kit's Host model), with no server to hold them against.
        (self.cfg.protocol == Protocol::RenewedLease).then(|| RedisForm {
            keys: vec![LEASE_KEY],
            witness: Some(super::witness::witness),
        })
    }

    fn cast(&self, cast: &mut Cast<PollerWorld>) {
        let cfg = &self.cfg;
        if cfg.horizon > 0 {
            cast.clock(cfg.horizon);
        }
        // Processes in index order: process `i` is `ActorId(i)`, the kill's victim.
        // The fresh process the supervisor starts after the kill exists only from its
        // restart tick on.
        for i in 0..cfg.all_processes() {
            let c = cfg.clone();
            let mut process = cast.actor(cfg.name_of(i), move |a| process::run(a, &c, i));
            if cfg.pausable == Some(i) {
                process = process.pausable();
            }
            process.starts_at(cfg.start_of(i));
        }
        if let Some(at) = cfg.kill_at {
            for victim in 0..cfg.processes {
                let c = cfg.clone();
                cast.crash(ActorId(victim), at, move |s| killed(s, &c, victim));
            }
        }
    }

    fn at_end(&self, s: &mut Step<'_, PollerWorld>) {
        check_end(s, &self.cfg);
    }

    fn properties(&self) -> Vec<Property> {
        let mut properties = vec![SINGLE_POLLER, UPDATE_ONCE, UPDATE_HANDLED];
        if self.cfg.kill_at.is_some() || self.cfg.stale_lock_file {
            properties.push(POLLER_RESUMES);
        }
        properties
    }
}

/// SIGKILL: no cleanup runs. The pid leaves the host's process table and the kernel
/// releases its flock and closes its connection to the server; its lock file and its
/// lease stay behind.
fn killed(s: &mut Step<'_, PollerWorld>, cfg: &Config, victim: usize) {
    statements::exit(&mut s.state.hosts[cfg.host_of(victim)], cfg.pid_of(victim));
    s.state.server.disconnect(victim);
    s.state.last_kill = Some(s.now);
    s.state.polled_since_kill = false;
}

/// At the end of every complete execution: a fresh process polled within TTL + ε of
/// the kill, and every update that reached the server was handled.
fn check_end(s: &mut Step<'_, PollerWorld>, cfg: &Config) {
    let now = s.now;
    if let Some(killed) = s.state.last_kill {
        let deadline = killed + cfg.resume_bound();
        let overdue = !s.state.polled_since_kill && now >= deadline;
        s.check(!overdue, POLLER_RESUMES, || {
            format!("every process was killed at t={killed} and nothing has polled since: a fresh poller was due by t={deadline} (kill + ttl + {RESTART_DELAY}); it is t={now}")
        });
    }
    let unhandled: Vec<u64> = s
        .state
        .server
        .arrived(now)
        .filter(|&id| s.state.effects[(id - 1) as usize].is_empty())
        .collect();
    let first = unhandled.first().copied();
    s.check(first.is_none(), UPDATE_HANDLED, || {
        let id = first.unwrap_or(1);
        let at = cfg.updates[(id - 1) as usize];
        format!(
            "update {id} reached the server at t={at} and was never handled (run ended at t={now})"
        )
    });
}
