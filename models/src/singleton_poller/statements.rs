//! What a bot process's start-up guard sends, one function per system call or store
//! command: to its host (lock files, `flock`, the process table) and to the shared
//! store (the lease). The model's steps call these, and so does
//! [`super::PollerWorkload`] on OS threads: the bench runs the statements that were
//! checked. (The messaging server and the bot's database are the resource the guard
//! protects; their side is [`super::Server`] and the handler.)

use crate::sim::store::{Host, Kv, Pid};
use crate::sim::Tick;

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

/// `SET <key> <me> NX PX ttl`: whether the lease is now `me`'s.
pub fn acquire_lease<K: Ord + Clone>(
    store: &mut Kv<K, usize>,
    key: K,
    me: usize,
    ttl: Tick,
    now: Tick,
) -> bool {
    store.set_nx_px(key, me, ttl, now)
}

/// The compare-and-expire script: renews the lease for `ttl` if it is still `me`'s.
pub fn renew_lease<K: Ord + Clone>(
    store: &mut Kv<K, usize>,
    key: &K,
    me: usize,
    ttl: Tick,
    now: Tick,
) -> bool {
    store.compare_and_expire(key, &me, ttl, now)
}

/// The compare-and-delete script: deletes the lease if it is still `me`'s.
pub fn release_lease<K: Ord + Clone>(
    store: &mut Kv<K, usize>,
    key: &K,
    me: usize,
    now: Tick,
) -> bool {
    store.compare_and_delete(key, &me, now)
}
