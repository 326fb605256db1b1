//! The correct fix's shared reservation store, as SQL on the shop's database (the
//! `reservations` table of [`statements::CREATE_RESERVATIONS`]): the whole cart
//! reserved in one transaction, the release by token, and the sweeper's find and
//! token-checked delete. Each function is the body of one step, on one connection;
//! the same statements run on a real PostgreSQL, in the bench, and under faults. The
//! sale, which consumes the reservation in the stock's transaction, is the shop's
//! ([`super::shop::sell_with_token`]).

use crate::sim::Tick;

use super::cache::{check_granted, check_removed, claim, refuse};
use super::reserve::end;
use super::shop::ShopStep;
use super::statements;
use super::world::{cart_name, item_name, CartWorld, Item};
use super::Config;

/// Tab `user` reserves its whole cart under a new token, in one transaction: every
/// item's row inserted, or taken over if it has expired; if any item has another
/// reservation's live row, the transaction rolls back and nothing is reserved.
/// Returns the reservation, or `None` if the cart was refused.
pub fn reserve(b: &mut ShopStep<'_, '_>, cfg: &Config, user: usize) -> Option<usize> {
    let (cart, now) = (cfg.cart(user), b.s.now);
    let before = b.s.state.cart_state(0, &cart, now);
    // The token of the reservation this would be (its id + 1).
    let token = CartWorld::token(b.s.state.reservations.len());
    let until = now + cfg.ttl;
    b.ok(statements::begin());
    let granted = statements::in_lock_order(&cart).into_iter().all(|x| {
        b.ok(statements::reserve_item(x, token, until, now))
            .affected
            == 1
    });
    if !granted {
        b.ok(statements::rollback());
        b.s.saw(|| format!("{}: {before}: refused", cart_name(&cart)));
        refuse(b.s, user, 0, &cart);
        return None;
    }
    b.ok(statements::commit());
    let rid = b.s.state.open_reservation(cfg, user);
    for &x in &cart {
        claim(b.s, rid, x);
    }
    check_granted(b.s, rid);
    b.s.saw(|| {
        format!(
            "{}: {before}: reserved for token {token} until t={until}",
            cart_name(&cart)
        )
    });
    Some(rid)
}

/// The release: deletes every row of the cart that still carries reservation
/// `rid`'s token (an order or a sale that failed).
pub fn release(b: &mut ShopStep<'_, '_>, cfg: &Config, rid: usize) {
    let user = b.s.state.reservations[rid].user;
    let (cart, token) = (cfg.cart(user), CartWorld::token(rid));
    let removed = statements::removed_rows(&b.ok(statements::release(&cart, token)));
    let shown = removed_by(b, &removed, token, Some(rid));
    end(b.s, Some(rid));
    b.s.saw(|| {
        if shown.is_empty() {
            format!(
                "DELETE {} WHERE token = {token}: nothing to remove",
                cart_name(&cart)
            )
        } else {
            format!(
                "DELETE {} WHERE token = {token}: removed {}",
                cart_name(&cart),
                shown.join("; ")
            )
        }
    });
}

/// Rows of `token` that a statement of this step removed, each checked as a removal
/// on behalf of reservation `remover` (none: the sweeper), and described.
pub fn removed_by(
    b: &mut ShopStep<'_, '_>,
    removed: &[(Item, Tick)],
    token: u64,
    remover: Option<usize>,
) -> Vec<String> {
    let now = b.s.now;
    let mut shown = Vec::new();
    for &(x, until) in removed {
        let entry = CartWorld::entry_of(token, until);
        shown.push(b.s.state.entry_state(x, &entry, now));
        let by = match remover {
            Some(rid) => b.s.state.names[b.s.state.reservations[rid].user].clone(),
            None => super::sweeper::NAME.to_owned(),
        };
        check_removed(b.s, x, &entry, &by, remover);
    }
    shown
}

/// The sweeper's find: the rows that have expired, with the token each carries.
pub fn find_expired(b: &mut ShopStep<'_, '_>) -> Vec<(Item, u64)> {
    let now = b.s.now;
    let found = statements::reservation_rows(&b.ok(statements::find_expired(now)).rows);
    let shown: Vec<String> = found
        .iter()
        .map(|&(x, token, until)| {
            b.s.state
                .entry_state(x, &CartWorld::entry_of(token, until), now)
        })
        .collect();
    b.s.saw(|| {
        if shown.is_empty() {
            "nothing has expired".to_owned()
        } else {
            format!("{}: will delete", shown.join("; "))
        }
    });
    found.into_iter().map(|(x, token, _)| (x, token)).collect()
}

/// The sweeper's delete of one row it found expired: only if the row still carries
/// the token it found and has expired.
///
/// Either half of that guard alone keeps the rung correct in this model: a token is
/// drawn per reservation and never renewed, so a row that still has the token found
/// expired is still expired, and a row with another token was written after the find
/// and is either live (kept by the other half) or has expired too (and may go). The
/// statement keeps both because a renewal (a later `expires_at` on the same token)
/// would break the first argument.
pub fn delete_expired(b: &mut ShopStep<'_, '_>, item: Item, token: u64) {
    let now = b.s.now;
    let (state, gone) = (
        b.s.state.item_state(0, item, now),
        b.s.state.entry(0, item).is_none(),
    );
    let removed = statements::removed_rows(&b.ok(statements::delete_expired(item, token, now)));
    removed_by(b, &removed, token, None);
    b.s.saw(|| match (removed.is_empty(), gone) {
        (true, true) => format!("{}: already gone", item_name(item)),
        (true, false) => format!("{state}: not the expired row it found, kept"),
        (false, _) => format!("DELETE WHERE token = {token} AND expired: removed {state}"),
    });
}
