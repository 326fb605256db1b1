//! What a backend server does: scan its devices every `scan_interval`, claiming,
//! renewing and connecting according to its [`Protocol`].

use crate::sim::store::sql::Outcome;
use crate::sim::{Actor, Halt, Step, Tick};

use super::resource::{dev, owner, srv, Connection, DeviceRow, DeviceWorld};
use super::statements::{self, Call};
use super::{
    Config, Protocol, CONNECT_WITH_LIVE_LEASE, EXCLUSIVE_CONNECTION, RECONNECT_AFTER_CRASH,
};

/// What a server remembers between scans (lost when it crashes).
#[derive(Debug, Clone, Copy, Hash)]
struct Held {
    epoch: u64,
}

/// A server's life: scan, sleep until the next scan, until the clock stops.
pub fn run(a: &Actor<DeviceWorld>, cfg: &Config, me: usize) -> Result<(), Halt> {
    let mut held: Vec<Option<Held>> = vec![None; cfg.devices];
    let mut next: Tick = 0;
    loop {
        a.local("scan", &(next, &held));
        for (d, h) in held.iter_mut().enumerate() {
            *h = scan_device(a, cfg, me, d, *h)?;
        }
        if cfg.horizon == 0 {
            return Ok(());
        }
        next += cfg.scan_interval;
        if !a.sleep_until(next)? {
            return Ok(());
        }
    }
}

fn scan_device(
    a: &Actor<DeviceWorld>,
    cfg: &Config,
    me: usize,
    d: usize,
    held: Option<Held>,
) -> Result<Option<Held>, Halt> {
    match (cfg.protocol, held) {
        // The write-up's servers never give a device up once connected.
        (Protocol::SelectThenUpdate | Protocol::ConditionalUpdate, Some(h)) => Ok(Some(h)),
        (Protocol::SelectThenUpdate, None) => select_then_update(a, cfg, me, d),
        (Protocol::ConditionalUpdate, None) => conditional_update(a, cfg, me, d),
        (Protocol::ExpiringClaim | Protocol::EpochLease, Some(h)) => renew(a, cfg, me, d, h),
        (Protocol::ExpiringClaim | Protocol::EpochLease, None) => claim_lease(a, cfg, me, d),
    }
}

fn select_then_update(
    a: &Actor<DeviceWorld>,
    cfg: &Config,
    me: usize,
    d: usize,
) -> Result<Option<Held>, Halt> {
    let current = sql(a, "select owner", me, statements::select_owner(d))?;
    if statements::owner(&current).is_some() {
        return Ok(None);
    }
    sql(a, "update owner", me, statements::set_owner(d, me))?;
    connect(a, cfg, me, d, 0, None)
}

fn conditional_update(
    a: &Actor<DeviceWorld>,
    cfg: &Config,
    me: usize,
    d: usize,
) -> Result<Option<Held>, Halt> {
    let claimed = sql(
        a,
        "claim if unowned",
        me,
        statements::claim_if_unowned(d, me),
    )?;
    if claimed.affected != 1 {
        return Ok(None);
    }
    // The write-up's re-validation. Without the operator the claim just made ensures
    // it; with the operator (validate-then-connect) the clear can land after it, so
    // the read narrows a window no rung of this protocol closes: no scenario can need
    // it, and the correct rung (epoch lease) does without it.
    let valid = sql(a, "validate owner", me, statements::select_owner(d))?;
    if statements::owner(&valid) != Some(me) {
        return Ok(None);
    }
    connect(a, cfg, me, d, 0, None)
}

fn claim_lease(
    a: &Actor<DeviceWorld>,
    cfg: &Config,
    me: usize,
    d: usize,
) -> Result<Option<Held>, Halt> {
    let epoch_lease = cfg.protocol == Protocol::EpochLease;
    let claim = sql_at(a, "claim if free or expired", me, |now| {
        statements::claim_if_free_or_expired(d, me, now, cfg.ttl, epoch_lease)
    })?;
    let Some((epoch, lease_until)) = statements::lease_won(&claim) else {
        return Ok(None);
    };
    if epoch_lease {
        // The lease itself is the fence: connect with a timer armed to close the
        // connection `margin` before the lease ends. With the one clock this model
        // has, a timer at the lease's end would fence as well (a connection is open
        // while now < closes_at, a claim takes the row once lease_until <= now), so no
        // scenario here needs the margin: it is there for the skew between the
        // process's clock and the database's, which this scheme's model leaves out
        // (instance-coordinator/clock-skew models skew for the lock table).
        return connect(a, cfg, me, d, epoch, Some(lease_until - cfg.margin));
    }
    let valid = sql(a, "validate owner", me, statements::select_owner(d))?;
    if statements::owner(&valid) != Some(me) {
        return Ok(None);
    }
    connect(a, cfg, me, d, epoch, None)
}

fn renew(
    a: &Actor<DeviceWorld>,
    cfg: &Config,
    me: usize,
    d: usize,
    held: Held,
) -> Result<Option<Held>, Halt> {
    let epoch_lease = cfg.protocol == Protocol::EpochLease;
    let renewed = sql_at(a, "renew lease", me, |now| {
        statements::renew_lease(d, me, held.epoch, now, cfg.ttl, epoch_lease)
    })?;
    match statements::renewed_until(&renewed) {
        Some(until) if epoch_lease => {
            let still_open = a.step("extend connection timer", |s| {
                let now = s.now;
                let open = s.state.extend(d, me, until - cfg.margin, now);
                s.saw(|| {
                    if open {
                        format!("{} closes at t={}", dev(d), until - cfg.margin)
                    } else {
                        format!("{} timer had fired: closed", dev(d))
                    }
                });
                open
            })?;
            Ok(still_open.then_some(held))
        }
        Some(_) => Ok(Some(held)),
        None => {
            a.step("disconnect", |s| {
                s.state.close(d, me);
                s.saw(|| format!("{} closed", dev(d)));
            })?;
            Ok(None)
        }
    }
}

/// Runs one of the scheme's statements on server `me`'s connection, as one step.
/// Every statement here autocommits and none can fail on the model; one that did
/// would be a bug in the model, so it stops the execution loudly.
pub(super) fn sql(
    a: &Actor<DeviceWorld>,
    label: &'static str,
    me: usize,
    call: Call,
) -> Result<Outcome, Halt> {
    sql_at(a, label, me, |_| call.clone())
}

/// As [`sql`], for a statement that takes the clock as a parameter: it is built at
/// the tick the step runs.
pub(super) fn sql_at(
    a: &Actor<DeviceWorld>,
    label: &'static str,
    me: usize,
    call: impl Fn(Tick) -> Call,
) -> Result<Outcome, Halt> {
    let session = DeviceWorld::session(me);
    // Every call of `call` yields the same statement; only its parameters vary.
    let stmt = call(0).stmt;
    let done = a.sql_at(label, |w| &mut w.db, session, stmt, |now| call(now).params)?;
    Ok(done.unwrap_or_else(|e| panic!("{label}: autocommit statement failed: {e:?}")))
}

/// The resource-side step: WhatsApp opens the connection, and the properties are
/// checked where the harm happens.
fn connect(
    a: &Actor<DeviceWorld>,
    cfg: &Config,
    me: usize,
    d: usize,
    epoch: u64,
    closes_at: Option<Tick>,
) -> Result<Option<Held>, Halt> {
    a.step("connect", |s| {
        let now = s.now;
        let others: Vec<usize> = s.state.connected(d, now).into_iter().filter(|&o| o != me).collect();
        let row = s.state.row(d);
        let orphaned_since = s.state.orphaned_since[d];
        let open = s.state.open(d, Connection { server: me, epoch, closes_at }, now);
        if !open {
            s.saw(|| format!("{}: timer already fired, connection refused", dev(d)));
            return None;
        }
        s.saw(|| format!("{} connected to {}{}", srv(me), dev(d), closes_at.map(|t| format!(" (closes at t={t})")).unwrap_or_default()));
        check_connect(s, cfg, me, d, epoch, &others, &row);
        if let Some(since) = orphaned_since {
            let deadline = since + cfg.reconnect_bound();
            s.check(now <= deadline, RECONNECT_AFTER_CRASH, || {
                format!("{} offline since its server crashed at t={since}, reconnected only at t={now} (deadline t={deadline})", dev(d))
            });
        }
        Some(Held { epoch })
    })
}

fn check_connect(
    s: &mut Step<'_, DeviceWorld>,
    cfg: &Config,
    me: usize,
    d: usize,
    epoch: u64,
    others: &[usize],
    row: &DeviceRow,
) {
    let now = s.now;
    s.check(others.is_empty(), EXCLUSIVE_CONNECTION, || {
        let names: Vec<String> = others.iter().map(|&o| srv(o)).collect();
        format!(
            "{} connected by {} while {} still connected",
            dev(d),
            srv(me),
            names.join(", ")
        )
    });
    if cfg.check_lease_at_connect {
        let live = row.owner == Some(me) && row.epoch == epoch && now < row.lease_until;
        s.check(live, CONNECT_WITH_LIVE_LEASE, || {
            format!(
                "{} connected to {} at t={now} but the row says owner = {}, epoch = {} (held {epoch}), lease until t={}",
                srv(me),
                dev(d),
                owner(row.owner),
                row.epoch,
                row.lease_until
            )
        });
    }
}
