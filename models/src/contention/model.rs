//! The contention [`Scheme`]: two clients, one critical section, no clock.

use crate::sim::{Actor, Cast, Halt, Mutex, Property, Scheme};

use super::{Protocol, EVERYONE_ENTERS, EXCLUSIVE};

/// The shared world.
#[derive(Debug, Default, Hash)]
pub struct Arena {
    /// Each client's "I want in" flag (the back-off protocols).
    want: [bool; 2],
    /// Who is inside the critical section.
    inside: Vec<usize>,
    /// Who has been inside (and must, eventually).
    entered: [bool; 2],
    /// The mutex of the lock protocols.
    lock: Mutex,
}

/// A contention model.
#[derive(Debug, Clone)]
pub struct Contention {
    protocol: Protocol,
}

impl Contention {
    /// Two clients contending under `protocol`.
    pub fn new(protocol: Protocol) -> Self {
        Contention { protocol }
    }
}

impl Scheme for Contention {
    type State = Arena;

    fn init(&self) -> Arena {
        let lock = match self.protocol {
            Protocol::FairLock => Mutex::fair(),
            _ => Mutex::new(),
        };
        Arena {
            lock,
            ..Arena::default()
        }
    }

    fn cast(&self, cast: &mut Cast<Arena>) {
        let protocol = self.protocol;
        match protocol {
            Protocol::PoliteBackoff | Protocol::OrderedBackoff => {
                for me in 0..2 {
                    cast.actor(client(me), move |a| backoff(a, me, protocol));
                }
            }
            Protocol::BargingLock | Protocol::FairLock => {
                cast.actor("worker", worker);
                cast.actor("client", |a| once(a, 1));
            }
        }
    }

    fn properties(&self) -> Vec<Property> {
        vec![EXCLUSIVE, EVERYONE_ENTERS]
    }
}

fn client(me: usize) -> String {
    ["A", "B"][me].to_owned()
}

/// Enters and leaves the critical section; the first time, the obligation is met.
fn critical_section(a: &Actor<Arena>, me: usize) -> Result<(), Halt> {
    a.step("enter", |s| {
        let others = s.state.inside.len();
        s.check(others == 0, EXCLUSIVE, || {
            format!("{} entered beside another client", client(me))
        });
        s.state.inside.push(me);
        s.state.entered[me] = true;
        if s.state.entered.iter().all(|&e| e) {
            s.settle(EVERYONE_ENTERS);
        }
    })?;
    a.step("leave", |s| s.state.inside.retain(|&c| c != me))
}

/// The flag protocols: raise mine, look at the other's, back off or go in.
fn backoff(a: &Actor<Arena>, me: usize, protocol: Protocol) -> Result<(), Halt> {
    let other = 1 - me;
    a.step("want in", |s| s.owe(EVERYONE_ENTERS))?;
    loop {
        a.local("retry", &());
        a.step("raise my flag", |s| s.state.want[me] = true)?;
        let contended = a.step("look at the other's flag", |s| s.state.want[other])?;
        if !contended {
            break;
        }
        let yields = protocol == Protocol::PoliteBackoff || me == 1;
        if yields {
            a.step("lower my flag", |s| s.state.want[me] = false)?;
            if protocol == Protocol::OrderedBackoff {
                a.step_when("wait for the other's flag to drop", |s| {
                    (!s.state.want[other]).then_some(())
                })?;
            }
        } else {
            a.step_when("wait for the other to back off", |s| {
                (!s.state.want[other]).then_some(())
            })?;
            break;
        }
    }
    critical_section(a, me)?;
    a.step("lower my flag", |s| s.state.want[me] = false)
}

/// Takes the mutex, works in the critical section, gives it back, for ever.
fn worker(a: &Actor<Arena>) -> Result<(), Halt> {
    loop {
        a.local("loop", &());
        a.lock("lock", |s| &mut s.lock)?;
        critical_section(a, 0)?;
        a.unlock("unlock", |s| &mut s.lock)?;
    }
}

/// Wants the mutex once.
fn once(a: &Actor<Arena>, me: usize) -> Result<(), Halt> {
    a.step("want in", |s| s.owe(EVERYONE_ENTERS))?;
    a.lock("lock", |s| &mut s.lock)?;
    critical_section(a, me)?;
    a.unlock("unlock", |s| &mut s.lock)
}
