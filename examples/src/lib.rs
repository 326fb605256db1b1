//! A user's own scheme, written as a user of locklab would: a Redis lock whose owner
//! releases it in two steps (`GET`, then `DEL` if it is still theirs), and its fix, a
//! compare-and-delete script. Between the `GET` and the `DEL` the owner may stall (a
//! GC pause); if the lock expires meanwhile and another client takes it, the `DEL`
//! removes the other client's lock, and a third client gets in beside it.
#![deny(missing_docs)]

use locklab::store::Kv;
use locklab::{Cast, Param, Property, Scenario, Scheme, ShuttlePlan, Tick};

/// At most one client inside the critical section.
pub const ONE_HOLDER: Property = Property::safety("one-holder");
/// How many clients race for the lock.
pub const CLIENTS: Param = Param::new("clients", 2..=4, 3).help("clients taking the lock");
/// The lock's lease, in ticks.
const TTL: Tick = 1;

/// The world: the Redis key, and who is inside the critical section.
#[derive(Debug, Default, Hash)]
pub struct World {
    redis: Kv<&'static str, usize>,
    inside: Vec<usize>,
}

/// Clients that take `lock` with `SET NX PX`, work, and release it.
pub struct RedisLock {
    clients: usize,
    /// Release with one compare-and-delete script instead of `GET` then `DEL`.
    atomic_release: bool,
}

impl Scheme for RedisLock {
    type State = World;

    fn init(&self) -> World {
        World::default()
    }

    fn cast(&self, cast: &mut Cast<World>) {
        cast.clock(2 * TTL);
        for me in 0..self.clients {
            let atomic = self.atomic_release;
            cast.actor(format!("C{me}"), move |a| {
                let mut tick = 0;
                while !a.step("SET lock NX PX", |s| {
                    s.state.redis.set_nx_px("lock", me, TTL, s.now)
                })? {
                    tick += 1;
                    if !a.sleep_until(tick)? {
                        return Ok(()); // the run is over before the lock came free
                    }
                }
                a.step("enter", |s| {
                    let others = s.state.inside.len();
                    s.check(others == 0, ONE_HOLDER, || {
                        format!("C{me} entered beside {others} other client(s)")
                    });
                    s.state.inside.push(me);
                })?;
                a.step("leave", |s| s.state.inside.retain(|&c| c != me))?;
                if atomic {
                    a.step("compare-and-delete", |s| {
                        s.state.redis.compare_and_delete(&"lock", &me, s.now)
                    })?;
                } else if a.step("GET lock", |s| {
                    s.state.redis.get(&"lock", s.now) == Some(&me)
                })? {
                    a.pause_point()?; // a GC pause: the lock may expire right here
                    a.step("DEL lock", |s| s.state.redis.del(&"lock", s.now))?;
                }
                Ok(())
            });
        }
    }

    fn properties(&self) -> Vec<Property> {
        vec![ONE_HOLDER]
    }
}

/// The two scenarios: the race, and its fix.
pub fn scenarios() -> Vec<Scenario> {
    let lock = |atomic_release| {
        move |p: &locklab::Params| RedisLock {
            clients: p.count(CLIENTS),
            atomic_release,
        }
    };
    vec![
        Scenario::new("my-lock/get-then-del", lock(false))
            .about("release with GET then DEL: a pause between them deletes the next holder's lock")
            .violates(ONE_HOLDER)
            .actors(CLIENTS)
            // Three clients and the clock must be ordered just so: a bug of depth 4,
            // which PCT's default depth of 3 rarely reaches.
            .shuttle(ShuttlePlan::pct(10_000).depth(4)),
        Scenario::new("my-lock/compare-and-delete", lock(true))
            .about("release with one compare-and-delete script: only the owner's own lock goes")
            .holds()
            .actors(CLIENTS),
    ]
}
