//! The stories the ladders tell: each buggy rung's counterexample is the race the
//! write-up describes, step by step; the correct rungs hold at sizes and faults
//! beyond their check plans. (Whether each rung reaches its verdict under its plans,
//! and in how many loom executions, is `tests/ladders.rs`.)

#[path = "../common/mod.rs"]
mod common;

mod cart_reservation;
mod device_claim;
mod instance_coordinator;
mod jackpot;
mod singleton_poller;
