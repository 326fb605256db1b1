//! What a bot process's start-up guard sends, one function per system call or store
//! command: to its host (lock files, `flock`, the process table) and to the shared
//! store (the lease). The model's steps call these, and so does
//! [`super::PollerWorkload`] on OS threads: the bench runs the statements that were
//! checked. (The messaging server and the bot's database are the resource the guard
//! protects; their side is [`super::Server`] and the handler.)

use crate::sim::store::redis::{Redis, Reply, COMPARE_AND_DELETE, COMPARE_AND_PEXPIREAT};
use crate::sim::store::{Host, Pid};
use crate::sim::{lapses_at, RedisArg, RedisCommand, Tick};

/// `open(path, O_CREAT|O_EXCL)` and write the pid: `Err` with the pid in the file
/// that is already there (EEXIST).
pub fn create_lock_file(host: &mut Host, path: &str, pid: Pid) -> Result<(), Pid> {
    host.create_exclusive(path, pid)
}

/// Reads the pid in the lock file and probes it with `kill(pid, 0)`: the pid and
/// whether it is alive, or `None` if there is no file (ENOENT).
pub fn probe_lock_file(host: &Host, path: &str) -> Option<(Pid, bool)> {
    host.read_file(path).map(|p| (p, host.is_alive(p)))
}

/// `unlink(path)`: the pid in the file it removed (`None`: ENOENT).
pub fn unlink_lock_file(host: &mut Host, path: &str) -> Option<Pid> {
    host.unlink(path)
}

/// Clean shutdown of the lock-file guards: `unlink(path)`, then the process exits.
/// The pid in the file it removed, whoever's it was.
pub fn remove_lock_file(host: &mut Host, path: &str, pid: Pid) -> Option<Pid> {
    let removed = host.unlink(path);
    exit(host, pid);
    removed
}

/// `flock(LOCK_EX|LOCK_NB)` on the lock file: `Err` with the holder (EWOULDBLOCK).
pub fn flock(host: &mut Host, path: &str, pid: Pid) -> Result<(), Pid> {
    host.try_flock(path, pid)
}

/// The process exits (or is killed): it leaves the process table, and the kernel
/// releases its `flock`s.
pub fn exit(host: &mut Host, pid: Pid) {
    host.process_ended(pid);
}

/// Takes the lease: `SET <key> <me> NX PXAT <deadline>`. The deadline is absolute,
/// so the harness clock goes to the store as a parameter, as a real server run of
/// the same schedule passes it (a real bot sends `PX ttl`, the same lease).
pub const ACQUIRE_LEASE: RedisCommand = RedisCommand(&["SET", "$1", "$2", "NX", "PXAT", "$3"]);

/// Renews the lease to a new deadline if it is still `me`'s: the compare-and-expire
/// script.
pub const RENEW_LEASE: RedisCommand =
    RedisCommand(&["EVAL", COMPARE_AND_PEXPIREAT, "1", "$1", "$2", "$3"]);

/// Gives the lease back if it is still `me`'s: the compare-and-delete script.
pub const RELEASE_LEASE: RedisCommand =
    RedisCommand(&["EVAL", COMPARE_AND_DELETE, "1", "$1", "$2"]);

/// The parameters of [`ACQUIRE_LEASE`] and [`RENEW_LEASE`]: the key, the holder's
/// index as its value, and the end of a lease of `ttl` ticks taken at `now`.
pub fn lease_params(key: &str, me: usize, ttl: Tick, now: Tick) -> Vec<RedisArg> {
    lease_params_until(key, me, lapses_at(now + ttl))
}

/// As [`lease_params`], with the deadline given (a run on the real clock, whose
/// lease is not a whole number of ticks).
pub fn lease_params_until(key: &str, me: usize, deadline: RedisArg) -> Vec<RedisArg> {
    vec![RedisArg::Key(key.to_owned()), RedisArg::text(me), deadline]
}

/// The parameters of [`RELEASE_LEASE`].
pub fn release_params(key: &str, me: usize) -> Vec<RedisArg> {
    vec![RedisArg::Key(key.to_owned()), RedisArg::text(me)]
}

/// Whether [`ACQUIRE_LEASE`]'s reply grants the lease (`OK`; `SET NX` of a held
/// key replies nil).
pub fn granted(reply: &Reply) -> bool {
    *reply == Reply::Ok
}

/// Whether a compare-and-… script's reply says the lease was still `me`'s and the
/// command ran (`1`; `0` otherwise).
pub fn confirmed(reply: &Reply) -> bool {
    *reply == Reply::Int(1)
}

/// [`ACQUIRE_LEASE`] on `store`: whether the lease is now `me`'s.
pub fn acquire_lease(store: &mut Redis, key: &str, me: usize, ttl: Tick, now: Tick) -> bool {
    granted(&ACQUIRE_LEASE.run(store, &lease_params(key, me, ttl, now), now))
}

/// [`RENEW_LEASE`] on `store`: whether it was still `me`'s and is renewed.
pub fn renew_lease(store: &mut Redis, key: &str, me: usize, ttl: Tick, now: Tick) -> bool {
    confirmed(&RENEW_LEASE.run(store, &lease_params(key, me, ttl, now), now))
}

/// [`RELEASE_LEASE`] on `store`: whether it was still `me`'s and is deleted.
pub fn release_lease(store: &mut Redis, key: &str, me: usize, now: Tick) -> bool {
    confirmed(&RELEASE_LEASE.run(store, &release_params(key, me), now))
}
