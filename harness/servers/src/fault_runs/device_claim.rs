//! The device claim's correct rungs under faults: `epoch-lease` and
//! `conditional-update`, clients claiming one hot device. Both count a client
//! holder from its won claim until it sends its clear, with one overlap detector
//! ([`Holders`]): no claim may win while another client holds the device.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use locklab_models::device_claim::statements as device;
use tokio_postgres::Client;

use super::{bump, get};
use crate::faults::{query_one_call, run_call, with_faults, Fault, FaultReport};
use crate::pg::PgConfig;

/// Lease of the epoch-lease run, in ms of the run's clock.
const LEASE_MS: u64 = 50;

/// Who believes they hold the one device: the overlap detector of both runs.
struct Holders {
    /// Clients that believe they hold the device right now.
    now: AtomicU64,
    /// The lease deadline (run ms) of the latest winner; `u64::MAX` for a rung
    /// without a lease.
    until: AtomicU64,
    /// Claims won (and, where the rung validates, validated) while another client
    /// held the device under a live lease.
    overlaps: AtomicU64,
    /// Claims won while another client still held the device past its lease: the
    /// holder was slower than its lease on this machine (a loaded CI runner), which
    /// the rung does not promise to survive; reported, not a failure.
    overran: AtomicU64,
}

impl Default for Holders {
    fn default() -> Self {
        Holders {
            now: AtomicU64::new(0),
            until: AtomicU64::new(u64::MAX),
            overlaps: AtomicU64::new(0),
            overran: AtomicU64::new(0),
        }
    }
}

impl Holders {
    /// Client `me`, its claim won at `claimed_at` (run ms; the `$now` the server
    /// judged it by) with a lease to `until`: holds the device for ~1 ms — an
    /// overlap if another client holds it too under a live lease — then sends the
    /// rung's clear. A fault while it holds leaves the device claimed (until the
    /// lease expires, where there is one).
    async fn hold_then_clear(
        &self,
        client: &Client,
        me: usize,
        claimed_at: u64,
        until: u64,
    ) -> Result<bool, tokio_postgres::Error> {
        let previous = self.until.swap(until, Ordering::SeqCst);
        if self.now.fetch_add(1, Ordering::SeqCst) != 0 {
            if claimed_at < previous {
                bump(&self.overlaps);
            } else {
                bump(&self.overran);
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        run_call(client, &device::clear_owner(me)).await?;
        Ok(true)
    }

    /// What held (no claim won while another client held the device under a live
    /// lease), or how often it broke.
    fn no_double_claim(&self) -> Result<String, String> {
        let overran = match get(&self.overran) {
            0 => String::new(),
            n => format!(
                " ({n} claims won after a holder outlived its lease on this machine: \
                 the lease lapsed as the rung means it to)"
            ),
        };
        match get(&self.overlaps) {
            0 => Ok(format!(
                "no double claim: no claim won while another client held the device{overran}"
            )),
            overlaps => Err(format!(
                "{overlaps} claims won while another client held the device under a live lease{overran}"
            )),
        }
    }
}

/// `device-claim/epoch-lease`'s claims of one hot device under `fault`.
pub fn device_claims(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let holders = Arc::new(Holders::default());
    let h = Arc::clone(&holders);
    let op = move |client: Arc<Client>, me: usize, _: u64, start: Instant| {
        let h = Arc::clone(&h);
        async move {
            let now = start.elapsed().as_millis() as u64;
            let won = run_call(
                &client,
                &device::claim_if_free_or_expired(0, me, now, LEASE_MS, true),
            )
            .await?
                == 1;
            if !won {
                return Ok(false);
            }
            h.hold_then_clear(&client, me, now, now + LEASE_MS).await
        }
    };
    let nothing = |_: Client| async { Ok(()) };
    let (counters, ()) = with_faults(cfg, device::setup(1), clients, time, fault, op, nothing)?;
    let invariant = holders.no_double_claim();
    Ok(counters.report("device-claim/epoch-lease", invariant))
}

/// What the clients of the conditional-update run saw.
#[derive(Default)]
struct ClaimState {
    holders: Holders,
    /// Validations after a won claim that read another owner.
    foreign: AtomicU64,
    /// Claims refused since the last one that won.
    refused_since_win: AtomicU64,
    /// When the last claim won, in ms of the run.
    last_win_ms: AtomicU64,
}

/// `device-claim/conditional-update`'s claims of one hot device under `fault`: the
/// claim `… WHERE owner IS NULL`, the write-up's validation (`SELECT owner`), a hold of
/// ~1 ms, then the write-up's clear. A client counts itself holder from its validated
/// claim until it sends the clear; no claim may win while another client holds the
/// device, and no validation may read another owner.
///
/// The rung has no lease: a holder whose connection dies before its clear ran leaves
/// the device owned for good (the model's `ManualRecovery`), and every claim after is
/// refused. That is its known liveness cost, reported, not a safety failure.
pub fn device_conditional_claims(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let state = Arc::new(ClaimState::default());
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, _: u64, start: Instant| {
        let s = Arc::clone(&st);
        async move {
            let won = run_call(&client, &device::claim_if_unowned(0, me)).await? == 1;
            if !won {
                bump(&s.refused_since_win);
                return Ok(false);
            }
            s.refused_since_win.store(0, Ordering::SeqCst);
            s.last_win_ms
                .store(start.elapsed().as_millis() as u64, Ordering::SeqCst);
            let valid = query_one_call(&client, &device::select_owner(0)).await?;
            let owner: Option<i32> = valid.get(0);
            if owner != Some(me as i32) {
                bump(&s.foreign);
                return Ok(false);
            }
            // No lease: every holder holds until its clear.
            s.holders.hold_then_clear(&client, me, 0, u64::MAX).await
        }
    };
    let read = |reader: Client| async move {
        let row = reader
            .query_one("SELECT owner FROM devices WHERE id = 0", &[])
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(row.get::<_, Option<i32>>(0))
    };
    let (counters, owner) = with_faults(cfg, device::setup(1), clients, time, fault, op, read)?;
    let foreign = get(&state.foreign);
    let invariant = state.holders.no_double_claim().and_then(|held| {
        if foreign > 0 {
            return Err(format!(
                "{foreign} validations after a won claim read another owner"
            ));
        }
        let liveness = match owner {
            Some(o) => format!(
                "device left owned by a dead client: client {o}'s connection died between \
                 its claim and its clear, and nothing frees it in this rung (no lease), so \
                 the {} claims after its last win (at {} ms of {} ms) were refused",
                get(&state.refused_since_win),
                get(&state.last_win_ms),
                time.as_millis()
            ),
            None => "the device ended unowned".to_owned(),
        };
        Ok(format!(
            "{held}, every validation read its own claim; {liveness}"
        ))
    });
    Ok(counters.report("device-claim/conditional-update", invariant))
}
