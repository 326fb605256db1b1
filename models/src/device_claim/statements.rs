//! What the servers (and the operator) send to the `devices` table, one function per
//! statement. The model's steps call these, and so does [`super::DeviceClaimWorkload`]
//! on OS threads: the bench runs the statements that were checked. Each is one
//! autocommit statement (the write-up's servers hold no transaction open), so none
//! ever waits for a row lock.

use crate::sim::store::Table;
use crate::sim::Tick;

use super::resource::DeviceRow;

const AUTOCOMMIT: &str = "autocommit never blocks here";

/// The `devices` table, keyed by device index.
pub type Devices = Table<usize, DeviceRow>;

/// `SELECT owner FROM devices WHERE id = $d`.
pub fn select_owner(devices: &Devices, d: usize) -> Option<usize> {
    devices.select(&d, None).and_then(|r| r.owner)
}

/// `UPDATE devices SET owner = $me WHERE id = $d`: the original bug's blind write.
/// Rows updated.
pub fn set_owner(devices: &mut Devices, d: usize, me: usize) -> usize {
    devices
        .update_where(&d, None, |_| true, |r| r.owner = Some(me))
        .expect(AUTOCOMMIT)
}

/// `UPDATE devices SET owner = $me WHERE id = $d AND owner IS NULL`: the write-up's
/// claim. Rows updated.
pub fn claim_if_unowned(devices: &mut Devices, d: usize, me: usize) -> usize {
    devices
        .update_where(&d, None, |r| r.owner.is_none(), |r| r.owner = Some(me))
        .expect(AUTOCOMMIT)
}

/// The expiring claim: `UPDATE devices SET owner = $me, lease_until = now() + ttl`
/// (and, with `epoch_lease`, `epoch = epoch + 1`) `WHERE id = $d AND (owner IS NULL OR
/// lease_until <= now())`; with `epoch_lease` a server may also re-claim its own
/// device (after its connection lapsed). The epoch and lease it won, if it did.
///
/// The epoch bump (and the renewal's `epoch = $held`) guards against a second
/// incarnation of one server id (the catalogue's `ReusedServerId`). No scenario needs
/// it yet: in this model a server id has one incarnation, whose remembered epoch
/// always matches the row while it owns it, so `ci/mutants.txt` lists removing it as
/// a surviving mutant until a restarted-server scenario exists.
pub fn claim_if_free_or_expired(
    devices: &mut Devices,
    d: usize,
    me: usize,
    now: Tick,
    ttl: Tick,
    epoch_lease: bool,
) -> Option<(u64, Tick)> {
    let mut won = None;
    devices
        .update_where(
            &d,
            None,
            |r| r.owner.is_none() || r.lease_until <= now || (epoch_lease && r.owner == Some(me)),
            |r| {
                r.owner = Some(me);
                r.lease_until = now + ttl;
                if epoch_lease {
                    r.epoch += 1;
                }
                won = Some((r.epoch, r.lease_until));
            },
        )
        .expect(AUTOCOMMIT);
    won
}

/// The renewal: `UPDATE devices SET lease_until = now() + ttl WHERE id = $d AND owner
/// = $me` (and, with `epoch_lease`, `AND epoch = $held`). The new deadline, or `None`
/// if the lease was lost.
///
/// Without the owner check a server that lost its lease would extend the new
/// holder's deadline, which no property reads: its own connection timer fired before
/// the lease ended (the margin), so renewing finds the connection closed anyway.
pub fn renew_lease(
    devices: &mut Devices,
    d: usize,
    me: usize,
    held_epoch: u64,
    now: Tick,
    ttl: Tick,
    epoch_lease: bool,
) -> Option<Tick> {
    let mut until = None;
    devices
        .update_where(
            &d,
            None,
            |r| r.owner == Some(me) && (!epoch_lease || r.epoch == held_epoch),
            |r| {
                r.lease_until = now + ttl;
                until = Some(r.lease_until);
            },
        )
        .expect(AUTOCOMMIT);
    until
}

/// The write-up's "clear stuck assignments": `UPDATE devices SET owner = NULL WHERE
/// owner = $server`. Rows updated.
pub fn clear_owner(devices: &mut Devices, server: usize) -> usize {
    devices
        .update_all_where(None, |_, r| r.owner == Some(server), |r| r.owner = None)
        .expect(AUTOCOMMIT)
}
