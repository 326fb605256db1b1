//! The singleton-poller ladder (seed 001, catalogue section 2).

use crate::Scenario;

/// Every rung, from the original bug to the correct fix.
pub(crate) static SCENARIOS: &[Scenario] = &[];
