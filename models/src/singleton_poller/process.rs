//! A bot process's life: its start-up guard, then its polling loop (`getUpdates`,
//! handle each update), once a tick while the clock runs, or once and a clean
//! shutdown when there is no clock.

use crate::sim::{Actor, Halt};

use super::guard::{self, Standing};
use super::world::{check_resumed, check_single_poller, commit_effect, conflict_note, PollerWorld};
use super::Config;

/// Process `me`'s life, from its start (it is spawned at its start tick) to its exit,
/// its death or the horizon (which is not a shutdown: the run just stops looking).
pub fn run(a: &Actor<PollerWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let mut tick = cfg.start_of(me);
    let mut standing = guard::start(a, cfg, me)?;
    // Telegram's offset: the id after the last update this process fetched. It lives
    // in memory only, as in the write-up's bot.
    let mut offset = 0;
    loop {
        match standing {
            Standing::Exit => return Ok(()),
            Standing::Polling => offset = poll_and_handle(a, cfg, me, offset)?,
            Standing::Standby => {}
        }
        if cfg.horizon == 0 {
            if standing == Standing::Polling {
                stop_polling(a, me, offset)?;
                guard::release(a, cfg, me)?;
            }
            return Ok(());
        }
        tick += 1;
        if tick > cfg.horizon || !a.sleep_until(tick)? {
            return Ok(());
        }
        if cfg.stall_before_renewal == Some(me) && standing == Standing::Polling {
            a.pause_point()?;
        }
        standing = guard::before_poll(a, cfg, me, standing)?;
    }
}

/// One `getUpdates(offset)`, then each update it returned handled in order. Returns
/// the next offset.
fn poll_and_handle(
    a: &Actor<PollerWorld>,
    cfg: &Config,
    me: usize,
    offset: u64,
) -> Result<u64, Halt> {
    let updates = a.step("getUpdates", |s| {
        let now = s.now;
        let answer = s.state.server.get_updates(me, offset, now);
        check_single_poller(s, me, answer.terminated);
        check_resumed(s, cfg);
        let got = &answer.updates;
        let conflict = conflict_note(s.state, answer.terminated);
        s.saw(|| {
            let what = match got.as_slice() {
                [] => "no new updates".to_owned(),
                [one] => format!("update {one}"),
                many => {
                    let ids: Vec<String> = many.iter().map(u64::to_string).collect();
                    format!("updates {}", ids.join(", "))
                }
            };
            format!("getUpdates(offset={offset}) → {what}{conflict}")
        });
        answer.updates
    })?;
    let mut next = offset;
    for id in updates {
        handle(a, cfg, me, id)?;
        next = id + 1;
    }
    Ok(next)
}

/// The handler: the update's effect (the reply, the saved lesson) committed in the
/// bot's database. The idempotent handler commits `last_update_id` with it and skips
/// an update at or below it.
fn handle(a: &Actor<PollerWorld>, cfg: &Config, me: usize, id: u64) -> Result<(), Halt> {
    a.step("handle update", |s| {
        let last = s.state.last_update_id;
        if cfg.idempotent_handler && last >= id {
            s.saw(|| format!("update {id}: bot DB says last_update_id = {last}: already handled, skip"));
            return;
        }
        commit_effect(s, me, id);
        let times = s.state.effects[(id - 1) as usize].len();
        if cfg.idempotent_handler {
            s.state.last_update_id = id;
            s.saw(|| format!("update {id}: reply sent; effect and last_update_id = {id} committed in one transaction"));
        } else if times == 1 {
            s.saw(|| format!("update {id}: reply sent, effect committed"));
        } else {
            s.saw(|| format!("update {id}: reply sent, effect committed again ({times} times now)"));
        }
    })
}

/// Clean shutdown: a last `getUpdates(offset, timeout=0)` confirms what was handled,
/// and the connection closes.
fn stop_polling(a: &Actor<PollerWorld>, me: usize, offset: u64) -> Result<(), Halt> {
    a.step("stop polling", |s| {
        let now = s.now;
        let terminated = s.state.server.stop_polling(me, offset, now);
        check_single_poller(s, me, terminated);
        let conflict = conflict_note(s.state, terminated);
        s.saw(|| {
            let confirmed = if offset > 1 {
                format!(": confirms updates below {offset}")
            } else {
                String::new()
            };
            format!(
                "getUpdates(offset={offset}, timeout=0){confirmed}; connection closed{conflict}"
            )
        });
    })
}
