//! locklab's models: the modelling kit ([`sim`]) and one module per locking scheme.
//!
//! A scheme's statements — what it sends to its store (a table, a key-value store, a
//! host's files) — live once, in its `statements` module. Its actors' steps call
//! them, and so does its workload (`device_claim::DeviceClaimWorkload`, …), which
//! runs them on OS threads for the throughput bench ([`sim::workload`]): the bench
//! measures the code that was checked.
#![deny(missing_docs)]

pub mod cart_reservation;
pub mod contention;
pub mod device_claim;
pub mod instance_coordinator;
pub mod jackpot;
pub mod sim;
pub mod singleton_poller;
