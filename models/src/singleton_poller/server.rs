//! The messaging server's side of one bot token (Telegram's `getUpdates`).
//!
//! - Updates have increasing ids and reach the server at given ticks.
//! - `getUpdates(offset)` confirms every update below `offset` (the server forgets
//!   them) and returns the pending ones at or above it. Nothing else confirms an
//!   update: one a process fetched and handled stays pending until that process polls
//!   again with a higher offset.
//! - One long-poll consumer per token. A polling loop is in a long poll nearly all the
//!   time (between two polls it only handles what it got), so the server holds a
//!   process as the token's consumer from its `getUpdates` for the long-poll timeout,
//!   [`LONG_POLL_TIMEOUT`] (the poll interval), or until it stops polling (its final
//!   confirming poll, a closed connection, its death). A `getUpdates` from another
//!   process meanwhile terminates the consumer's long poll with 409 Conflict. The
//!   model does not let the processes act on a 409: answering one is already the
//!   violation that ends the execution.

use crate::sim::Tick;

/// How long the server holds a long poll with nothing to answer: one tick, the
/// interval at which a process polls (with no clock, the whole run).
pub const LONG_POLL_TIMEOUT: Tick = 1;

/// The server's answer to one `getUpdates`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Answer {
    /// Pending updates at or above the offset, oldest first.
    pub updates: Vec<u64>,
    /// The process whose long poll this request terminated with 409 Conflict.
    pub terminated: Option<usize>,
}

/// One bot token's update queue and long-poll consumer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Server {
    /// Arrival tick of update `id`, at index `id - 1`.
    arrivals: Vec<Tick>,
    /// Updates below this id are confirmed and forgotten.
    confirmed_below: u64,
    /// The process whose long poll the server holds for the token, and the tick at
    /// which that long poll times out.
    consumer: Option<(usize, Tick)>,
}

impl Server {
    /// A token whose updates arrive at these ticks.
    pub fn new(arrivals: Vec<Tick>) -> Self {
        Server {
            arrivals,
            confirmed_below: 1,
            consumer: None,
        }
    }

    /// Ids of the updates that have reached the server by `now`.
    pub fn arrived(&self, now: Tick) -> impl Iterator<Item = u64> + '_ {
        self.arrivals
            .iter()
            .enumerate()
            .filter(move |(_, &at)| at <= now)
            .map(|(i, _)| i as u64 + 1)
    }

    /// `getUpdates(offset)` from `who`: confirms what lies below `offset`, terminates
    /// another consumer's long poll with 409, makes `who` the consumer and returns the
    /// pending updates.
    pub fn get_updates(&mut self, who: usize, offset: u64, now: Tick) -> Answer {
        self.confirm(offset);
        let terminated = self.open_poll_of_another(who, now);
        self.consumer = Some((who, now + LONG_POLL_TIMEOUT));
        let below = self.confirmed_below;
        let updates = self.arrived(now).filter(|&id| id >= below).collect();
        Answer {
            updates,
            terminated,
        }
    }

    /// A clean shutdown's last request, `getUpdates(offset, timeout=0)`, then the
    /// connection closes: what `who` handled is confirmed and it stops being the
    /// consumer. Its updates are ignored; like any `getUpdates` it terminates another
    /// consumer's long poll (returned).
    pub fn stop_polling(&mut self, who: usize, offset: u64, now: Tick) -> Option<usize> {
        self.confirm(offset);
        let terminated = self.open_poll_of_another(who, now);
        self.consumer = None;
        terminated
    }

    /// `who`'s connection closed (it gave up polling, or died and its kernel closed
    /// the socket): the server drops its long poll. Nothing is confirmed.
    pub fn disconnect(&mut self, who: usize) {
        if self.consumer.is_some_and(|(c, _)| c == who) {
            self.consumer = None;
        }
    }

    /// Another process whose long poll is still open at `now`.
    fn open_poll_of_another(&self, who: usize, now: Tick) -> Option<usize> {
        self.consumer
            .filter(|&(c, until)| c != who && now < until)
            .map(|(c, _)| c)
    }

    /// Telegram forgets every update below `offset`.
    fn confirm(&mut self, offset: u64) {
        self.confirmed_below = self.confirmed_below.max(offset);
    }
}
