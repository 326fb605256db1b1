//! The singleton-poller ladder (seed 001): every buggy rung is caught under loom and
//! under shuttle with its property named; the correct rungs hold, under loom at two
//! processes plus the fresh one the supervisor starts after the kill (every
//! interleaving with at most 2 preemptions: the unbounded space is too large) and
//! for 10,000 PCT executions at 4–5 processes with the kill, the restart and the
//! clock.
//!
//! loom explores in a fixed order, so the execution counts below are exact: a change
//! in them means the model's steps changed, which deserves a look.

use crate::common::{assert_exhaustive_pass, assert_story, explain, loom, story, Ladder};
use locklab::engine::{explore, Budget, Verdict};

const LADDER: Ladder = Ladder("singleton-poller/");

#[test]
fn unguarded_pollers_are_answered_409() {
    let v = LADDER.counterexample("unguarded-pollers");
    // Pinned counterexample: A fetches and handles update 1; B's poll fetches it again
    // (nothing confirmed it yet) and ends A's long poll.
    assert_eq!(
        story(&v),
        [
            ("A", "getUpdates", "getUpdates(offset=0) → update 1"),
            (
                "A",
                "handle update",
                "update 1: reply sent, effect committed"
            ),
            (
                "B",
                "getUpdates",
                "getUpdates(offset=0) → update 1; A's long poll is answered 409 Conflict"
            ),
        ]
        .map(|(a, s, w)| (a.to_owned(), s.to_owned(), w.to_owned()))
    );
}

#[test]
fn exclusive_lock_file_holds_on_one_host_without_kills() {
    // Three processes racing for the file, the winner's clean shutdown unlinking it.
    let every = loom(None);
    assert_exhaustive_pass(
        &LADDER.run("exclusive-lock-file", &[("processes", 2)], &every, None),
        357,
    );
    LADDER.assert_pct_pass("exclusive-lock-file", &[("processes", 5)]);
}

#[test]
fn separate_filesystems_run_two_pollers() {
    let v = LADDER.counterexample("separate-filesystems");
    assert_story(
        &v,
        &[
            (
                "A",
                "create lock file",
                "h1:/tmp/bot.lock O_CREAT|O_EXCL: created",
            ),
            (
                "B",
                "create lock file",
                "h2:/tmp/bot.lock O_CREAT|O_EXCL: created",
            ),
            ("B", "getUpdates", "409 Conflict"),
        ],
    );
}

#[test]
fn stale_lock_file_stops_polling_for_good() {
    let v = LADDER.counterexample("stale-lock-file");
    assert_story(
        &v,
        &[
            ("A", "create lock file", "created, pid 101 written"),
            ("ticker", "crash", "A crashed"),
            (
                "A'",
                "create lock file",
                "EEXIST, it holds pid 101 (no such process): \"another instance is running\", exit",
            ),
            ("check", "end of execution", "nothing has polled since"),
        ],
    );
}

#[test]
fn stale_pid_takeover_removes_the_new_holders_file() {
    let v = LADDER.counterexample("stale-pid-takeover");
    assert_story(
        &v,
        &[
            ("A", "check pid in lock file", "pid 100: no such process"),
            ("B", "check pid in lock file", "pid 100: no such process"),
            ("B", "create lock file", "created, pid 102 written"),
            (
                "A",
                "remove stale lock file",
                "removed the file holding pid 102 (alive)",
            ),
            ("A", "create lock file", "created, pid 101 written"),
            ("A", "getUpdates", "B's long poll is answered 409 Conflict"),
        ],
    );
}

#[test]
fn kernel_file_lock_holds_with_every_process_killed() {
    // A and B race for the flock at t=0; both are killed at t=1; A' takes over at t=2.
    LADDER.assert_pct_pass("kernel-file-lock", &[("processes", 4)]);
    LADDER.assert_pct_pass("kernel-file-lock", &[("processes", 5), ("kill-at", 0)]);
}

#[test]
fn renewed_lease_holds_across_hosts_with_every_process_killed() {
    // A and B (two hosts) race for the lease and are killed at t=0; A' waits it out.
    // Four hosts, renewals at t=1 and t=2 before the kill.
    LADDER.assert_pct_pass("renewed-lease", &[("processes", 4)]);
    LADDER.assert_pct_pass(
        "renewed-lease",
        &[("processes", 5), ("ttl", 3), ("kill-at", 2)],
    );
}

/// What the correct rungs rely on, shown by taking it away (built straight from the
/// public model API), and the liveness check no rung trips first.
/// getUpdates takes no fence: A, paused between taking the lease and its poll, polls
/// at t=2 with its lease expired; B takes the expired lease and polls too. This is the
/// assumption `renewed-lease` states, shown to be needed.
#[test]
fn paused_lease_holder_makes_two_pollers() {
    let v = LADDER.counterexample("paused-lease-holder");
    assert_story(
        &v,
        &[
            ("A", "acquire lease", "NX PXAT 1999 → OK: lease until t=2"),
            ("ticker", "advance clock", "t = 2"),
            ("A", "getUpdates", "update 1"),
            (
                "A",
                "renew lease",
                "→ 0: bot-token-poller has expired: lease lost",
            ),
            ("B", "acquire lease", "NX PXAT 3999 → OK: lease until t=4"),
            ("B", "getUpdates", "A's long poll is answered 409 Conflict"),
        ],
    );
}

mod assumptions {
    use std::sync::Arc;

    use locklab::models::singleton_poller::{Config, Protocol, SingletonPoller};

    use super::*;

    fn loom_pb2(cfg: Config) -> Verdict {
        let model = Arc::new(SingletonPoller::new(cfg).expect("valid config"));
        let budget = Budget::default().seed(7);
        explore(model, &loom(Some(2)), budget)
    }

    /// The correct rungs' world: two processes on one host, all killed at t=1, the
    /// fresh one at t=2, update 2 arriving for it.
    fn killed(protocol: Protocol) -> Config {
        let mut cfg = Config::new(protocol, 2);
        cfg.kill_at = Some(1);
        cfg.horizon = 1 + cfg.resume_bound();
        cfg.updates = vec![0, 2];
        cfg.idempotent_handler = true;
        cfg
    }

    /// Without `last_update_id` committed with the effect, the kernel lock is still
    /// exclusive, but A killed between handling update 1 and the poll that would have
    /// confirmed it leaves update 1 to A', which handles it again.
    #[test]
    fn exclusive_polling_alone_redelivers_after_a_kill() {
        let mut cfg = killed(Protocol::KernelFileLock);
        cfg.idempotent_handler = false;
        let v = loom_pb2(cfg);
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some("update-once"),
            "{}",
            explain(&v)
        );
        assert_story(
            &v,
            &[
                ("A", "handle update", "update 1: reply sent"),
                ("ticker", "crash", "A crashed"),
                ("A'", "getUpdates", "updates 1, 2"),
                (
                    "A'",
                    "handle update",
                    "update 1: reply sent, effect committed again",
                ),
            ],
        );
    }

    /// The kernel lock is per host: two hosts, two flocks, two pollers.
    #[test]
    fn a_kernel_lock_does_not_reach_across_hosts() {
        let mut cfg = Config::new(Protocol::KernelFileLock, 2);
        cfg.separate_hosts = true;
        let v = loom_pb2(cfg);
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some("single-poller"),
            "{}",
            explain(&v)
        );
    }

    /// A lock file left by a kill before the run, and no kill during it: nothing ever
    /// polls, so update 1 is never handled.
    #[test]
    fn an_update_nobody_polls_for_is_caught_at_the_end() {
        let mut cfg = Config::new(Protocol::ExclusiveLockFile, 2);
        cfg.stale_lock_file = true;
        let v = loom_pb2(cfg);
        assert_eq!(
            v.violated_property().map(|p| p.name),
            Some("update-handled"),
            "{}",
            explain(&v)
        );
    }

    #[test]
    fn a_one_tick_lease_is_refused() {
        let mut cfg = Config::new(Protocol::RenewedLease, 2);
        cfg.ttl = 1;
        let err = SingletonPoller::new(cfg).expect_err("ttl 1 lapses before its renewal");
        assert!(err.contains("ttl of at least 2"), "{err}");
    }
}
