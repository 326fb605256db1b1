//! What the servers (and the operator) send to the `devices` table: one SQL text per
//! statement, the only definition there is. The model's steps run it on the kit's
//! PostgreSQL model ([`Db`]), [`super::DeviceClaimWorkload`] runs it on OS threads,
//! and `locklab explore --backend postgres` sends the very same text to a real server.
//! Each is one autocommit statement (the write-up's servers hold no transaction
//! open), so none ever waits for a row lock.
//!
//! Time is the harness's clock, passed as a parameter (`lease_until <= $now`), so a
//! real server runs a schedule at the model's virtual times.
//!
//! [`Db`]: crate::sim::store::sql::Db

pub use crate::sim::store::sql::Call;
use crate::sim::store::sql::{Outcome, Value};
use crate::sim::Tick;
use crate::sql_call;

/// The table. `owner` is the server's index (`NULL`: unassigned); `epoch` is bumped
/// by every claim of the epoch lease; the lease ends at tick `lease_until`.
pub const CREATE_TABLE: &str =
    "CREATE TABLE devices (id int PRIMARY KEY, owner int, epoch bigint NOT NULL, lease_until bigint NOT NULL)";
/// One unassigned device, `$1` its index.
pub const INSERT_DEVICE: &str = "INSERT INTO devices VALUES ($1, NULL, 0, 0)";

/// `SELECT owner …`: the original bug's read, and the write-up's validation.
pub const SELECT_OWNER: &str = "SELECT owner FROM devices WHERE id = $1";
/// The original bug's blind write.
pub const SET_OWNER: &str = "UPDATE devices SET owner = $1 WHERE id = $2";
/// The write-up's claim.
pub const CLAIM_IF_UNOWNED: &str = "UPDATE devices SET owner = $1 WHERE id = $2 AND owner IS NULL";
/// The expiring claim: take the device if it is free or its lease has ended.
pub const CLAIM_LEASE: &str = "UPDATE devices SET owner = $1, lease_until = $2 \
     WHERE id = $3 AND (owner IS NULL OR lease_until <= $4) RETURNING epoch, lease_until";
/// The epoch lease's claim: as [`CLAIM_LEASE`], bumping the epoch, and a server may
/// also re-claim its own device (after its connection lapsed).
///
/// The epoch bump (and the renewal's `epoch = $held`) guards against a second
/// incarnation of one server id (the catalogue's `ReusedServerId`). No scenario needs
/// it yet: in this model a server id has one incarnation, whose remembered epoch
/// always matches the row while it owns it, so `ci/mutants.txt` lists removing it as
/// a surviving mutant until a restarted-server scenario exists.
pub const CLAIM_EPOCH_LEASE: &str = "UPDATE devices SET owner = $1, lease_until = $2, epoch = epoch + 1 \
     WHERE id = $3 AND (owner IS NULL OR lease_until <= $4 OR owner = $1) RETURNING epoch, lease_until";
/// The renewal: extend only a lease this server still holds.
///
/// Without the owner check a server that lost its lease would extend the new
/// holder's deadline, which no property reads: its own connection timer fired before
/// the lease ended (the margin), so renewing finds the connection closed anyway.
pub const RENEW_LEASE: &str =
    "UPDATE devices SET lease_until = $1 WHERE id = $2 AND owner = $3 RETURNING lease_until";
/// The epoch lease's renewal: owner and epoch must both still match.
pub const RENEW_EPOCH_LEASE: &str = "UPDATE devices SET lease_until = $1 \
     WHERE id = $2 AND owner = $3 AND epoch = $4 RETURNING lease_until";
/// The write-up's "clear stuck assignments".
pub const CLEAR_OWNER: &str = "UPDATE devices SET owner = NULL WHERE owner = $1";

/// Parses every statement now (once per process), so no engine's task parses on its
/// small coroutine stack or counts the parse as part of a step.
pub fn prepare() {
    for call in [
        select_owner(0),
        set_owner(0, 0),
        claim_if_unowned(0, 0),
        claim_if_free_or_expired(0, 0, 0, 0, false),
        claim_if_free_or_expired(0, 0, 0, 0, true),
        renew_lease(0, 0, 0, 0, 0, false),
        renew_lease(0, 0, 0, 0, 0, true),
        clear_owner(0),
    ] {
        let _ = call.stmt;
    }
}

/// The set-up of a fresh database: the table and `devices` unassigned rows.
pub fn setup(devices: usize) -> Vec<(&'static str, Vec<Value>)> {
    std::iter::once((CREATE_TABLE, vec![]))
        .chain((0..devices).map(|d| (INSERT_DEVICE, sql_call!(INSERT_DEVICE, d).params)))
        .collect()
}

/// [`SELECT_OWNER`] of device `d`; read the answer with [`owner`].
pub fn select_owner(d: usize) -> Call {
    sql_call!(SELECT_OWNER, d)
}

/// [`SET_OWNER`]: device `d` to server `me`.
pub fn set_owner(d: usize, me: usize) -> Call {
    sql_call!(SET_OWNER, me, d)
}

/// [`CLAIM_IF_UNOWNED`]: device `d` for server `me`; it won if one row was updated.
pub fn claim_if_unowned(d: usize, me: usize) -> Call {
    sql_call!(CLAIM_IF_UNOWNED, me, d)
}

/// [`CLAIM_LEASE`] or, with `epoch_lease`, [`CLAIM_EPOCH_LEASE`], at tick `now`; read
/// the epoch and lease won with [`lease_won`].
pub fn claim_if_free_or_expired(
    d: usize,
    me: usize,
    now: Tick,
    ttl: Tick,
    epoch_lease: bool,
) -> Call {
    if epoch_lease {
        sql_call!(CLAIM_EPOCH_LEASE, me, now + ttl, d, now)
    } else {
        sql_call!(CLAIM_LEASE, me, now + ttl, d, now)
    }
}

/// [`RENEW_LEASE`] or, with `epoch_lease`, [`RENEW_EPOCH_LEASE`] (with the epoch
/// held); read the new deadline with [`renewed_until`].
pub fn renew_lease(
    d: usize,
    me: usize,
    held_epoch: u64,
    now: Tick,
    ttl: Tick,
    epoch_lease: bool,
) -> Call {
    if epoch_lease {
        sql_call!(RENEW_EPOCH_LEASE, now + ttl, d, me, held_epoch)
    } else {
        sql_call!(RENEW_LEASE, now + ttl, d, me)
    }
}

/// [`CLEAR_OWNER`] of every device `server` owns.
pub fn clear_owner(server: usize) -> Call {
    sql_call!(CLEAR_OWNER, server)
}

fn as_index(v: &Value) -> Option<usize> {
    usize::try_from(v.as_int()?).ok()
}

fn as_tick(v: &Value) -> Option<Tick> {
    Tick::try_from(v.as_int()?).ok()
}

/// The owner [`select_owner`] read (`None`: unassigned, or no such device).
pub fn owner(o: &Outcome) -> Option<usize> {
    o.rows.first().and_then(|r| r.first()).and_then(as_index)
}

/// The epoch and deadline a lease claim won (`None`: 0 rows, someone holds it).
pub fn lease_won(o: &Outcome) -> Option<(u64, Tick)> {
    let row = o.rows.first()?;
    let epoch = match row.first()? {
        Value::Int(n) => u64::try_from(*n).ok()?,
        _ => return None,
    };
    Some((epoch, as_tick(row.get(1)?)?))
}

/// The deadline a renewal set (`None`: 0 rows, the lease was lost).
pub fn renewed_until(o: &Outcome) -> Option<Tick> {
    o.rows.first().and_then(|r| r.first()).and_then(as_tick)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::store::sql::Statement;

    #[test]
    fn every_statement_parses() {
        for text in [
            CREATE_TABLE,
            INSERT_DEVICE,
            SELECT_OWNER,
            SET_OWNER,
            CLAIM_IF_UNOWNED,
            CLAIM_LEASE,
            CLAIM_EPOCH_LEASE,
            RENEW_LEASE,
            RENEW_EPOCH_LEASE,
            CLEAR_OWNER,
        ] {
            Statement::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }
}
