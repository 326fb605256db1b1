//! (in progress)

use crate::Scenario;

/// The ladder, from the original bug to the correct fix.
pub static SCENARIOS: [Scenario; 0] = [];
