//! The singleton-poller [`Model`]: the bot processes (and the fresh one the supervisor
//! starts after a kill), the ticker (which also kills), and the end-of-execution
//! liveness checks.

use crate::sim::JoinHandle as _;
use crate::sim::{Actor, ActorId, Model, Recorder, Runtime, Sim, SimOptions, Step, Timing};

use super::world::PollerWorld;
use super::{process, Config, POLLER_RESUMES, RESTART_DELAY, UPDATE_HANDLED};

/// A singleton-poller model, ready to run under any engine.
#[derive(Debug, Clone)]
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

impl Model for SingletonPoller {
    fn run<R: Runtime>(&self, recorder: &Recorder) {
        let cfg = &self.cfg;
        let sim =
            Sim::<R, PollerWorld>::new(recorder, PollerWorld::new(cfg), SimOptions::default());
        // Processes first, in index order: process `i` is `ActorId(i)`, the kill's victim.
        let processes: Vec<_> = (0..cfg.processes)
            .map(|i| sim.actor(cfg.name_of(i), timing(cfg, i)))
            .collect();
        let ticker = (cfg.horizon > 0).then(|| sim.actor("ticker", Timing::Driver));

        let mut handles = Vec::new();
        for (i, actor) in processes.into_iter().enumerate() {
            let cfg = cfg.clone();
            handles.push(sim.spawn(actor, move |a| process::run(a, &cfg, i)));
        }
        if let Some(ticker) = ticker {
            // The main thread drives the clock, kills and restarts: one thread fewer
            // for loom, and the fresh process exists only from its restart on.
            handles.extend(drive_clock(&sim, &ticker, cfg));
        }
        for h in handles {
            h.join();
        }
        sim.finish(|s| check_end(s, cfg));
    }
}

/// With no clock nobody waits on a process; a pausable process lets the clock (and
/// its lease) run on without it; the others are punctual.
fn timing(cfg: &Config, i: usize) -> Timing {
    if cfg.horizon == 0 || cfg.pausable == Some(i) {
        Timing::Pausable
    } else {
        Timing::Punctual
    }
}

/// Advances the clock to the horizon, killing every process started at t = 0 at the
/// kill tick (each kill at any step boundary of that tick), and starting the fresh
/// process when the supervisor restarts it. The driver never finishes (it runs on the
/// main thread, which then joins the processes), so processes stop at the horizon by
/// themselves. Returns the fresh process's handle.
fn drive_clock<R: Runtime>(
    sim: &Sim<R, PollerWorld>,
    ticker: &Actor<R, PollerWorld>,
    cfg: &Config,
) -> Option<R::Handle> {
    let mut fresh_handle = None;
    for t in 0..cfg.horizon {
        if cfg.kill_at == Some(t) {
            for victim in 0..cfg.processes {
                if ticker
                    .crash(ActorId(victim), |s| killed(s, cfg, victim))
                    .is_err()
                {
                    return fresh_handle;
                }
            }
        }
        if ticker.tick().is_err() {
            return fresh_handle;
        }
        if let Some(fresh) = cfg.fresh().filter(|&f| cfg.start_of(f) == t + 1) {
            // Registered only now, punctual: the clock waits for its first round.
            let actor = sim.actor(cfg.name_of(fresh), timing(cfg, fresh));
            let cfg = cfg.clone();
            fresh_handle = Some(sim.spawn(actor, move |a| process::run(a, &cfg, fresh)));
        }
    }
    fresh_handle
}

/// SIGKILL: no cleanup runs. The pid leaves the host's process table and the kernel
/// releases its flock and closes its connection to the server; its lock file and its
/// lease stay behind.
fn killed(s: &mut Step<'_, PollerWorld>, cfg: &Config, victim: usize) {
    s.state.hosts[cfg.host_of(victim)].process_ended(cfg.pid_of(victim));
    s.state.server.disconnect(victim);
    s.state.last_kill = Some(s.now);
    s.state.polled_since_kill = false;
}

/// At the end of every complete execution: a fresh process polled within TTL + ε of
/// the kill, and every update that reached the server was handled.
fn check_end(s: &mut Step<'_, PollerWorld>, cfg: &Config) {
    let now = s.now;
    if let Some(killed) = s.state.last_kill.filter(|_| !s.state.polled_since_kill) {
        let deadline = killed + cfg.resume_bound();
        if now >= deadline {
            s.violate(POLLER_RESUMES, || {
                format!("every process was killed at t={killed} and nothing has polled since: a fresh poller was due by t={deadline} (kill + ttl + {RESTART_DELAY}); it is t={now}")
            });
        }
    }
    let unhandled: Vec<u64> = s
        .state
        .server
        .arrived(now)
        .filter(|&id| s.state.effects[(id - 1) as usize].is_empty())
        .collect();
    if let Some(&id) = unhandled.first() {
        let at = cfg.updates[(id - 1) as usize];
        s.violate(UPDATE_HANDLED, || {
            format!("update {id} reached the server at t={at} and was never handled (run ended at t={now})")
        });
    }
}
