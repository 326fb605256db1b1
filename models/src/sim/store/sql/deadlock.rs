//! The waits-for graph and PostgreSQL's choice of deadlock victim.
//!
//! Each blocked statement records whom it waits for (a transaction, or the session
//! ahead of it in a row's lock queue). PostgreSQL runs the deadlock check in a waiting
//! backend `deadlock_timeout` after it began to wait, and the backend that finds
//! itself on a cycle aborts itself. So the victim is the cycle member whose wait began
//! first. The model assumes every member joined the cycle within `deadlock_timeout` of
//! the first (a cycle closed later would make a later waiter the victim).

use super::mvcc::Txns;
use super::session::{Edge, Session, Wait};
use super::SessionId;

fn wait_of(sessions: &[Session], s: SessionId) -> Option<&Wait> {
    sessions[s.0 as usize]
        .pending
        .as_ref()
        .filter(|p| p.victim.is_none())?
        .wait
        .as_ref()
}

/// The sessions `s` currently waits for (edges to transactions that ended are gone).
fn successors(sessions: &[Session], txns: &Txns, s: SessionId) -> Vec<SessionId> {
    let Some(w) = wait_of(sessions, s) else {
        return Vec::new();
    };
    w.edges
        .iter()
        .filter_map(|e| match e {
            Edge::Txn(x) => txns.in_progress(*x).filter(|t| *t != s),
            Edge::Queue(q) => wait_of(sessions, *q)
                .filter(|qw| qw.tuple.is_some() && qw.tuple == w.tuple)
                .map(|_| *q),
        })
        .collect()
}

/// The session `s` waits for first (for [`ExecError::Blocked`](super::ExecError)).
pub(crate) fn first_target(sessions: &[Session], txns: &Txns, s: SessionId) -> SessionId {
    successors(sessions, txns, s).first().copied().unwrap_or(s)
}

fn find_cycle(
    sessions: &[Session],
    txns: &Txns,
    start: SessionId,
    at: SessionId,
    path: &mut Vec<SessionId>,
) -> bool {
    for next in successors(sessions, txns, at) {
        if next == start {
            return true;
        }
        if path.contains(&next) {
            continue;
        }
        path.push(next);
        if find_cycle(sessions, txns, start, next, path) {
            return true;
        }
        path.pop();
    }
    false
}

/// If `start`'s wait closed a cycle, the session PostgreSQL aborts: the member that
/// began waiting first.
pub(crate) fn victim(sessions: &[Session], txns: &Txns, start: SessionId) -> Option<SessionId> {
    let mut path = vec![start];
    if !find_cycle(sessions, txns, start, start, &mut path) {
        return None;
    }
    path.into_iter()
        .min_by_key(|s| (wait_of(sessions, *s).map_or(u64::MAX, |w| w.since), *s))
}
