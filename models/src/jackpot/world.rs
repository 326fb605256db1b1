//! The world of a jackpot execution: the `jackpots` table, the `paid_wins` table, and
//! the ledger the properties compare the pools against.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::store::sql::{Db, SessionId, Value};
use crate::sim::Step;

use super::{
    Config, AMOUNT_NON_NEGATIVE, MONEY_CONSERVED, ONE_CAS_PER_VERSION, VERSION_MONOTONIC,
    WIN_PAID_ONCE,
};

/// A row of the `jackpots` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolRow {
    /// Money in the pool.
    pub amount: i64,
    /// Bumped by every update (in the versioned variants).
    pub version: u64,
}

/// What the pool of one group should hold: its seed (or the amount of its last
/// reset) plus what was contributed minus what was paid since.
#[derive(Debug, Clone, Copy, Default, Hash)]
struct Ledger {
    base: i64,
    contributed: i64,
    paid: i64,
}

impl Ledger {
    fn expected(&self) -> i64 {
        self.base + self.contributed - self.paid
    }
}

/// How the CAS attempts that read one version of one row fared.
#[derive(Debug, Clone, Copy, Default, Hash)]
struct Tally {
    attempts: u32,
    successes: u32,
}

/// The shared state.
#[derive(Debug, Hash)]
pub struct JackpotWorld {
    /// The database: `jackpots` by group (0 = minor, 1 = major) and `paid_wins`, the
    /// idempotency record of [`super::Variant::GuardedDecrement`]
    /// ([`super::statements`]).
    pub db: Db,
    versioned: bool,
    ledger: Vec<Ledger>,
    /// Each pool as the last audit saw it committed.
    audited: Vec<PoolRow>,
    paid: BTreeSet<u32>,
    cas: BTreeMap<(usize, u64), Tally>,
}

impl JackpotWorld {
    /// Every pool at `cfg.pool`, version 1 (a row starts at version 1 when inserted).
    /// Session 0 sets the database up; contender `i` connects as session `i + 1`.
    pub fn new(cfg: &Config) -> Self {
        let db = Db::set_up(
            &super::statements::setup(cfg.groups(), cfg.pool),
            cfg.contenders,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let row = PoolRow {
            amount: cfg.pool,
            version: 1,
        };
        let ledger = Ledger {
            base: cfg.pool,
            ..Ledger::default()
        };
        JackpotWorld {
            db,
            versioned: cfg.variant.versioned(),
            ledger: vec![ledger; cfg.groups()],
            audited: vec![row; cfg.groups()],
            paid: BTreeSet::new(),
            cas: BTreeMap::new(),
        }
    }

    /// The committed row of group `g`, as a new transaction would see it (read without
    /// a statement: the properties look, no actor does).
    pub fn committed(&self, g: usize) -> PoolRow {
        self.db
            .committed_rows("jackpots")
            .into_iter()
            .find_map(|r| match r.as_slice() {
                [Value::Int(id), Value::Int(amount), Value::Int(version)] if *id == g as i64 => {
                    Some(PoolRow {
                        amount: *amount,
                        version: u64::try_from(*version).unwrap_or(0),
                    })
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("pool {g} has no row"))
    }

    /// The connection contender `actor` uses.
    pub fn session(actor: usize) -> SessionId {
        SessionId(u32::try_from(actor + 1).unwrap_or(u32::MAX))
    }

    /// What the pool of group `g` should hold according to the ledger.
    pub fn expected(&self, g: usize) -> i64 {
        self.ledger[g].expected()
    }

    /// A contribution to `g` has been committed.
    pub fn contributed(&mut self, g: usize, amount: i64) {
        self.ledger[g].contributed += amount;
    }

    /// The pool of `g` was reset to `amount`: the ledger starts again from there.
    pub fn rebased(&mut self, g: usize, amount: i64) {
        self.ledger[g] = Ledger {
            base: amount,
            ..Ledger::default()
        };
    }
}

/// The pool the single-group variants work on (minor).
pub const POOL: usize = 0;

/// Win `win_id` of `amount` from group `g` has been committed: it must be its first.
pub fn pay(s: &mut Step<'_, JackpotWorld>, win_id: u32, g: usize, amount: i64) {
    let first = s.state.paid.insert(win_id);
    s.check(first, WIN_PAID_ONCE, || {
        format!("win #{win_id} was paid a second time")
    });
    s.state.ledger[g].paid += amount;
}

/// A CAS that read `version` of group `g` ran; at most one such CAS may succeed.
pub fn tally_cas(s: &mut Step<'_, JackpotWorld>, g: usize, version: u64, succeeded: bool) {
    let tally = s.state.cas.entry((g, version)).or_default();
    tally.attempts += 1;
    tally.successes += u32::from(succeeded);
    let successes = tally.successes;
    s.check(successes <= 1, ONE_CAS_PER_VERSION, || {
        format!(
            "{} CAS attempts that read {} version {version} succeeded",
            successes,
            group(g)
        )
    });
}

/// After a step that committed something: every pool must be non-negative and agree
/// with the ledger, and one that changed must (if versioned) be one version further on.
pub fn audit(s: &mut Step<'_, JackpotWorld>) {
    for g in 0..s.state.ledger.len() {
        let row = s.state.committed(g);
        let before = std::mem::replace(&mut s.state.audited[g], row);
        s.check(row.amount >= 0, AMOUNT_NON_NEGATIVE, || {
            format!("the {} pool holds {}", group(g), row.amount)
        });
        let l = s.state.ledger[g];
        s.check(row.amount == l.expected(), MONEY_CONSERVED, || {
            format!(
                "the {} pool should hold {} + {} contributed − {} paid = {}, but holds {}",
                group(g),
                l.base,
                l.contributed,
                l.paid,
                l.expected(),
                row.amount
            )
        });
        // Money is checked even when the row looks unchanged: a lost update can
        // write back the very amount that was already there.
        if s.state.versioned && row != before {
            s.check(row.version == before.version + 1, VERSION_MONOTONIC, || {
                format!(
                    "the {} pool went from version {} to {} in one committed update",
                    group(g),
                    before.version,
                    row.version
                )
            });
        }
    }
}

/// At the end: every version some CAS attempt read was left by exactly one of them.
pub fn check_cas_tallies(s: &mut Step<'_, JackpotWorld>) {
    let lost: Vec<(usize, u64, u32)> = s
        .state
        .cas
        .iter()
        .filter(|(_, t)| t.successes == 0)
        .map(|(&(g, v), t)| (g, v, t.attempts))
        .collect();
    if let Some(&(g, v, n)) = lost.first() {
        s.violate(ONE_CAS_PER_VERSION, || {
            format!(
                "{n} CAS attempts read {} version {v} and none of them succeeded",
                group(g)
            )
        });
    } else if !s.state.cas.is_empty() {
        s.checked(ONE_CAS_PER_VERSION);
    }
}

/// Display name of an actor: `A`, `B`, ...
pub fn who(actor: usize) -> String {
    char::from(b'A' + (actor % 26) as u8).to_string()
}

/// Display name of a group, as the write-up names them.
pub fn group(g: usize) -> &'static str {
    ["minor", "major"].get(g).copied().unwrap_or("other")
}
