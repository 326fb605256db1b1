//! The world of a singleton-poller execution: the messaging server, the hosts, the
//! shared store holding the lease, the bot's database (where updates take effect),
//! and what the liveness properties remember about the kill.

use crate::sim::store::redis::Redis;
use crate::sim::{Step, Tick};

use super::server::Server;
use super::{Config, LOCK_PATH, POLLER_RESUMES, SINGLE_POLLER, UPDATE_ONCE};
use crate::sim::store::Host;

/// The lease's key in the shared store.
pub const LEASE_KEY: &str = "bot-token-poller";

/// The pid a process killed before the run left in `h1`'s lock file.
const STALE_PID: u32 = 100;

/// The shared state.
#[derive(Debug, Hash)]
pub struct PollerWorld {
    /// The messaging server.
    pub server: Server,
    /// The hosts, `h1` first.
    pub hosts: Vec<Host>,
    /// The shared store (Redis-like): the lease, valued with its holder's index.
    pub store: Redis,
    /// The bot's database: per update (id − 1), who committed its effect, in order.
    pub effects: Vec<Vec<usize>>,
    /// The bot's database: the last update the idempotent handler committed.
    pub last_update_id: u64,
    /// When a process was last killed, and whether any process polled since.
    pub last_kill: Option<Tick>,
    /// Some `getUpdates` reached the server after the last kill.
    pub polled_since_kill: bool,
    /// Timeline names of the processes, by index.
    pub names: Vec<String>,
}

impl PollerWorld {
    /// Every process alive on its host, the updates queued at the server. The fresh
    /// process's pid is listed from the start: only a pid written in the lock file is
    /// ever probed, and only its own process writes it.
    pub fn new(cfg: &Config) -> Self {
        let mut hosts: Vec<Host> = (0..cfg.hosts())
            .map(|h| {
                let alive = (0..cfg.all_processes())
                    .filter(|&i| cfg.host_of(i) == h)
                    .map(|i| cfg.pid_of(i));
                Host::new(format!("h{}", h + 1), alive)
            })
            .collect();
        if cfg.stale_lock_file {
            hosts[0].leave_file(LOCK_PATH, STALE_PID);
        }
        PollerWorld {
            server: Server::new(cfg.updates.clone()),
            hosts,
            store: Redis::new(),
            effects: vec![Vec::new(); cfg.updates.len()],
            last_update_id: 0,
            last_kill: None,
            polled_since_kill: false,
            names: (0..cfg.all_processes()).map(|i| cfg.name_of(i)).collect(),
        }
    }

    /// Process `i`'s timeline name.
    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }
}

/// At the server, after a request from `me` that terminated `terminated`'s long poll.
pub fn check_single_poller(s: &mut Step<'_, PollerWorld>, me: usize, terminated: Option<usize>) {
    if let Some(other) = terminated {
        let (me, other) = (s.state.name(me).to_owned(), s.state.name(other).to_owned());
        s.violate(SINGLE_POLLER, || {
            format!("{me} polls the token while {other} is still polling it: the server answers {other}'s long poll with 409 Conflict: terminated by other getUpdates request")
        });
    } else {
        s.checked(SINGLE_POLLER);
    }
}

/// What the timeline adds to a request that terminated another process's long poll.
pub fn conflict_note(state: &PollerWorld, terminated: Option<usize>) -> String {
    terminated
        .map(|other| {
            format!(
                "; {}'s long poll is answered 409 Conflict",
                state.name(other)
            )
        })
        .unwrap_or_default()
}

/// At the server, on any `getUpdates`: the first poll after a kill must come within
/// TTL + ε of it.
pub fn check_resumed(s: &mut Step<'_, PollerWorld>, cfg: &Config) {
    if let Some(killed) = s.state.last_kill.filter(|_| !s.state.polled_since_kill) {
        let (now, deadline) = (s.now, killed + cfg.resume_bound());
        s.check(now <= deadline, POLLER_RESUMES, || {
            format!(
                "nothing polled after the kill at t={killed} until t={now} (deadline t={deadline})"
            )
        });
    }
    s.state.polled_since_kill = true;
}

/// In the bot's database: `me` commits update `id`'s effect; it must be the first.
pub fn commit_effect(s: &mut Step<'_, PollerWorld>, me: usize, id: u64) {
    let by = &mut s.state.effects[(id - 1) as usize];
    by.push(me);
    if by.len() > 1 {
        let who: Vec<String> = by.iter().map(|&i| s.state.names[i].clone()).collect();
        s.violate(UPDATE_ONCE, || {
            format!(
                "update {id} took effect {} times (handled by {})",
                who.len(),
                who.join(", then ")
            )
        });
    } else {
        s.checked(UPDATE_ONCE);
    }
}
