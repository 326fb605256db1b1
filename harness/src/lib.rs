//! locklab: explore the interleavings of locking schemes, find their races, replay
//! them and explain them as timelines.
#![deny(missing_docs)]

pub mod check;
pub mod engine;
pub mod replay;
pub mod report;
pub mod verdict;

pub use locklab_models as models;
pub use locklab_models::sim;
