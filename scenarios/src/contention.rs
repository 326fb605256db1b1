//! The contention ladder: runs that never end, judged on the whole state graph.

use locklab_models::contention::{Contention, Protocol, EVERYONE_ENTERS};

use crate::Scenario;

/// The livelock and the starvation, each beside its fix.
pub fn scenarios() -> Vec<Scenario> {
    let rung = |id: &str, protocol, about: &str| {
        Scenario::new(id, move |_| Contention::new(protocol))
            .about(about)
            .states_only()
    };
    vec![
        rung(
            "contention/polite-backoff",
            Protocol::PoliteBackoff,
            "both clients raise a flag, see the other's and lower theirs to let it go first: in lockstep they retreat for ever and nobody enters (livelock)",
        )
        .violates(EVERYONE_ENTERS),
        rung(
            "contention/ordered-backoff",
            Protocol::OrderedBackoff,
            "correct: only the second client backs off, the first waits for its flag to drop: everyone enters",
        )
        .holds(),
        rung(
            "contention/barging-lock",
            Protocol::BargingLock,
            "a worker re-takes an unfair mutex as soon as it lets go, for ever: the client waiting for it is always beaten to it (starvation)",
        )
        .violates(EVERYONE_ENTERS),
        rung(
            "contention/fair-lock",
            Protocol::FairLock,
            "correct: the mutex is granted in arrival order, so the client is next once it asks",
        )
        .holds(),
    ]
}
