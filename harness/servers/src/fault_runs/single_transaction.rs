//! The instance coordinator's lease-free rungs under faults: `single-transaction`,
//! `insufficient-balance` and `profile-snapshot`, all the model's
//! [`Protocol::SingleTransaction`] handler (`BEGIN; SELECT … FOR UPDATE` of the user,
//! the guarded debit, `ROLLBACK` if it paid nothing, the pet under the unique (user,
//! pet), `ROLLBACK` on `23505`, `COMMIT`), on the tables and read-back of
//! [`super::fenced_purchases`].
//!
//! `insufficient-balance` sends the same statements as `single-transaction`, and
//! takes the debit's refusal every time (the price is one more than the balance):
//! that path is already part of the `single-transaction` run (user 2's balance runs
//! out), so it is the same run with other balances ([`SingleTransactionRung`]), not
//! a copy. `profile-snapshot` adds the viewer's snapshot read beside the purchases.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use locklab_models::instance_coordinator::statements::{self as coordinator, shop as pets};
use locklab_models::instance_coordinator::{Config as ShopConfig, Protocol};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use super::shop::{
    read_shop, rich_and_poor, rows_held, shop_setup, snapshot, with_params, Profile,
};
use super::{bump, get, Commits};
use crate::faults::{query_one_call, run_call, with_faults, Fault, FaultReport};
use crate::pg::PgConfig;

/// Every this many ms the "buy" command changes (all clients handle the same one).
const COMMAND_MS: u64 = 4;
/// The profile run's command period: one user a command, so the run sets up one
/// user per period of its time.
const PROFILE_COMMAND_MS: u64 = 8;
/// The pet the profile run's users buy (the model's: one pet kind, so the profile's
/// `SELECT_PETS` reads every pet its user owns).
const PROFILE_PET: i64 = 7;

/// Which of the single transaction's rungs a run is: the same handler, other users
/// or a viewer beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SingleTransactionRung {
    /// `instance-coordinator/single-transaction`: user 1 with a large balance and
    /// user 2 with 5½ prices (its purchases run out), a new pet every 4 ms.
    Purchases,
    /// `instance-coordinator/insufficient-balance`: the model's user with the price
    /// one more than its balance; every purchase must roll back with nothing changed.
    /// A completed operation is a purchase refused and rolled back.
    CannotPay,
    /// `instance-coordinator/profile-snapshot`: purchases beside a viewer. Every 8 ms
    /// a command for the next user (2 prices each) and the model's pet; each client
    /// alternates between handling it and showing that user's profile, read as one
    /// snapshot (`BEGIN ISOLATION LEVEL REPEATABLE READ`, balance, pets, `COMMIT`).
    /// No page may show a state that no commit held (balance + the pets' prices =
    /// the start).
    ProfileSnapshot,
}

impl SingleTransactionRung {
    fn name(self) -> &'static str {
        match self {
            SingleTransactionRung::Purchases => "instance-coordinator/single-transaction",
            SingleTransactionRung::CannotPay => "instance-coordinator/insufficient-balance",
            SingleTransactionRung::ProfileSnapshot => "instance-coordinator/profile-snapshot",
        }
    }
}

/// What the clients of a single-transaction run saw.
#[derive(Default)]
struct TxState {
    commands: AtomicU64,
    purchases: Commits,
    /// Purchases rolled back on the unique (user, pet): the pet was owned.
    owned: AtomicU64,
    /// Purchases rolled back because the guarded debit updated no row.
    short: AtomicU64,
    /// Profile pages shown (the snapshot's `COMMIT` returned).
    views: AtomicU64,
    /// Pages that showed a state no commit held: (user, what it showed, its start).
    flickers: StdMutex<Vec<(i64, Profile, i64)>>,
}

/// The single transaction's `rung` under `fault` (see [`SingleTransactionRung`]).
/// The server's rows must show no pet owned twice, every balance ≥ 0 and conserved,
/// and the pets between the purchases the clients saw commit and those plus the ones
/// whose `COMMIT` was in flight when the connection died.
pub fn single_transactions(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
    rung: SingleTransactionRung,
) -> Result<FaultReport, String> {
    let mut model = ShopConfig::new(Protocol::SingleTransaction, clients);
    let period = match rung {
        SingleTransactionRung::ProfileSnapshot => PROFILE_COMMAND_MS,
        _ => COMMAND_MS,
    };
    let users: Vec<(i64, i64)> = match rung {
        SingleTransactionRung::Purchases => rich_and_poor(model.price as i64).to_vec(),
        SingleTransactionRung::CannotPay => {
            // The model's insufficient-balance: price = balance + 1.
            model.price = model.balance + 1;
            vec![(1, model.balance as i64)]
        }
        SingleTransactionRung::ProfileSnapshot => {
            let commands = time.as_millis() as i64 / period as i64 + 2;
            (1..=commands)
                .map(|u| (u, 2 * model.price as i64))
                .collect()
        }
    };
    let price = model.price as i64;
    let setup = shop_setup(&mut model, &users);
    let users = Arc::new(users);
    let state = Arc::new(TxState::default());
    let (st, us) = (Arc::clone(&state), Arc::clone(&users));
    let op = move |client: Arc<Client>, _: usize, k: u64, start: Instant| {
        let (s, users) = (Arc::clone(&st), Arc::clone(&us));
        async move {
            let command = start.elapsed().as_millis() as u64 / period;
            s.commands.fetch_max(command + 1, Ordering::SeqCst);
            let (user, pet) = match rung {
                SingleTransactionRung::ProfileSnapshot => (command as i64 + 1, PROFILE_PET),
                _ => (users[command as usize % users.len()].0, command as i64 + 1),
            };
            if rung == SingleTransactionRung::ProfileSnapshot && k % 2 == 0 {
                let Some(&(_, initial)) = users.get(user as usize - 1) else {
                    return Ok(false);
                };
                let shown = snapshot(&client, user, pet).await?;
                bump(&s.views);
                if shown.balance < 0 || shown.balance + shown.paid != initial {
                    let mut flickers = s.flickers.lock().unwrap_or_else(|e| e.into_inner());
                    flickers.push((user, shown, initial));
                }
                return Ok(true);
            }
            if user as usize > users.len() {
                return Ok(false);
            }
            let outcome = buy(&s, &client, user, pet, price).await?;
            // A purchase refused is the insufficient-balance rung's only outcome.
            Ok(match rung {
                SingleTransactionRung::CannotPay => outcome == Bought::Short,
                _ => outcome == Bought::Yes,
            })
        }
    };
    let (counters, rows) = with_faults(cfg, setup, clients, time, fault, op, read_shop)?;
    let invariant = rows_held(&state.purchases, &users, &rows).and_then(|held| {
        let flickers = state.flickers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((user, shown, initial)) = flickers.first() {
            return Err(format!(
                "{} profile pages showed a state no commit held: user {user} with balance \
                 {} and {} pets worth {}, which do not sum to its start {initial}",
                flickers.len(),
                shown.balance,
                shown.pets,
                shown.paid
            ));
        }
        let views = match rung {
            SingleTransactionRung::ProfileSnapshot => format!(
                "; {} profile pages shown, each one snapshot a commit held (balance + \
                 pets' prices = the start)",
                get(&state.views)
            ),
            _ => String::new(),
        };
        Ok(format!(
            "{held}, over {} commands; {} purchases rolled back on the unique (user, pet) \
             (the pet owned), {} because the guarded debit paid nothing (the balance \
             short){views}",
            get(&state.commands),
            get(&state.owned),
            get(&state.short),
        ))
    });
    Ok(counters.report(rung.name(), invariant))
}

/// How a handling ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bought {
    /// Committed.
    Yes,
    /// Rolled back on the unique (user, pet).
    Owned,
    /// Rolled back: the guarded debit updated no row.
    Short,
}

/// The model's `single_transaction` handler for `user` and `pet`: `BEGIN`,
/// `LOCK_USER` (`… FOR UPDATE`), the guarded `DEBIT` (`ROLLBACK` if it updated no
/// row), `INSERT_PET` (`ROLLBACK` on a unique violation), `COMMIT`.
async fn buy(
    s: &TxState,
    client: &Client,
    user: i64,
    pet: i64,
    price: i64,
) -> Result<Bought, tokio_postgres::Error> {
    run_call(client, &coordinator::begin()).await?;
    query_one_call(client, &with_params(pets::lock_user(), vec![user])).await?;
    if run_call(client, &with_params(pets::debit(0), vec![price, user])).await? == 0 {
        run_call(client, &coordinator::rollback()).await?;
        bump(&s.short);
        return Ok(Bought::Short);
    }
    let insert = with_params(pets::insert_pet(0), vec![user, pet, price]);
    match run_call(client, &insert).await {
        Ok(_) => {}
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            run_call(client, &coordinator::rollback()).await?;
            bump(&s.owned);
            return Ok(Bought::Owned);
        }
        Err(e) => return Err(e),
    }
    let commit = run_call(client, &coordinator::commit()).await;
    s.purchases.count(&commit);
    commit?;
    Ok(Bought::Yes)
}
