//! The kit's primitives, each on a known-answer model: a pause point lets the clock
//! pass a punctual actor, `choose` is explored like the schedule, a late actor exists
//! only from its start, and the stores' new statements behave as their servers do.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use locklab::engine::{explore, Budget, Dfs, Loom, Pct, Random};
use locklab::store::{Host, Kv, Table, TxnId};
use locklab::{Cast, Coverage, Engine, Property, Scheme, Step};

const SEEN: Property = Property::safety("seen");

/// One punctual actor reads the clock, may stall at a pause point, and reads it
/// again; the end check records the pair.
struct PauseThenRead {
    pause: bool,
    seen: Arc<Mutex<BTreeSet<(u64, u64)>>>,
}

impl Scheme for PauseThenRead {
    type State = Vec<u64>;
    fn init(&self) -> Vec<u64> {
        Vec::new()
    }
    fn cast(&self, cast: &mut Cast<Vec<u64>>) {
        cast.clock(3);
        let pause = self.pause;
        cast.actor("A", move |a| {
            a.step("read", |s| s.state.push(s.now))?;
            if pause {
                a.pause_point()?;
            }
            a.step("read again", |s| s.state.push(s.now))
        });
    }
    fn at_end(&self, end: &mut Step<'_, Vec<u64>>) {
        end.check(end.state.len() == 2, SEEN, String::new);
        self.seen
            .lock()
            .unwrap()
            .insert((end.state[0], end.state[1]));
    }
    fn properties(&self) -> Vec<Property> {
        vec![SEEN]
    }
}

fn pairs(pause: bool, engine: &dyn Engine) -> BTreeSet<(u64, u64)> {
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let model = Arc::new(PauseThenRead {
        pause,
        seen: Arc::clone(&seen),
    });
    let v = explore(model, engine, Budget::default());
    assert!(v.passed() && v.vacuous().is_empty(), "{:?}", v.outcome);
    let out = seen.lock().unwrap().clone();
    out
}

#[test]
fn a_punctual_actor_holds_the_clock_and_a_pause_point_lets_it_pass_any_number_of_ticks() {
    // Punctual: both reads happen at t=0, however the engine schedules.
    assert_eq!(pairs(false, &Loom::unbounded()), BTreeSet::from([(0, 0)]));
    // At a pause point the clock may move on by 0, 1, 2 or 3 ticks.
    let every = BTreeSet::from([(0, 0), (0, 1), (0, 2), (0, 3)]);
    assert_eq!(pairs(true, &Loom::unbounded()), every);
    assert_eq!(pairs(true, &Dfs), every);
}

/// Two actors each choose one of three values; the end check records the pair.
struct TwoChoices {
    seen: Arc<Mutex<BTreeSet<(usize, usize)>>>,
}

impl Scheme for TwoChoices {
    type State = [usize; 2];
    fn init(&self) -> [usize; 2] {
        [9, 9]
    }
    fn cast(&self, cast: &mut Cast<[usize; 2]>) {
        for i in 0..2 {
            cast.actor(format!("A{i}"), move |a| {
                let v = a.choose("pick", 3)?;
                a.step("write", |s| s.state[i] = v)
            });
        }
    }
    fn at_end(&self, end: &mut Step<'_, [usize; 2]>) {
        end.check(end.state.iter().all(|&v| v < 3), SEEN, String::new);
        self.seen
            .lock()
            .unwrap()
            .insert((end.state[0], end.state[1]));
    }
    fn properties(&self) -> Vec<Property> {
        vec![SEEN]
    }
}

fn chosen(engine: &dyn Engine, budget: Budget) -> (BTreeSet<(usize, usize)>, locklab::Verdict) {
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let v = explore(
        Arc::new(TwoChoices {
            seen: Arc::clone(&seen),
        }),
        engine,
        budget,
    );
    assert!(v.passed(), "{:?}", v.outcome);
    let out = seen.lock().unwrap().clone();
    (out, v)
}

#[test]
fn choose_is_explored_exhaustively_by_loom_and_dfs_and_sampled_by_shuttle() {
    let all: BTreeSet<(usize, usize)> = (0..3).flat_map(|a| (0..3).map(move |b| (a, b))).collect();
    for engine in [&Loom::unbounded() as &dyn Engine, &Dfs] {
        let (seen, v) = chosen(engine, Budget::default());
        assert_eq!(seen, all, "{}", engine.label());
        assert_eq!(v.coverage, Coverage::Exhaustive);
    }
    // loom runs once per choice script: 9 scripts of the two choices.
    let (_, v) = chosen(&Loom::unbounded(), Budget::default());
    let (_, one) = {
        struct NoChoice;
        impl Scheme for NoChoice {
            type State = [usize; 2];
            fn init(&self) -> [usize; 2] {
                [0, 0]
            }
            fn cast(&self, cast: &mut Cast<[usize; 2]>) {
                for i in 0..2 {
                    cast.actor(format!("A{i}"), move |a| {
                        a.step("pick", |_| 0usize)?;
                        a.step("write", |s| s.state[i] = 0)
                    });
                }
            }
            fn properties(&self) -> Vec<Property> {
                Vec::new()
            }
        }
        let v = explore(Arc::new(NoChoice), &Loom::unbounded(), Budget::default());
        ((), v)
    };
    assert_eq!(v.executions, 9 * one.executions);
    for engine in [&Pct::default() as &dyn Engine, &Random] {
        let (seen, _) = chosen(engine, Budget::default().executions(2_000));
        assert_eq!(
            seen,
            all,
            "{} draws every value given enough executions",
            engine.label()
        );
    }
}

#[test]
fn a_choice_made_under_shuttle_replays_with_its_schedule() {
    struct Picky;
    const NOT_TWO: Property = Property::safety("not-two");
    impl Scheme for Picky {
        type State = usize;
        fn init(&self) -> usize {
            0
        }
        fn cast(&self, cast: &mut Cast<usize>) {
            cast.actor("A", |a| {
                let v = a.choose("pick", 4)?;
                a.step("use", |s| s.check(v != 2, NOT_TWO, || "picked 2".into()))
            });
            cast.actor("B", |a| a.step("noop", |_| ()));
        }
        fn properties(&self) -> Vec<Property> {
            vec![NOT_TWO]
        }
    }
    for engine in [
        &Random as &dyn Engine,
        &Pct::default(),
        &Loom::unbounded(),
        &Dfs,
    ] {
        let v = explore(Arc::new(Picky), engine, Budget::default());
        let f = v
            .failure()
            .unwrap_or_else(|| panic!("{} found nothing", engine.label()));
        let again = locklab::replay_schedule(Arc::new(Picky), f.schedule.as_ref().unwrap());
        assert_eq!(
            again.failure().map(|f| &f.trace),
            Some(&f.trace),
            "{}",
            engine.label()
        );
    }
}

/// A second actor starts at t=2: before that it takes no step.
struct LateStart;

impl Scheme for LateStart {
    type State = Vec<(&'static str, u64)>;
    fn init(&self) -> Self::State {
        Vec::new()
    }
    fn cast(&self, cast: &mut Cast<Self::State>) {
        cast.clock(3);
        cast.actor("early", |a| {
            a.step("step", |s| s.state.push(("early", s.now)))
        });
        cast.actor("late", |a| {
            a.step("step", |s| s.state.push(("late", s.now)))
        })
        .starts_at(2);
    }
    fn at_end(&self, end: &mut Step<'_, Self::State>) {
        let late = end.state.iter().find(|(w, _)| *w == "late").map(|p| p.1);
        end.check(late == Some(2), SEEN, || {
            format!("late stepped at {late:?}")
        });
    }
    fn properties(&self) -> Vec<Property> {
        vec![SEEN]
    }
}

#[test]
fn a_late_actor_exists_only_from_its_start_tick() {
    for engine in [&Loom::unbounded() as &dyn Engine, &Dfs, &Pct::default()] {
        let v = explore(Arc::new(LateStart), engine, Budget::default());
        assert!(
            v.proved() || v.passed(),
            "{}: {:?}",
            engine.label(),
            v.outcome
        );
        assert!(v.vacuous().is_empty());
    }
}

#[test]
fn for_share_locks_are_compatible_and_block_writers_until_every_sharer_ends() {
    let (a, b, c) = (TxnId(1), TxnId(2), TxnId(3));
    let mut t = Table::with_rows([(1, 10)]);
    assert_eq!(t.select_for_share(&1, a), Ok(Some(10)));
    assert_eq!(
        t.select_for_share(&1, b),
        Ok(Some(10)),
        "sharers are compatible"
    );
    assert!(
        t.select_for_update(&1, c).is_err(),
        "FOR UPDATE waits for the sharers"
    );
    assert!(t.update_where(&1, Some(c), |_| true, |r| *r += 1).is_err());
    t.commit(a);
    assert!(
        t.update_where(&1, None, |_| true, |r| *r += 1).is_err(),
        "b still shares"
    );
    t.rollback(b);
    assert_eq!(t.update_where(&1, None, |_| true, |r| *r += 1), Ok(1));
    // An exclusive holder blocks sharers; its own share lock upgrades.
    assert_eq!(t.select_for_update(&1, a), Ok(Some(11)));
    assert!(t.select_for_share(&1, b).is_err());
    assert_eq!(t.select_for_share(&1, a), Ok(Some(11)));
}

#[test]
fn a_snapshot_keeps_reading_the_rows_committed_when_it_was_taken() {
    let mut t = Table::with_rows([(1, "a"), (2, "b")]);
    let snap = t.snapshot();
    t.update_where(&1, None, |_| true, |r| *r = "z").unwrap();
    t.insert(3, "c", None).unwrap().unwrap();
    assert_eq!(snap.select(&1), Some(&"a"));
    assert_eq!(snap.select_where(|_, _| true).len(), 2);
    assert_eq!(t.snapshot().select(&1), Some(&"z"));
}

#[test]
fn kv_absolute_expiry_is_pxat_and_pexpireat() {
    let mut kv: Kv<&str, u8> = Kv::new();
    kv.set_px_at("lock", 1, 5);
    assert_eq!(kv.get(&"lock", 4), Some(&1));
    assert_eq!(kv.get(&"lock", 5), None);
    kv.set("k", 2);
    assert!(kv.expire_at(&"k", 3, 0));
    assert_eq!(kv.expires_at(&"k", 0), Some(3));
    assert!(!kv.expire_at(&"missing", 3, 0));
}

#[test]
fn a_hosts_flock_dies_with_its_process_and_its_lock_file_stays() {
    let mut h = Host::new("h1", [100, 101]);
    assert_eq!(h.create_exclusive("/tmp/x.lock", 100), Ok(()));
    assert_eq!(
        h.create_exclusive("/tmp/x.lock", 101),
        Err(100),
        "EEXIST names the pid inside"
    );
    assert_eq!(h.try_flock("/tmp/x.lock", 100), Ok(()));
    assert_eq!(h.try_flock("/tmp/x.lock", 101), Err(100));
    h.process_ended(100);
    assert!(!h.is_alive(100));
    assert_eq!(
        h.flock_holder("/tmp/x.lock"),
        None,
        "the kernel released the flock"
    );
    assert_eq!(
        h.read_file("/tmp/x.lock"),
        Some(100),
        "the file stays behind"
    );
    assert_eq!(h.try_flock("/tmp/x.lock", 101), Ok(()));
}
