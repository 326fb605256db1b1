//! The profile page shown while purchases run (the write-up's "flicker"): a balance
//! and a pet list read in two statements can come from two different commits.

use crate::sim::{Actor, Halt, Step};

use super::world::{ShopWorld, PET, USER};
use super::{ProfileRead, CONSISTENT_PROFILE};

/// The viewer: reads the profile once, as `read` says, and checks what it would show.
pub fn run(a: &Actor<ShopWorld>, read: ProfileRead) -> Result<(), Halt> {
    match read {
        ProfileRead::TwoStatements => {
            let balance = a.step("SELECT balance", |s| {
                let (balance, _, _) = s.state.profile();
                s.saw(|| format!("user {USER} balance {balance}"));
                balance
            })?;
            a.step("SELECT pets", |s| {
                let (_, pets, paid) = s.state.profile();
                s.saw(|| format!("{pets} × pet {PET}: the page shows balance {balance} with {pets} × pet {PET}"));
                check_shown(s, balance, pets, paid);
            })
        }
        ProfileRead::Snapshot => a.step("SELECT balance, pets (one snapshot)", |s| {
            let (balance, pets, paid) = s.state.profile();
            s.saw(|| format!("the page shows balance {balance} with {pets} × pet {PET}"));
            check_shown(s, balance, pets, paid);
        }),
    }
}

/// A shown profile must be one the database held at some commit; every commit keeps
/// balance + prices of pets owned = the initial balance, so a page that breaks the sum
/// shows a state that never existed.
fn check_shown(s: &mut Step<'_, ShopWorld>, balance: u64, pets: usize, paid: u64) {
    let initial = s.state.initial_balance;
    s.check(balance + paid == initial, CONSISTENT_PROFILE, || {
        format!("the page shows balance {balance} with {pets} × pet {PET} (worth {paid}); no commit ever held both (they must sum to {initial})")
    });
}
