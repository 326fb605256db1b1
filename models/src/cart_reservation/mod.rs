//! Cart reservation (seed 004, catalogue section 5): users reserving every item of a
//! cart before paying, in TTL caches local or shared.
