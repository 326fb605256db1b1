//! The cart-reservation ladder (seed 004, catalogue section 5).

use crate::Scenario;

/// Every rung, from the original bug to the correct fix.
pub(crate) static SCENARIOS: &[Scenario] = &[];
