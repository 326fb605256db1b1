//! The cart-reservation ladder (seed 004, catalogue section 5): users reserving
//! overlapping multi-item carts in a TTL cache before paying, from no reservation at
//! all to one atomic reservation in a shared store.

use locklab_models::cart_reservation::{
    CartReservation, Config, Crash, Protocol, SweepStyle, Sweeper,
};
use locklab_models::cart_reservation::{
    ONE_LIVE_RESERVATION, REMOVE_OWN_OR_EXPIRED, SALE_REQUIRES_LIVE_TOKEN, SOLD_WITHIN_STOCK,
};

use crate::{LoomPlan, Param, Params, Scenario, ShuttlePlan, StatesPlan};

const USERS: Param = Param {
    name: "users",
    default: 2,
    min: 1,
    max: 6,
    help: "browser tabs ordering overlapping carts (X wants {a,b}, Y {b,c}, Z {c,a}, ...)",
};
/// The rungs that race two orders need two.
const USERS_RACING: Param = Param { min: 2, ..USERS };
/// Two tabs of user X, and by default one more user, Y: what X's second tab releases
/// is Y's to reserve, so the harm the release leads to (the unit X#1 is paying for
/// sold to Y as well) is within reach of the search.
const USERS_TWO_TABS: Param = Param {
    min: 2,
    default: 3,
    help: "browser tabs: X's two, then other users (Y wants {b,c}, Z {c,a}, ...)",
    ..USERS
};
/// The clocked rungs: a first user at t=0, the last one at t=ttl, others in between.
const USERS_CLOCKED: Param = Param {
    min: 2,
    default: 3,
    ..USERS
};
const CART_ITEMS: Param = Param {
    name: "cart-items",
    default: 2,
    min: 1,
    max: 3,
    help: "items in each cart; neighbouring carts share all but one (1: everyone wants a)",
};
const STOCK: Param = Param {
    name: "stock",
    default: 1,
    min: 1,
    max: 3,
    help: "units of each item in stock (1: the last unit)",
};
const TTL: Param = Param {
    name: "ttl",
    default: 2,
    min: 1,
    max: 6,
    help: "reservation length in ticks (the write-up's 5 minutes)",
};
const SWEEPER: Param = Param {
    name: "sweeper",
    default: 1,
    min: 0,
    max: 1,
    help: "1: a sweeper removes expired entries from t=ttl on; 0: none",
};

const NO_CLOCK: &[Param] = &[USERS_RACING, CART_ITEMS, STOCK];
const CLOCKED: &[Param] = &[USERS_CLOCKED, CART_ITEMS, STOCK, TTL];
const CLOCKED_SWEPT: &[Param] = &[USERS_CLOCKED, CART_ITEMS, STOCK, TTL, SWEEPER];

fn finish(cfg: Config) -> Result<CartReservation, String> {
    CartReservation::new(cfg)
}

fn base(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = Config::new(protocol, p.count(USERS));
    cfg.cart_items = p.count(CART_ITEMS);
    cfg.stock = p.get(STOCK) as u32;
    cfg
}

/// The first user orders at t=0 and crashes then, at any step boundary, leaving what
/// it reserved; the middle ones order at t=0; the last orders at t=ttl, when the
/// crashed user's entries have just expired. Every payment finishes within the TTL.
fn crash_then_late_order(protocol: Protocol, p: &Params) -> Config {
    let mut cfg = base(protocol, p);
    cfg.ttl = p.get(TTL);
    let last = cfg.users - 1;
    cfg.arrivals = (0..cfg.users)
        .map(|i| if i == last { cfg.ttl } else { 0 })
        .collect();
    cfg.payments = vec![cfg.ttl - 1; cfg.users];
    cfg.horizon = 2 * cfg.ttl - 1;
    cfg.crash = Some(Crash { user: 0, at: 0 });
    cfg
}

fn sweeper_at_ttl(cfg: &mut Config, style: SweepStyle) {
    cfg.sweeper = Some(Sweeper { style, at: cfg.ttl });
}

fn no_reservation(p: &Params) -> Result<CartReservation, String> {
    finish(base(Protocol::NoReservation, p))
}

fn ttl_reservation_cache(p: &Params) -> Result<CartReservation, String> {
    let mut cfg = crash_then_late_order(Protocol::TtlReservationCache, p);
    if p.get(SWEEPER) == 1 {
        sweeper_at_ttl(&mut cfg, SweepStyle::OneScan);
    }
    finish(cfg)
}

fn check_all_then_set_all(p: &Params) -> Result<CartReservation, String> {
    finish(base(Protocol::CheckAllThenSetAll, p))
}

fn expiry_during_payment(p: &Params) -> Result<CartReservation, String> {
    // X's payment takes longer than its reservation lasts; the others order when it
    // has expired and pay at once.
    let mut cfg = base(Protocol::TtlReservationCache, p);
    cfg.ttl = p.get(TTL);
    cfg.arrivals = (0..cfg.users)
        .map(|i| if i == 0 { 0 } else { cfg.ttl })
        .collect();
    cfg.payments = vec![cfg.ttl + 1];
    cfg.horizon = cfg.ttl + 1;
    finish(cfg)
}

fn sweeper_race(p: &Params) -> Result<CartReservation, String> {
    // X abandons its cart (no crash needed): at t=ttl the cleanup and the last user's
    // order race for X's expired entries.
    let mut cfg = crash_then_late_order(Protocol::TtlReservationCache, p);
    cfg.crash = None;
    cfg.abandons = Some(0);
    sweeper_at_ttl(&mut cfg, SweepStyle::FindThenDelete);
    finish(cfg)
}

fn user_id_as_owner(p: &Params) -> Result<CartReservation, String> {
    let mut cfg = base(Protocol::TtlReservationCache, p);
    cfg.second_tab = true;
    finish(cfg)
}

fn per_instance_cache(p: &Params) -> Result<CartReservation, String> {
    let mut cfg = base(Protocol::TtlReservationCache, p);
    cfg.instances = 2;
    finish(cfg)
}

fn shared_atomic_reservation(p: &Params) -> Result<CartReservation, String> {
    // Every hazard at once: X may pause anywhere and its payment outlasts the TTL; Y
    // (with three users or more) crashes at t=0 holding its cart; the last user orders
    // at t=ttl; the sweeper finds then deletes; users alternate between two instances.
    let mut cfg = crash_then_late_order(Protocol::SharedAtomicReservation, p);
    cfg.payments[0] = cfg.ttl + 1;
    cfg.horizon = cfg.horizon.max(cfg.ttl + 1);
    cfg.pausable = Some(0);
    cfg.crash = (cfg.users >= 3).then_some(Crash { user: 1, at: 0 });
    cfg.instances = 2;
    if p.get(SWEEPER) == 1 {
        sweeper_at_ttl(&mut cfg, SweepStyle::FindThenDelete);
    }
    finish(cfg)
}

/// The ladder, from the original bug to the correct fix.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::try_new("cart-reservation/no-reservation", no_reservation)
            .about("check stock, pay, decrement: X and Y both see the last b in stock and both buy it")
            .violates(SOLD_WITHIN_STOCK)
            .actors(USERS)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(USERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("cart-reservation/ttl-reservation-cache", ttl_reservation_cache)
            .about("the write-up's fix, one instance: the whole cart checked and locked in one step, expired entries count as free, release by owner, one-pass sweep; holds while payments finish within the TTL (slow payments and two-step sweeps are the next rungs), even when a user crashes holding its cart")
            .holds()
            .actors(USERS)
            .params(CLOCKED_SWEPT)
            .loom(LoomPlan::bounded(2).set(USERS, 2).set(TTL, 2))
            .shuttle(ShuttlePlan::pct(10_000).set(USERS, 5))
            .states(StatesPlan::new().set(USERS, 4)),
        Scenario::try_new("cart-reservation/check-all-then-set-all", check_all_then_set_all)
            .about("the cart is checked, then each item locked in its own step: X checks {a,b}, Y checks {b,c}, both lock b")
            .violates(ONE_LIVE_RESERVATION)
            .actors(USERS)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(USERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("cart-reservation/expiry-during-payment", expiry_during_payment)
            .about("X's payment outlasts its reservation; Y reserves and buys b; X's payment succeeds and the sale goes through without re-checking: b oversold")
            .violates(SALE_REQUIRES_LIVE_TOKEN)
            .actors(USERS)
            .params(CLOCKED)
            .loom(LoomPlan::unbounded().set(USERS, 2).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("cart-reservation/sweeper-race", sweeper_race)
            .about("X abandoned its cart {a,b}; at expiry the order cleanup finds b expired, Y reserves b, the cleanup deletes b by key: Y's live entry is gone")
            .violates(REMOVE_OWN_OR_EXPIRED)
            .actors(USERS)
            .params(CLOCKED)
            .loom(LoomPlan::unbounded().set(USERS, 2).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("cart-reservation/user-id-as-owner", user_id_as_owner)
            .about("two tabs of user X order the same cart; the second is refused and its catch block releases by user id: it deletes the first tab's live reservation (and Y, free to reserve b, buys the unit X#1 is paying for)")
            .violates(REMOVE_OWN_OR_EXPIRED)
            .actors(USERS)
            .params(&[USERS_TWO_TABS, CART_ITEMS, STOCK])
            .loom(LoomPlan::unbounded().set(USERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("cart-reservation/per-instance-cache", per_instance_cache)
            .about("two server instances, each with its own map: X reserves {a,b} on one, Y reserves {b,c} on the other")
            .violates(ONE_LIVE_RESERVATION)
            .actors(USERS)
            .params(NO_CLOCK)
            .loom(LoomPlan::unbounded().set(USERS, 2))
            .shuttle(ShuttlePlan::pct(10_000)),
        Scenario::try_new("cart-reservation/shared-atomic-reservation", shared_atomic_reservation)
            .about("correct: one shared store for both instances, the whole cart reserved in one step under a per-reservation token, expired entries free; the sale re-checks the live token and decrements with a stock > 0 guard in one step; release and sweep delete only their own or an expired token. Holds with a paused, slow payer, a crash and a late order")
            .holds()
            .actors(USERS)
            .params(CLOCKED_SWEPT)
            .loom(LoomPlan::bounded(2).set(USERS, 2).set(TTL, 1))
            .shuttle(ShuttlePlan::pct(10_000).set(USERS, 5))
            .states(StatesPlan::new().set(USERS, 4)),
    ]
}
