//! The profile page shown while purchases run (the write-up's "flicker"): a balance
//! and a pet list read in two statements can come from two different commits.

use crate::sim::{Actor, Halt, Step};

use super::instance::snapshot;
use super::sql::statements;
use super::statements::shop;
use super::world::{ShopWorld, PET, USER};
use super::{ProfileRead, CONSISTENT_PROFILE};

/// The viewer (on connection `me`): reads the profile once, as `read` says, and checks
/// what it would show.
pub fn run(a: &Actor<ShopWorld>, me: usize, read: ProfileRead) -> Result<(), Halt> {
    match read {
        ProfileRead::TwoStatements => {
            let balance = statements(a, "SELECT balance", me, |b| {
                let balance = shop::balance(&b.ok(shop::select_balance()));
                b.s.saw(|| format!("user {USER} balance {balance}"));
                balance
            })?;
            statements(a, "SELECT pets", me, |b| {
                let (pets, paid) = shop::pets(&b.ok(shop::select_pets()));
                b.s.saw(|| format!("{pets} × pet {PET}: the page shows balance {balance} with {pets} × pet {PET}"));
                check_shown(b.s, balance, pets, paid);
            })
        }
        ProfileRead::Snapshot => statements(a, "SELECT balance, pets (one snapshot)", me, |b| {
            let (balance, pets, paid) = snapshot(b);
            b.s.saw(|| format!("the page shows balance {balance} with {pets} × pet {PET}"));
            check_shown(b.s, balance, pets, paid);
        }),
    }
}

/// A shown profile must be one the database held at some commit; every commit keeps
/// balance + prices of pets owned = the initial balance, so a page that breaks the sum
/// shows a state that never existed.
fn check_shown(s: &mut Step<'_, ShopWorld>, balance: i64, pets: usize, paid: u64) {
    let initial = s.state.initial_balance;
    let holds = u64::try_from(balance).is_ok_and(|b| b + paid == initial);
    s.check(holds, CONSISTENT_PROFILE, || {
        format!("the page shows balance {balance} with {pets} × pet {PET} (worth {paid}); no commit ever held both (they must sum to {initial})")
    });
}
