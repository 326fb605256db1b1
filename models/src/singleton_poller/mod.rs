//! Singleton poller (seed 001, catalogue section 2): bot processes long-polling one
//! token, guarded by lock files, kernel locks or a renewed lease.
