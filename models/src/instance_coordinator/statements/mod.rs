//! What the bot instances send to the shop's database, one function per statement:
//! [`locks`] for the `locks` table, [`shop`] for `users`, `user_pets` and the shop's
//! fence register. The model's steps call these, and so does
//! [`super::CoordinatorWorkload`] on OS threads: the bench runs the statements that
//! were checked.

pub mod locks;
pub mod shop;

/// Why an autocommit statement cannot wait: no handler of the protocols that use it
/// holds a row lock across steps.
const AUTOCOMMIT: &str = "autocommit never blocks here";
