//! locklab's models: the modelling kit ([`sim`]) and one module per locking scheme.
#![deny(missing_docs)]

pub mod cart_reservation;
pub mod contention;
pub mod device_claim;
pub mod instance_coordinator;
pub mod jackpot;
pub mod sim;
pub mod singleton_poller;
